#!/usr/bin/env python
"""Train kg's extraction pipeline from ../shared/data/train and install it in kg/nlp/model.

Before the stages, two caches under ``<work>`` are filled once: static vectors from the train
files' raw text (``scripts/ner_vectors.py``) and ``spacy pretrain`` of the tok2vec on the same
text (``--pretrain-epochs``, 8 by default: about 45 minutes on one core, then reused).

Stages (all by default, in order):

* ``prepare``: convert the annotated corpora to spaCy DocBins under ``<work>/<name>/corpus``
  (label mapping, SciERC's annotation-tool spaces collapsed, nesting flattened to the longest
  span, corpus weights by repetition) and carve TDMSci's dev split (see ``tdmsci_is_dev``);
* ``train``: ``spacy train`` with ``kg/nlp/config.cfg`` (seeded; single-threaded by default so
  that a rerun reproduces the model);
* ``install``: save the best checkpoint (chosen by ``kg_f``, the macro-average over the dev
  corpora of strict micro-F1) as the packaged pipeline ``kg/nlp/model``.

Only ``train/`` files are learned from; ``dev/`` files (and TDMSci's carved dev split) are
used to pick the checkpoint and to report figures.

Example::

    .venv/bin/python scripts/train_ner.py                      # the committed recipe
    .venv/bin/python scripts/train_ner.py --name exp1 --steps 2000 --no-install --weights scierc=4,scier=1
"""

from __future__ import annotations

import os

# deterministic and polite on a shared machine: one BLAS thread unless told otherwise
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, os.environ.get("KG_TRAIN_THREADS", "1"))

import argparse
import json
import random
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import spacy  # noqa: E402
from spacy.tokens import DocBin  # noqa: E402

from kg.models import LABELS  # noqa: E402
from kg.nlp import DEFAULT_MODEL, RULES_VERSION, register_components  # noqa: E402
from kg.nlp.corpus import UNKNOWN_LABEL, GoldEntity, GoldRecord, collapse_spaces, read_records, record_to_doc  # noqa: E402
from kg.nlp.labels import CORPUS_KEY, CORPUS_LABELS_KEY, GUIDELINE_LABELS  # noqa: E402

CONFIG = ROOT / "kg" / "nlp" / "config.cfg"
TRAINED_COMPONENTS = ("tok2vec", "ner")

#: Corpora (file stem in train/ and dev/) and the kg labels each annotates.
CORPUS_LABELS: dict[str, tuple[str, ...]] = {
    "scierc": ("METHOD", "METRIC", "TASK"),
    "scier": ("METHOD", "DATASET", "TASK"),
    "scinlp": LABELS,
    "tdmsci": ("DATASET", "METRIC", "TASK"),
    "scirex": LABELS,
    "scienceie": ("TASK",),
    # kg's own guideline train set (data/guideline/, scripts/guideline_data.py)
    "guideline": LABELS,
    # the accurate extractor's mentions on unlabeled arXiv abstracts (scripts/silver_labels.py,
    # --silver-file): distillation
    "silver": LABELS,
}

#: kg's guideline set (train split learned from, dev split scored with --guideline-dev).
GUIDELINE_DIR = ROOT / "data" / "guideline"

#: ``ORIG:*`` labels kept as auxiliary NER labels (dropped by ``kg_output_labels``).
AUX_LABELS: dict[str, str] = {
    "ORIG:Generic": "X_GENERIC",
    "ORIG:OtherScientificTerm": "X_OTHER",
    "ORIG:Material": "X_MATERIAL",
    "ORIG:tool": "X_TOOL",
}

DEV_CORPORA = ("scierc", "scier", "scinlp", "tdmsci")

#: Broad families that GUIDELINE.md names as METHOD ("as in SciERC: neural networks, deep
#: learning, machine learning, DNNs") but some train corpora tag TASK (SciREX: "machine
#: learning" 30 times TASK, 17 METHOD): with --guideline-labels their TASK spans are learned
#: as METHOD (kg_output_labels relabels them at run time anyway).
GUIDELINE_METHODS = frozenset(name for name, label in GUIDELINE_LABELS.items() if label == "METHOD")

#: Fraction of TDMSci's train file held out as its dev split (no dev split is released).
TDMSCI_DEV_PERCENT = 15


def tdmsci_is_dev(record_id: str) -> bool:
    """Whether a TDMSci train record belongs to kg's carved dev split.

    The split is a pure function of the record id: the first 8 hex digits of its SHA-1, modulo
    100, below :data:`TDMSCI_DEV_PERCENT`. It never changes between runs or machines.
    """
    import hashlib

    return int(hashlib.sha1(record_id.encode()).hexdigest()[:8], 16) % 100 < TDMSCI_DEV_PERCENT


def parse_weights(text: str) -> dict[str, float]:
    weights = {}
    for item in text.split(","):
        if item.strip():
            name, _, value = item.partition("=")
            if name not in CORPUS_LABELS:
                raise SystemExit(f"unknown corpus '{name}' in --weights (known: {', '.join(CORPUS_LABELS)})")
            weights[name] = float(value or 1)
    return weights


def guideline_labels(record: GoldRecord) -> GoldRecord:
    """``record`` with the TASK spans of :data:`GUIDELINE_METHODS` relabelled METHOD."""
    ents = [
        GoldEntity(e.start, e.end, "METHOD") if e.label == "TASK" and record.text[e.start : e.end].lower() in GUIDELINE_METHODS else e
        for e in record.entities
    ]
    return GoldRecord(record.id, record.text, ents, record.source, record.file, record.line)


def without_dropped_spans(record: GoldRecord, tokenizer) -> GoldRecord:
    """``record`` without the gold spans that ``kg_span_repair`` would drop from the NER's
    output (generic or vague words alone, unnamed data): learning them as entities only
    teaches the NER what the rules then throw away (SciREX: "learning rate" METRIC 517 times)."""
    from kg.nlp.spans import is_generic_for

    ents = []
    for e in record.entities:
        words = [t.text for t in tokenizer(record.text[e.start : e.end])]
        if e.label in LABELS and is_generic_for(words, e.label):
            continue
        ents.append(e)
    return GoldRecord(record.id, record.text, ents, record.source, record.file, record.line)


def corpus_file(data: Path, corpus: str, silver_file: Path | None = None) -> Path:
    """The train file of ``corpus``: ``data/train/<corpus>.jsonl``, kg's guideline train split,
    or the silver-label file."""
    if corpus == "guideline":
        return GUIDELINE_DIR / "guideline_train.jsonl"
    if corpus == "silver":
        if silver_file is None:
            raise SystemExit("--weights names 'silver' but no --silver-file was given")
        return silver_file
    return data / "train" / f"{corpus}.jsonl"


def silver_records(path: Path, min_score: float) -> list[GoldRecord]:
    """The silver-label file's records; mentions the teacher scored below ``min_score`` become
    unknown (missing) tokens, so they are neither learned as entities nor as outside."""
    out = []
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    for row in rows:
        ents = [GoldEntity(e["start"], e["end"], e["label"] if e.get("score", 1.0) >= min_score else UNKNOWN_LABEL) for e in row["entities"]]
        out.append(GoldRecord(row["id"], row["text"], ents, "silver", str(path), 0))
    return out


def load_train_records(data: Path, corpus: str, limit: int | None, seed: int, relabel: bool = False, clean: bool = False,
                       silver_file: Path | None = None, silver_min_score: float = 0.0) -> list[GoldRecord]:
    """The train records of one corpus, as they will be learned from (``relabel``: with
    :func:`guideline_labels` applied)."""
    if corpus == "silver":
        records = silver_records(corpus_file(data, corpus, silver_file), silver_min_score)
        return records[:limit] if limit is not None else records
    records = list(read_records(corpus_file(data, corpus, silver_file)))
    if corpus == "tdmsci":
        records = [r for r in records if not tdmsci_is_dev(r.id)]
    if corpus == "scierc":
        records = [collapse_spaces(r) for r in records]
    if relabel:
        records = [guideline_labels(r) for r in records]
    if clean:
        tokenizer = spacy.blank("en").tokenizer
        records = [without_dropped_spans(r, tokenizer) for r in records]
    if limit is not None and len(records) > limit:
        # SciREX: a seeded sample of sentences, those with entities first (its empty lines are
        # mostly section headers and table debris)
        rng = random.Random(seed)
        with_ents = [r for r in records if r.entities]
        rng.shuffle(with_ents)
        records = with_ents[:limit]
    return records


def add_space_noise(record: GoldRecord, rng: random.Random, rate: float) -> GoldRecord:
    """Double some spaces at random, moving the offsets, so that extra spaces carry no signal."""
    if rate <= 0:
        return record
    doubled = {m.start() for m in re.finditer(" ", record.text) if rng.random() < rate}
    if not doubled:
        return record
    shift, n = [], 0
    for i in range(len(record.text) + 1):
        shift.append(n)  # characters inserted before offset i
        n += i in doubled
    text = "".join(ch + (" " if i in doubled else "") for i, ch in enumerate(record.text))
    ents = [GoldEntity(e.start + shift[e.start], e.end + shift[e.end], e.label) for e in record.entities]
    return GoldRecord(record.id, text, ents, record.source, record.file, record.line)


def mask_missing_labels(records: list[GoldRecord], corpus: str, teacher) -> tuple[list[GoldRecord], int]:
    """Mark as unknown the text where a teacher finds a label ``corpus`` does not annotate.

    TDMSci annotates no METHOD, SciERC no DATASET, SciER no METRIC: trained as they are, they
    teach the NER that every method (dataset, metric) in them is outside any entity. Unlike
    silver labels (:func:`fill_missing_labels`), the teacher's spans are not learned as
    entities: their tokens become *missing* (:data:`UNKNOWN_LABEL`), so training neither
    rewards nor punishes a prediction there. Spans overlapping a gold span are left alone,
    except that a predicted DATASET exactly on a gold ``ORIG:Material`` span (SciERC) makes it
    unknown too.
    """
    return fill_missing_labels(records, corpus, teacher, as_unknown=True)


def fill_missing_labels(records: list[GoldRecord], corpus: str, teacher, as_unknown: bool = False) -> tuple[list[GoldRecord], int]:
    """Add a teacher's predictions of the labels ``corpus`` does not annotate (silver labels;
    with ``as_unknown``, labelled :data:`UNKNOWN_LABEL` instead, see :func:`mask_missing_labels`).

    A corpus that does not annotate, say, METHOD (TDMSci) otherwise teaches the NER that every
    method is outside any entity. Predictions overlapping a gold span are not added, except that
    a predicted DATASET exactly on a gold ``ORIG:Material`` span (SciERC) takes its place.
    Returns the records and the number of spans added.
    """
    missing = [lab for lab in LABELS if lab not in CORPUS_LABELS[corpus]]
    if not missing:
        return records, 0
    out, added = [], 0
    docs = teacher.pipe((r.text for r in records), batch_size=64)
    for record, doc in zip(records, docs):
        ents = list(record.entities)
        for e in doc.ents:
            if e.label_ not in missing:
                continue
            same = [g for g in ents if (g.start, g.end) == (e.start_char, e.end_char)]
            if same and all(g.label == "ORIG:Material" for g in same) and e.label_ == "DATASET":
                ents = [g for g in ents if g not in same]
            elif any(g.start < e.end_char and e.start_char < g.end for g in ents):
                continue
            ents.append(GoldEntity(e.start_char, e.end_char, UNKNOWN_LABEL if as_unknown else e.label_))
            added += 1
        out.append(GoldRecord(record.id, record.text, ents, record.source, record.file, record.line))
    return out, added


def prepare(args, corpus_dir: Path) -> dict:
    """Write train.spacy and dev.spacy (and TDMSci's carved dev JSONL) for one recipe."""
    nlp = spacy.blank("en")
    weights = parse_weights(args.weights)
    aux = AUX_LABELS if args.aux else {}
    rng = random.Random(args.seed)
    train = DocBin(store_user_data=True)
    stats = {}
    teacher = None
    if args.silver or args.mask:
        from kg.nlp import load_pipeline

        teacher = load_pipeline(args.silver or args.mask)
    for corpus, weight in weights.items():
        if weight <= 0:
            continue
        limit = {"scirex": args.scirex_limit, "silver": args.silver_limit}.get(corpus)
        records = load_train_records(args.data, corpus, limit, args.seed, args.guideline_labels, args.guideline_clean,
                                     args.silver_file, args.silver_min_score)
        silver = masked = 0
        if teacher is not None and args.silver:
            records, silver = fill_missing_labels(records, corpus, teacher)
        elif teacher is not None:
            records, masked = mask_missing_labels(records, corpus, teacher)
        whole, frac = int(weight), weight - int(weight)
        n_docs = n_missing = 0
        for record in records:
            copies = whole + (1 if rng.random() < frac else 0)
            for _ in range(copies):
                noisy = add_space_noise(record, rng, args.space_noise)
                doc, missing = record_to_doc(nlp, noisy, aux)
                doc.user_data[CORPUS_KEY] = corpus
                train.add(doc)
                n_docs += 1
                n_missing += missing
        stats[corpus] = {"records": len(records), "docs": n_docs, "missing_spans": n_missing, "silver_entities": silver, "masked_by_teacher": masked}
    dev = DocBin(store_user_data=True)
    for corpus in DEV_CORPORA + (("guideline",) if args.guideline_dev else ()):
        if corpus == "guideline":
            records = list(read_records(GUIDELINE_DIR / "guideline_dev.jsonl"))
        elif corpus == "tdmsci":
            records = [r for r in read_records(args.data / "train" / "tdmsci.jsonl") if tdmsci_is_dev(r.id)]
            write_jsonl(records, corpus_dir / "tdmsci_dev.jsonl")
        else:
            records = list(read_records(args.data / "dev" / f"{corpus}.jsonl"))
        for record in records:
            doc, _ = record_to_doc(nlp, record, {})
            doc.user_data[CORPUS_KEY] = corpus
            doc.user_data[CORPUS_LABELS_KEY] = list(CORPUS_LABELS[corpus])
            dev.add(doc)
        stats[f"dev:{corpus}"] = len(records)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    train.to_disk(corpus_dir / "train.spacy")
    dev.to_disk(corpus_dir / "dev.spacy")
    (corpus_dir / "stats.json").write_text(json.dumps(stats, indent=2))
    return stats


def write_jsonl(records: list[GoldRecord], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            ents = [{"start": e.start, "end": e.end, "label": e.label} for e in r.entities]
            fh.write(json.dumps({"id": r.id, "text": r.text, "entities": ents, "source": r.source}, ensure_ascii=False) + "\n")


#: Steps of learn-rate warm-up with --decay.
DECAY_WARMUP = 250


def overrides(args, corpus_dir: Path) -> dict:
    o = {
        "paths.train": str(corpus_dir / "train.spacy"),
        "paths.dev": str(corpus_dir / "dev.spacy"),
        "system.seed": args.seed,
        "nlp.disabled": [],  # the shipped config runs tok2vec + ner inside kg_ner_without_spaces
        "training.max_steps": args.steps,
        "training.eval_frequency": args.eval_every,
        "training.dropout": args.dropout,
        "components.tok2vec.model.encode.width": args.width,
        "components.tok2vec.model.encode.depth": args.depth,
        "components.tok2vec.model.encode.window_size": args.window,
        "components.tok2vec.model.embed.rows": args.rows,
        "components.ner.model.hidden_width": args.hidden,
        "training.optimizer.learn_rate": args.learn_rate,
    }
    if args.decay:
        # warm up, then decay linearly to 0 at the last step
        o["training.optimizer.learn_rate"] = {
            "@schedules": "warmup_linear.v1",
            "warmup_steps": DECAY_WARMUP,
            "total_steps": args.steps,
            "initial_rate": args.learn_rate,
        }
    if args.vectors:
        o["paths.vectors"] = str(args.vectors)
        o["components.tok2vec.model.embed.include_static_vectors"] = True
    if args.init_tok2vec:
        o["paths.init_tok2vec"] = str(args.init_tok2vec)
    return o


def write_raw_text(data: Path, path: Path) -> int:
    """The text of every train record (TDMSci's dev split excluded), whitespace runs collapsed
    as kg's NER sees them, one ``{"text": ...}`` line each; returns the number of words."""
    n_words = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for source in sorted((data / "train").glob("*.jsonl")):
            for r in read_records(source):
                if source.stem == "tdmsci" and tdmsci_is_dev(r.id):
                    continue
                text = " ".join(r.text.split())
                n_words += len(text.split())
                fh.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    return n_words


def pretrain(args) -> Path:
    """``spacy pretrain`` of the tok2vec on the train files' raw text; returns the weights of
    the last epoch. They are kept under ``<work>/pretrain-<tok2vec settings, vectors, seed>``
    and reused by later runs, like the static vectors: delete that folder after changing the
    train files."""
    from spacy.training.pretrain import pretrain as spacy_pretrain
    from spacy.util import load_config

    tag = f"{args.width}x{args.depth}w{args.window}-{Path(args.vectors).name if args.vectors else 'novec'}-s{args.seed}"
    out = args.work / f"pretrain-{tag}"
    weights = out / f"model{args.pretrain_epochs - 1}.bin"
    if weights.exists():
        return weights
    raw = out / "raw.jsonl"
    print(f"pretraining on {write_raw_text(args.data, raw):,} words", flush=True)
    o = overrides(args, args.work)
    o.pop("paths.init_tok2vec", None)
    o.update({"paths.raw_text": str(raw), "pretraining.max_epochs": args.pretrain_epochs})
    config = load_config(CONFIG, overrides=o, interpolate=False).interpolate()
    spacy_pretrain(config, out, silent=False, skip_last=True)
    return weights


def tok2vec_weights(model: Path, out: Path) -> Path:
    """The tok2vec weights of a trained pipeline, in ``spacy pretrain``'s format (what
    ``[initialize] init_tok2vec`` loads): distillation starts from the shipped CNN's
    representation (itself pretrained and trained on gold) instead of pretraining again, which
    costs about 45 CPU minutes. The pipeline's static vectors must be the ones this recipe
    builds (``scripts/ner_vectors.py`` is deterministic, so the shipped model's are)."""
    nlp = spacy.load(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(nlp.get_pipe("tok2vec").model.to_bytes())
    return out


def train(args, run_dir: Path, corpus_dir: Path) -> Path:
    from spacy.cli.train import train as spacy_train

    out = run_dir / "model"
    spacy_train(CONFIG, out, overrides=overrides(args, corpus_dir), use_gpu=-1)
    return out / "model-best"


GAZETTEER_CORPORA = ("scierc", "scier", "scinlp", "tdmsci")


def build_gazetteer(data: Path, min_count: int, min_precision: float, relabel: bool = False) -> list[dict]:
    """The ``kg_gazetteer`` phrases learned from the train files (TDMSci's dev split excluded)."""
    from kg.nlp.gazetteer import learn_phrases

    nlp = spacy.blank("en")
    annotated = []
    for corpus in GAZETTEER_CORPORA:
        for record in load_train_records(data, corpus, None, 0, relabel):
            doc = nlp.make_doc(record.text)
            spans = []
            for e in record.entities:
                span = doc.char_span(e.start, e.end) if e.label in LABELS else None
                if span is not None:
                    spans.append((span.start, span.end, e.label))
            annotated.append(([t.lower_ for t in doc], spans, CORPUS_LABELS[corpus]))
    return learn_phrases(annotated, min_count=min_count, min_precision=min_precision)


def assemble(best: Path, config_overrides: dict | None = None, phrases: list[dict] | None = None):
    """The full pipeline of ``kg/nlp/config.cfg`` with tok2vec and ner taken from ``best``
    and the gazetteer filled with ``phrases``."""
    from spacy.util import load_config, load_model_from_config

    config = load_config(CONFIG, overrides=config_overrides or {}, interpolate=False)
    for name in TRAINED_COMPONENTS:
        config["components"][name] = {"source": str(best)}
    for key in ("train", "dev", "vectors", "init_tok2vec"):
        config["paths"][key] = None
    nlp = load_model_from_config(config, auto_fill=True, validate=True)
    # sourcing copies components, not the static vectors their tok2vec reads: copy those too
    nlp.vocab.vectors = spacy.load(best).vocab.vectors
    if "kg_gazetteer" in nlp.pipe_names:
        nlp.get_pipe("kg_gazetteer").set_phrases(phrases or [])
    if "kg_relations" in nlp.pipe_names:  # the relation classifier travels with the pipeline
        from kg.nlp.relation_classifier import MODEL_PATH

        nlp.get_pipe("kg_relations").set_model(MODEL_PATH.read_bytes())
    return nlp


def install(best: Path, target: Path, recipe: dict, phrases: list[dict]) -> None:
    """Save the assembled pipeline as the packaged one, replacing ``target`` as a whole."""
    nlp = assemble(best, phrases=phrases)
    nlp.meta["name"] = "kg_ner"
    nlp.meta["version"] = RULES_VERSION
    nlp.meta["description"] = "kg's extraction pipeline (METHOD, DATASET, METRIC, TASK); built by scripts/train_ner.py"
    nlp.meta["kg_recipe"] = recipe
    # spaCy records hash() of the sourced vectors, which differs between processes: drop it so
    # that retraining gives byte-identical files (and the same pipeline_version)
    nlp.meta.pop("_sourced_vectors_hashes", None)
    tmp = target.with_name(target.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    nlp.to_disk(tmp)
    if target.exists():
        shutil.rmtree(target)
    tmp.rename(target)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The recipe: every option of this script (their values are saved in the model's meta)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=ROOT / "training")
    ap.add_argument("--name", default="final", help="run folder under --work")
    ap.add_argument("--stages", default="prepare,train,install")
    ap.add_argument("--no-install", action="store_true", help="train only (experiments)")
    ap.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--weights", default="scierc=4,scier=1,scinlp=1,tdmsci=1,scirex=1")
    ap.add_argument("--scirex-limit", type=int, default=5000, help="SciREX sentences (with entities) sampled for training")
    ap.add_argument("--aux", action=argparse.BooleanOptionalAction, default=True, help="keep ORIG:* labels as auxiliary NER labels")
    ap.add_argument("--space-noise", type=float, default=0.1, help="share of spaces doubled at random in training text")
    ap.add_argument("--steps", type=int, default=14000)
    ap.add_argument("--eval-every", type=int, default=1000)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--learn-rate", type=float, default=0.001)
    ap.add_argument("--decay", action=argparse.BooleanOptionalAction, default=False, help=f"warm up the learn rate for {DECAY_WARMUP} steps, then decay it linearly to 0 at --steps (default: constant)")
    ap.add_argument("--width", type=int, default=96)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--window", type=int, default=1)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--rows", type=json.loads, default=[5000, 1000, 2500, 2500])
    ap.add_argument("--vectors", type=Path, default=None, help="static vectors (a spaCy directory); default: build them")
    ap.add_argument("--vector-rows", type=int, default=20000)
    ap.add_argument("--vector-dim", type=int, default=96, help="0: no static vectors")
    ap.add_argument("--init-tok2vec", type=Path, default=None)
    ap.add_argument("--init-from-model", type=Path, default=None, help="start the tok2vec from this trained pipeline's tok2vec (e.g. kg/nlp/model), instead of spacy pretrain")
    ap.add_argument("--pretrain-epochs", type=int, default=8, help="spacy pretrain the tok2vec for this many epochs first (0: no; cached)")
    ap.add_argument("--gazetteer-min-count", type=int, default=2)
    ap.add_argument("--gazetteer-precision", type=float, default=0.5)
    ap.add_argument("--silver-file", type=Path, default=None, help="silver labels (scripts/silver_labels.py) learned as the corpus 'silver' (give it a weight in --weights)")
    ap.add_argument("--silver-limit", type=int, default=None, help="use only the first N silver abstracts")
    ap.add_argument("--silver-min-score", type=float, default=0.0, help="silver mentions the teacher scored below this become unknown tokens")
    ap.add_argument("--guideline-dev", action=argparse.BooleanOptionalAction, default=False, help="score the guideline dev set too when picking the checkpoint (kg_f: macro-average over five dev sets)")
    ap.add_argument("--silver", type=Path, default=None, help="pipeline whose predictions fill in the labels a corpus does not annotate")
    ap.add_argument("--guideline-labels", action=argparse.BooleanOptionalAction, default=False, help="learn the TASK spans of GUIDELINE_METHODS as METHOD")
    ap.add_argument("--guideline-clean", action=argparse.BooleanOptionalAction, default=False, help="leave out gold spans that kg_span_repair drops (generic or vague words alone, unnamed data)")
    ap.add_argument("--mask", type=Path, default=None, help="pipeline whose predictions of the labels a corpus does not annotate become unknown (missing) tokens")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    register_components()
    random.seed(args.seed)
    run_dir = args.work / args.name
    corpus_dir = run_dir / "corpus"
    stages = args.stages.split(",")
    recipe = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k not in ("data", "work", "out", "stages")}
    t0 = time.time()
    if args.vectors is None and args.vector_dim > 0:
        # static vectors learned from the train files' raw text (scripts/ner_vectors.py)
        args.vectors = args.work / f"vectors-{args.vector_rows}x{args.vector_dim}"
        if not (args.vectors / "config.cfg").exists():
            from ner_vectors import main as build_vectors

            build_vectors(["--data", str(args.data), "--out", str(args.vectors), "--rows", str(args.vector_rows), "--dim", str(args.vector_dim)])
    if args.init_from_model is not None and args.init_tok2vec is None:
        args.init_tok2vec = tok2vec_weights(args.init_from_model, run_dir / "init-tok2vec.bin")
    if args.pretrain_epochs > 0 and args.init_tok2vec is None:
        args.init_tok2vec = pretrain(args)
    if "prepare" in stages:
        print(json.dumps(prepare(args, corpus_dir), indent=1), flush=True)
    best = run_dir / "model" / "model-best"
    if "train" in stages:
        best = train(args, run_dir, corpus_dir)
    gazetteer = run_dir / "gazetteer.json"
    if "prepare" in stages or not gazetteer.exists():
        phrases = build_gazetteer(args.data, args.gazetteer_min_count, args.gazetteer_precision, args.guideline_labels)
        gazetteer.parent.mkdir(parents=True, exist_ok=True)
        gazetteer.write_text(json.dumps(phrases, ensure_ascii=False, indent=0))
    phrases = json.loads(gazetteer.read_text())
    if "install" in stages and not args.no_install:
        install(best, args.out, recipe, phrases)
        print(f"installed {best} -> {args.out}")
    print(f"done in {time.time() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
