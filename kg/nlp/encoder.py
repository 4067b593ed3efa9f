"""The accurate extractor's NER: a fine-tuned MiniLM encoder run with onnxruntime (``kg_encoder_ner``).

The encoder (``sentence-transformers/all-MiniLM-L6-v2``, fine-tuned by
``scripts/train_encoder.py``, exported to int8 ONNX by ``scripts/export_encoder.py``) tags
word pieces with BIO tags for kg's four labels (:mod:`kg.nlp.encoder_tags`). This component
owns its files, saved and loaded with the pipeline (``to_disk``/``from_disk``):
``model.onnx``, ``tokenizer.json`` (Hugging Face ``tokenizers``) and ``cfg.json``.

A Doc's text is tokenised into word pieces whose character offsets point into ``doc.text``;
long texts are cut into overlapping windows of ``max_pieces`` pieces on word boundaries, and
each piece keeps the prediction of the window in which it sits farthest from an edge. Spans
are widened to whole words, then aligned to spaCy tokens (``alignment_mode="expand"``) and set
as ``doc.ents``; the span rules that follow in the pipeline see them exactly as they see the
fast extractor's. Each entity's confidence (mean probability of its pieces' tags) is its
``Span._.score`` (kept on the mention as ``Mention.score`` when the span rules leave the span
as it is).

Run time needs onnxruntime, tokenizers and numpy only (no torch). (No ``from __future__ import
annotations`` here: spaCy validates the factory's arguments from their real annotations.)
"""

import json
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans, minibatch

from kg.nlp.encoder_tags import TAGS, decode_tags, viterbi_tags, windows
from kg.nlp.extensions import register_extensions

register_extensions()

FILES = ("model.onnx", "tokenizer.json", "cfg.json")


def _threads() -> int:
    """onnxruntime threads: ``KG_ENCODER_THREADS`` if set; else 1 in a worker process (kg runs one
    worker per core) and every core in the main process (small inputs are extracted in-process:
    kg.extract.run's ``MIN_PAPERS_PER_WORKER``; measured 15 vs 11 abstracts/s on 2 cores)."""
    import multiprocessing

    try:
        return max(1, int(os.environ["KG_ENCODER_THREADS"]))
    except (KeyError, ValueError):
        return 1 if multiprocessing.parent_process() is not None else max(1, len(os.sched_getaffinity(0)))


class EncoderNer:
    """spaCy component: sets ``doc.ents`` from the ONNX encoder's piece tags."""

    def __init__(self, nlp: Language, name: str, max_pieces: int = 128, overlap: int = 32, batch_windows: int = 32):
        self.nlp = nlp
        self.name = name
        self.cfg = {"max_pieces": max_pieces, "overlap": overlap, "batch_windows": batch_windows, "tags": list(TAGS), "o_bias": 0.0, "decode": "viterbi"}
        self._session = None
        self._tokenizer = None
        self._dir: Path | None = None

    # -- files -------------------------------------------------------------------------------
    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "EncoderNer":
        path = Path(path)
        missing = [f for f in FILES if not (path / f).is_file()]
        if missing:
            raise FileNotFoundError(f"{path}: the encoder component needs {', '.join(missing)}")
        cfg = json.loads((path / "cfg.json").read_text(encoding="utf-8"))
        if list(cfg.get("tags", [])) != list(TAGS):
            raise ValueError(f"{path}/cfg.json: tags {cfg.get('tags')} are not kg's {list(TAGS)}")
        self.cfg.update(cfg)
        self._dir = path
        self._session = None
        self._tokenizer = None
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        import shutil

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self._dir is None:
            raise ValueError("the encoder component has no model files to save (load it with from_disk first)")
        for f in ("model.onnx", "tokenizer.json"):
            if (self._dir / f).resolve() != (path / f).resolve():
                shutil.copyfile(self._dir / f, path / f)
        (path / "cfg.json").write_text(json.dumps(self.cfg, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    def _load(self) -> None:
        if self._session is not None:
            return
        if self._dir is None:
            raise ValueError("the encoder component was not loaded from disk")
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = _threads()
        opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(self._dir / "model.onnx"), opts, providers=["CPUExecutionProvider"])
        tok = Tokenizer.from_file(str(self._dir / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        self._tokenizer = tok

    # -- running -----------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            yield from self._predict(list(batch))

    def _predict(self, docs: list[Doc]) -> list[Doc]:
        for doc, (enc, probs) in zip(docs, self.probabilities([d.text for d in docs])):
            self._set_ents(doc, enc, probs)
        return docs

    def probabilities(self, texts: list[str]) -> list[tuple]:
        """Per text: its word-piece encoding and a ``(pieces, tags)`` array of tag probabilities."""
        self._load()
        size = int(self.cfg["max_pieces"]) - 2
        encs = self._tokenizer.encode_batch(texts, add_special_tokens=False)
        jobs = []  # (doc index, lo, hi)
        for k, enc in enumerate(encs):
            jobs.extend((k, lo, hi) for lo, hi in windows(enc.word_ids, size, int(self.cfg["overlap"])))
        probs = [np.zeros((len(e.ids), len(TAGS)), dtype=np.float32) for e in encs]
        best = [np.full(len(e.ids), -1.0) for e in encs]  # distance to the nearest window edge
        order = sorted(range(len(jobs)), key=lambda j: jobs[j][2] - jobs[j][1])
        for chunk in minibatch(order, size=int(self.cfg["batch_windows"])):
            rows = [jobs[j] for j in chunk]
            out = self._run([encs[k].ids[lo:hi] for k, lo, hi in rows])
            for (k, lo, hi), p in zip(rows, out):
                n = hi - lo
                p = p[1 : n + 1]
                pos = np.arange(n)
                dist = np.minimum(pos, n - 1 - pos).astype(float)
                # the first and last window have a real edge of the text, not a cut
                if lo == 0:
                    dist = np.maximum(dist, n - 1 - pos)
                if hi == len(encs[k].ids):
                    dist = np.maximum(dist, pos)
                take = dist > best[k][lo:hi]
                best[k][lo:hi][take] = dist[take]
                probs[k][lo:hi][take] = p[take]
        return list(zip(encs, probs))

    def tags(self, probs: np.ndarray) -> np.ndarray:
        """The tag of each piece: the most probable valid BIO sequence (``decode: "viterbi"``) or
        the most probable tag per piece (``"argmax"``), with O's probability scaled by
        ``exp(o_bias)`` (``o_bias`` > 0 trades recall for precision). Both are chosen on the dev
        sets by ``scripts/tune_encoder.py``."""
        bias = float(self.cfg.get("o_bias", 0.0))
        if self.cfg.get("decode", "viterbi") == "viterbi":
            return np.asarray(viterbi_tags(np.log(np.clip(probs, 1e-9, 1.0)), bias), dtype=np.int64)
        scores = probs.copy()
        scores[:, 0] *= math.exp(bias)
        return scores.argmax(-1)

    def _run(self, pieces: list[list[int]]) -> np.ndarray:
        tok = self._tokenizer
        cls_id, sep_id, pad_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]"), tok.token_to_id("[PAD]")
        n = max(len(p) for p in pieces) + 2
        ids = np.full((len(pieces), n), pad_id, dtype=np.int64)
        att = np.zeros((len(pieces), n), dtype=np.int64)
        for i, p in enumerate(pieces):
            ids[i, 0] = cls_id
            ids[i, 1 : len(p) + 1] = p
            ids[i, len(p) + 1] = sep_id
            att[i, : len(p) + 2] = 1
        feeds = {"input_ids": ids, "attention_mask": att}
        names = {i.name for i in self._session.get_inputs()}
        if "token_type_ids" in names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        logits = self._session.run(["logits"], feeds)[0]
        logits = logits - logits.max(-1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(-1, keepdims=True)

    def _set_ents(self, doc: Doc, enc, probs: np.ndarray) -> None:
        if not len(enc.ids):
            doc.ents = []
            return
        tags = self.tags(probs)
        spans = decode_tags(tags.tolist(), enc.offsets, enc.word_ids)
        ents = []
        for start, end, label in spans:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is None or not span.text.strip():
                continue
            inside = [i for i, (s, e) in enumerate(enc.offsets) if s >= start and e <= end]
            span._.score = round(float(probs[inside, tags[inside]].mean()) if inside else 0.0, 4)
            ents.append(span)
        doc.ents = filter_spans(ents)


@Language.factory(
    "kg_encoder_ner",
    default_config={"max_pieces": 128, "overlap": 32, "batch_windows": 32},
)
def make_encoder_ner(nlp: Language, name: str, max_pieces: int, overlap: int, batch_windows: int) -> EncoderNer:
    """The accurate extractor's NER component (files loaded from the pipeline directory)."""
    return EncoderNer(nlp, name, max_pieces=max_pieces, overlap=overlap, batch_windows=batch_windows)
