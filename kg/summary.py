"""``summary.md``, ``mentions.jsonl`` and ``timings.json``: what a build read, found, wrote and how long it took.

``summary.md`` and ``mentions.jsonl`` depend on the input only (two builds of the same input
write the same bytes); the stage timings, which differ from run to run, go to ``timings.json``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import networkx as nx

from kg.models import LABELS, Extraction, KnowledgeGraph
from kg.output import atomic_open, atomic_write_text


def write_mentions(kg: KnowledgeGraph, extractions: Iterable[Extraction], resolution, path: str | Path) -> Path:
    """Write every mention with paper id, character offsets, sentence, label and resolved concept.

    One JSON object per line, papers in id order, mentions in text order; ``concept`` is null for
    a mention that resolution dropped. Offsets are into the paper's ``title + "\\n" + abstract``.
    """
    path = Path(path)
    with atomic_open(path) as fh:
        for ext in sorted(extractions, key=lambda e: e.paper_id):
            text = kg.papers[ext.paper_id].text
            for i, m in enumerate(ext.mentions):
                s_start, s_end = ext.sentences[m.sentence]
                row = {
                    "paper": ext.paper_id,
                    "start": m.start,
                    "end": m.end,
                    "text": m.text,
                    "label": m.label,
                    "concept": resolution.concept_of(ext.paper_id, i),
                    "sentence": text[s_start:s_end],
                    "sentence_start": s_start,
                    "source": m.source,
                    "score": m.score,
                }
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def _counts(kg: KnowledgeGraph, G: nx.MultiDiGraph) -> dict[str, int]:
    links = Counter(l.role for l in kg.links)
    relations = Counter(r.type for r in kg.relations)
    return {"links": sum(links.values()), "relations": sum(relations.values()), **{f"link:{k}": v for k, v in links.items()}, **{f"relation:{k}": v for k, v in relations.items()}}


def top_concepts(kg: KnowledgeGraph, label: str, n: int = 10):
    """The ``n`` concepts of one type with most papers (ties by label)."""
    concepts = [c for c in kg.concepts.values() if c.type == label]
    return sorted(concepts, key=lambda c: (-c.paper_count, -c.mention_count, c.label.casefold()))[:n]


def summary_markdown(kg: KnowledgeGraph, G: nx.MultiDiGraph, top: int = 10) -> str:
    """The text of ``summary.md``."""
    s = kg.stats
    mentions_by_type = Counter()
    for c in kg.concepts.values():
        mentions_by_type[c.type] += c.mention_count
    concepts_by_type = Counter(c.type for c in kg.concepts.values())
    counts = _counts(kg, G)
    lines = [
        "# kg build summary",
        "",
        f"Extractor: {kg.extractor_version}",
        "",
        "## Input",
        "",
        "| records read | papers | duplicates merged | skipped (malformed) | warnings |",
        "|---:|---:|---:|---:|---:|",
        f"| {s.records_read} | {s.papers} | {s.duplicates} | {s.skipped} | {sum(1 for p in s.problems if p.severity != 'error')} |",
        "",
        "## Concepts",
        "",
        "| type | concepts | mentions |",
        "|---|---:|---:|",
    ]
    for label in LABELS:
        lines.append(f"| {label} | {concepts_by_type[label]} | {mentions_by_type[label]} |")
    lines.append(f"| all | {len(kg.concepts)} | {sum(mentions_by_type.values())} |")
    lines += ["", "## Edges", "", "| edge | count |", "|---|---:|"]
    lines.append(f"| paper -> concept links | {counts['links']} |")
    for key in sorted(k for k in counts if k.startswith("link:")):
        lines.append(f"| &nbsp;&nbsp;{key[5:]} | {counts[key]} |")
    lines.append(f"| concept -> concept relations | {counts['relations']} |")
    for key in sorted(k for k in counts if k.startswith("relation:")):
        lines.append(f"| &nbsp;&nbsp;{key[9:]} | {counts[key]} |")
    lines.append(f"| evidence records | {len(kg.evidence)} |")
    for label in LABELS:
        best = top_concepts(kg, label, top)
        if not best:
            continue
        lines += ["", f"## Top {label.lower()}s", "", "| concept | papers | mentions | aliases |", "|---|---:|---:|---|"]
        for c in best:
            aliases = ", ".join(form for form, _ in sorted(c.aliases.items(), key=lambda kv: (-kv[1], kv[0])) if form != c.label)[:80]
            lines.append(f"| {_md(c.label)} | {c.paper_count} | {c.mention_count} | {_md(aliases)} |")
    lines += type_and_confidence_lines(kg, top)
    if s.problems:
        lines += ["", f"## Input problems ({len(s.problems)})", ""]
        for p in s.problems[:50]:
            lines.append(f"- {_md(str(p))}")
        if len(s.problems) > 50:
            lines.append(f"- ... and {len(s.problems) - 50} more")
    return "\n".join(lines) + "\n"


def type_and_confidence_lines(kg: KnowledgeGraph, top: int = 10) -> list[str]:
    """The summary's section on ambiguous types and hidden low-confidence concepts."""
    from kg.resolve.confidence import MAP_MIN_CONFIDENCE, is_hidden
    from kg.resolve.types import TYPE_MARGIN

    s = kg.stats
    ambiguous = [c for c in kg.concepts.values() if c.ambiguous_type]
    lines = [
        "",
        "## Types and confidence",
        "",
        f"A concept's type is the label its papers vote for; {len(ambiguous)} concept(s) have an ambiguous type "
        f"(no label has {TYPE_MARGIN:.0%} of the votes, even with a lexicon vote): their type is the leading label, "
        "flagged `ambiguous_type` in graph.json, Neo4j and RDF (`kg:ambiguousType`).",
    ]
    if ambiguous:
        lines += ["", "| concept | type | papers | votes (papers per label) |", "|---|---|---:|---|"]
        for c in sorted(ambiguous, key=lambda c: (-c.paper_count, -c.mention_count, c.label.casefold(), c.id))[:top]:
            votes = " / ".join(f"{label} {n}" for label, n in c.type_votes.items())
            lines.append(f"| {_md(c.label)} | {c.type} | {c.paper_count} | {votes} |")
    lines.append("")
    if s.min_confidence:
        lines.append(f"Hidden by `--min-confidence {s.min_confidence:g}`: {s.hidden_concepts} concept(s) named by one paper "
                     f"with confidence below {s.min_confidence:g} ({s.hidden_mentions} mentions), absent from every output "
                     "(their mentions have `concept` null in mentions.jsonl).")
    else:
        lines.append("No concept is hidden from the graph outputs (`--min-confidence` not set).")
    map_threshold = s.min_confidence if s.min_confidence is not None else MAP_MIN_CONFIDENCE
    off_map = sum(1 for c in kg.concepts.values() if is_hidden(c.paper_count, c.confidence, map_threshold))
    lines.append(f"map.html leaves out {off_map} concept(s) named by one paper with confidence below {map_threshold:g}"
                 + (" (the map's default)." if s.min_confidence is None else "."))
    return lines


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_summary(kg: KnowledgeGraph, G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``summary.md`` atomically."""
    path = Path(path)
    atomic_write_text(path, summary_markdown(kg, G))
    return path


def write_timings(stats, path: str | Path) -> Path:
    """Write ``timings.json``: ``{"seconds": {stage: wall seconds}}`` in stage order (the one output
    that differs between two builds of the same input), and ``"oxigraph"``: how the Oxigraph
    store was written (in place, with the delta's sizes, or bulk-loaded), when it was."""
    path = Path(path)
    seconds = {stage: round(sec, 3) for stage, sec in stats.stage_seconds.items()}
    data: dict = {"seconds": seconds}
    if stats.oxigraph:
        data["oxigraph"] = stats.oxigraph
    atomic_write_text(path, json.dumps(data, indent=1) + "\n")
    return path


def summary_text(kg: KnowledgeGraph, G: nx.MultiDiGraph, files: Mapping[str, Path]) -> str:
    """The few lines ``kg build`` prints at the end: counts, top concepts and where to look."""
    s = kg.stats
    by_type = Counter(c.type for c in kg.concepts.values())
    lines = [
        f"Read {s.records_read} records: {s.papers} papers, {s.duplicates} duplicates merged, {s.skipped} skipped.",
        "Concepts: " + ", ".join(f"{by_type[l]} {l.lower()}s" for l in LABELS) + f"; {len(kg.links)} paper links, {len(kg.relations)} concept relations.",
    ]
    for label in LABELS:
        best = top_concepts(kg, label, 5)
        if best:
            lines.append(f"  top {label.lower()}s: " + ", ".join(f"{c.label} ({c.paper_count})" for c in best))
    lines.append("Outputs:")
    for name, path in files.items():
        lines.append(f"  {name:<15} {path}")
    lines.append("Open map.html in a browser; 'kg query --example list' shows ready SPARQL questions.")
    return "\n".join(lines)
