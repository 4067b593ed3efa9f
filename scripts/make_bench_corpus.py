"""Write a benchmark corpus of N papers (JSON Lines) from real abstracts only.

The base documents are every real text kg has at hand, each used once:

* the 468 papers of the seed "Daily Papers" dumps (title + abstract, read with kg.ingest);
* the abstracts of SciERC and the paragraphs of ScienceIE (train + dev; the first sentence
  becomes the title);
* the sentence corpora (SciER, SciNLP, SciREX, TDMSci; train + dev) with consecutive
  sentences of one source paper joined into abstract-sized passages of at most 1,500
  characters (the first sentence becomes the title).

They are shuffled with a fixed seed, so every prefix of the corpus has the same mix, and
repeated to reach N. Record n is base document ``n % B`` in its ``n // B``-th copy; copies
after the first get " (copy k)" appended to the title, so that every record has its own id
(kg's ids come from the title hash) and its own text: the content-addressed extraction cache
cannot short-cut a copy, and the concept distribution is that of the real texts.

Usage::

    python scripts/make_bench_corpus.py 100000 -o bench/corpus-100k.jsonl
    python scripts/make_bench_corpus.py 1000 --start 100000 -o bench/new-1k.jsonl   # 1,000 unseen papers
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PASSAGE_CHARS = 1500
ABSTRACT_FILES = ("scierc", "scienceie")
SENTENCE_FILES = ("scier", "scinlp", "scirex", "tdmsci")


def _records(name: str, data: Path) -> Iterator[dict]:
    for split in ("train", "dev"):
        path = data / split / f"{name}.jsonl"
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        yield json.loads(line)


def _title_and_abstract(text: str) -> tuple[str, str]:
    """First sentence as title, the rest as abstract (cut at the first '. ' after 20 characters)."""
    text = " ".join(text.split())
    cut = text.find(". ", 20)
    if cut < 0 or cut > 300:
        return text[:120].rsplit(" ", 1)[0], text
    return text[: cut + 1], text[cut + 2 :]


def _passages(records: Iterator[dict]) -> Iterator[tuple[str, str]]:
    """Consecutive sentences of one source document joined into passages of at most PASSAGE_CHARS."""
    doc, buf, size = None, [], 0
    for rec in records:
        this = rec["id"].split("#", 1)[0] if "#" in rec["id"] else None  # None: no source document known
        text = " ".join(rec["text"].split())
        if buf and (this != doc or size + len(text) > PASSAGE_CHARS or (this is None and len(buf) >= 8)):
            yield buf[0], " ".join(buf[1:])
            buf, size = [], 0
        doc = this
        buf.append(text)
        size += len(text) + 1
    if buf:
        yield buf[0], " ".join(buf[1:])


def base_documents(seeds: Path, data: Path) -> list[tuple[str, str, str]]:
    """``(source, title, abstract)`` for every base document, in a fixed shuffled order."""
    from kg.ingest import IngestReport, iter_papers

    docs = [("seeds", p.title, p.abstract) for p in iter_papers([seeds], report=IngestReport())]
    for name in ABSTRACT_FILES:
        docs += [(name, *_title_and_abstract(r["text"])) for r in _records(name, data)]
    for name in SENTENCE_FILES:
        docs += [(name, t, a) for t, a in _passages(_records(name, data)) if a]
    random.Random(20240101).shuffle(docs)
    return docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", type=int, help="number of papers to write")
    parser.add_argument("--start", type=int, default=0, help="index of the first record (to write papers unseen in a corpus of START papers)")
    parser.add_argument("-o", "--out", required=True, help="output JSON Lines file")
    parser.add_argument("--seeds", default=str(SHARED / "seeds"))
    parser.add_argument("--data", default=str(SHARED / "data"))
    args = parser.parse_args(argv)

    from kg.output import atomic_open

    docs = base_documents(Path(args.seeds), Path(args.data))
    if not docs:
        parser.error(f"no base documents in {args.seeds} or {args.data} (see --seeds and --data)")
    words = 0
    with atomic_open(args.out) as fh:
        for n in range(args.start, args.start + args.size):
            source, title, abstract = docs[n % len(docs)]
            copy = n // len(docs)
            if copy:
                title = f"{title} (copy {copy})"
            words += len(title.split()) + len(abstract.split())
            fh.write(json.dumps({"id": f"bench-{n}", "title": title, "abstract": abstract, "source": source}, ensure_ascii=False) + "\n")
    print(f"wrote {args.size} papers ({words / max(args.size, 1):.0f} words each on average; {len(docs)} base documents) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
