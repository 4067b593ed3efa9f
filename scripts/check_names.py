"""Check the names of a build's concepts the way a reader would: are the labels forms papers use?

Reads ``OUTPUT/graph.json`` (concept nodes: label, type, aliases, paper_count) and
``OUTPUT/mentions.jsonl`` (which paper wrote which form for which concept) of a ``kg build``
and prints, as Markdown:

1. the share of concepts with ``--min-papers`` (10) or more papers whose label is a form used in
   at least 2 of the concept's papers (a mention of the concept, or written in the sentence of
   one: the long form of "Long Form (ACR)" where only ACR was tagged), and the concepts whose
   label is not;
2. labels that are long forms of a more common acronym (an acronym-shaped alias of the concept
   used in more papers than the label);
3. aliases supported by one paper only (counts; the examples listed are those of concepts with
   ``--min-papers`` or more papers whose alias is not a case, hyphen or plural variant of the label);
4. the top ``--top`` (50) concepts per type, with their most used forms, for reading.

Forms are compared case- and hyphen-insensitively (NFKC, case folded, hyphens as spaces, a
trailing bracketed acronym of a "Long Form (ACR)" mention removed). The script uses no resolver
code, so it checks the resolver rather than repeating it.

Usage::

    .venv/bin/python scripts/check_names.py OUTPUT [--min-papers 10] [--top 50] [--examples 40]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

_BRACKETED = re.compile(r"\s*\([^()]{1,12}\)$")


def fold(form: str) -> str:
    """The comparison form of a surface form: NFKC, case folded, hyphens as spaces, single
    spaces, no trailing "(ACR)".

    >>> fold("Graph Neural-Networks (GNNs)"), fold("BLEU")
    ('graph neural networks', 'bleu')
    """
    text = unicodedata.normalize("NFKC", form)
    text = _BRACKETED.sub("", text) or text
    text = re.sub(r"[\u2010-\u2015\u2212-]", " ", text.casefold())
    return " ".join(text.split()).strip(" \"'`.,;:!?")


def is_acronym(form: str) -> bool:
    """One word with two or more capitals and no more lower-case letters than capitals
    ("BLEU", "GNNs", "LLaMA", "GPT-2"; not "ImageNet", "Transformer").

    >>> [is_acronym(f) for f in ("BLEU", "GNNs", "LLaMA", "GPT-2", "ImageNet", "graph neural networks")]
    [True, True, True, True, False, False]
    """
    if " " in form.strip():
        return False
    upper = sum(c.isupper() for c in form)
    lower = sum(c.islower() for c in form)
    return upper >= 2 and lower <= upper


def _stem(folded: str) -> str:
    """Folded form without spaces and a final plural "s" (for "is only a variant of")."""
    text = folded.replace(" ", "")
    return text[:-1] if text.endswith("s") else text


def load_concepts(path: Path) -> dict[str, dict]:
    """Concept nodes of a node-link ``graph.json``: id -> attributes."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return {n["id"]: n for n in data["nodes"] if n.get("kind") == "concept"}


def load_form_papers(path: Path) -> dict[str, dict[str, set[str]]]:
    """concept id -> folded form -> papers writing it, from ``mentions.jsonl``."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                print(f"{path}:{line_no}: skipped, not JSON ({exc})", file=sys.stderr)
                continue
            if row.get("concept"):
                out[row["concept"]][fold(row["text"])].add(row["paper"])
    return out


def papers_writing(path: Path, wanted: dict[str, str]) -> dict[str, set[str]]:
    """concept id -> papers whose sentences (of that concept's mentions) contain the folded form
    ``wanted[concept]``: a label written where the NER did not tag it (the long form of a
    definition "Long Form (ACR)" tagged as ACR only) is still a form the paper uses."""
    out: dict[str, set[str]] = defaultdict(set)
    if not wanted:
        return out
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            cid = row.get("concept")
            if cid in wanted and wanted[cid] in fold(row.get("sentence") or ""):
                out[cid].add(row["paper"])
    return out


def check(concepts: dict[str, dict], form_papers: dict[str, dict[str, set[str]]], min_papers: int = 10, top: int = 50, examples: int = 40,
          written: dict[str, set[str]] | None = None) -> str:
    """The Markdown report (see the module docstring); ``written``: :func:`papers_writing` for
    the labels no mention of 2 papers has."""
    lines: list[str] = []
    big = [c for c in concepts.values() if c.get("paper_count", 0) >= min_papers]
    big.sort(key=lambda c: (-c["paper_count"], c["label"].casefold()))

    written = written or {}

    def papers_of(cid: str, form: str) -> int:
        n = len(form_papers.get(cid, {}).get(fold(form), ()))
        return max(n, len(written.get(cid, ()))) if form == concepts[cid]["label"] else n

    bad = [c for c in big if papers_of(c["id"], c["label"]) < 2]
    share = 1 - len(bad) / len(big) if big else 1.0
    lines += [f"## Labels used by >= 2 papers (concepts with >= {min_papers} papers)", "",
              f"{len(big) - len(bad)} of {len(big)} concepts: **{share:.2%}**", ""]
    if bad:
        lines += ["| concept | type | papers | label | papers using the label | most used form |", "|---|---|---|---|---|---|"]
        for c in bad[:examples]:
            forms = form_papers.get(c["id"], {})
            best = max(forms.items(), key=lambda kv: (len(kv[1]), kv[0]), default=("", set()))
            lines.append(f"| {c['id']} | {c['type']} | {c['paper_count']} | {c['label']} | {papers_of(c['id'], c['label'])} | {best[0]} ({len(best[1])}) |")
        lines.append("")

    long_of_acronym = []
    for c in big:
        if is_acronym(c["label"]):
            continue
        n_label = papers_of(c["id"], c["label"])
        acr = [(papers_of(c["id"], f), f) for f, _ in c.get("aliases", []) if is_acronym(f)]
        acr = [a for a in acr if a[0] > n_label]
        if acr:
            n, f = max(acr)
            long_of_acronym.append((c, n_label, f, n))
    lines += [f"## Labels that are long forms of a more common acronym (concepts with >= {min_papers} papers)", "",
              f"{len(long_of_acronym)} concepts", ""]
    if long_of_acronym:
        lines += ["| concept | papers | label (papers) | acronym (papers) |", "|---|---|---|---|"]
        for c, n_label, f, n in long_of_acronym[:examples]:
            lines.append(f"| {c['id']} | {c['paper_count']} | {c['label']} ({n_label}) | {f} ({n}) |")
        lines.append("")

    single = 0
    total = 0
    listed = []
    for cid, forms in form_papers.items():
        c = concepts.get(cid)
        if c is None:
            continue
        label_stem = _stem(fold(c["label"]))
        for form, papers in forms.items():
            total += 1
            if len(papers) == 1:
                single += 1
                if c.get("paper_count", 0) >= min_papers and _stem(form) != label_stem:
                    listed.append((c["paper_count"], cid, c["label"], form))
    listed.sort(key=lambda x: (-x[0], x[1], x[3]))
    lines += ["## Aliases supported by one paper", "",
              f"{single} of {total} (concept, form) pairs are written in one paper only; "
              f"{len(listed)} of them belong to concepts with >= {min_papers} papers and differ from the label by more than case, hyphens or a plural.", ""]
    if listed:
        lines += ["| concept | papers | label | one-paper alias |", "|---|---|---|---|"]
        for n, cid, label, form in listed[:examples]:
            lines.append(f"| {cid} | {n} | {label} | {form} |")
        lines.append("")

    for kind in ("METHOD", "DATASET", "METRIC", "TASK"):
        ranked = sorted((c for c in concepts.values() if c["type"] == kind), key=lambda c: (-c["paper_count"], -c.get("mention_count", 0), c["label"].casefold()))[:top]
        lines += [f"## Top {top} {kind}", "", "| # | label | papers | id | most used forms (papers) |", "|---|---|---|---|---|"]
        for i, c in enumerate(ranked, 1):
            forms = sorted(form_papers.get(c["id"], {}).items(), key=lambda kv: (-len(kv[1]), kv[0]))[:3]
            shown = ", ".join(f"{f} ({len(p)})" for f, p in forms)
            lines.append(f"| {i} | {c['label']} | {c['paper_count']} | {c['id']} | {shown} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="a kg build's output folder (graph.json, mentions.jsonl)")
    parser.add_argument("--min-papers", type=int, default=10)
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--examples", type=int, default=40, help="rows listed per problem table")
    args = parser.parse_args(argv)
    missing = [name for name in ("graph.json", "mentions.jsonl") if not (args.output / name).is_file()]
    if missing:
        print(f"{args.output}: missing {', '.join(missing)} (not a kg build output?)", file=sys.stderr)
        return 2
    concepts = load_concepts(args.output / "graph.json")
    form_papers = load_form_papers(args.output / "mentions.jsonl")
    unused = {cid: fold(c["label"]) for cid, c in concepts.items()
              if c.get("paper_count", 0) >= args.min_papers and len(form_papers.get(cid, {}).get(fold(c["label"]), ())) < 2}
    written = papers_writing(args.output / "mentions.jsonl", unused)
    print(check(concepts, form_papers, args.min_papers, args.top, args.examples, written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
