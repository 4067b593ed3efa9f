#!/usr/bin/env python
"""Export a fine-tuned encoder (``scripts/train_encoder.py``) as kg's accurate pipeline.

Steps: the chosen weights are exported to ONNX (fp32), quantized to int8 with onnxruntime
(dynamic quantization, per output channel; ``--precision fp16`` converts instead), and the
pipeline is assembled the spaCy way: the packaged fast pipeline is loaded, its CNN
(``tok2vec``, ``ner``, ``kg_ner_without_spaces``) is removed, ``kg_encoder_ner`` takes its
place before the span rules, the static vectors (used by the CNN only) are dropped, and
``nlp.to_disk`` writes the directory, the component writing its own files.

Example::

    .venv/bin/python scripts/export_encoder.py training/encoder/epoch-2.pt          # -> kg/nlp/model_accurate
    .venv/bin/python scripts/export_encoder.py W.pt --out /tmp/acc --precision fp32  # an experiment
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from kg.nlp import ACCURATE_MODEL, DEFAULT_MODEL, register_components  # noqa: E402
from kg.nlp.encoder_tags import TAGS  # noqa: E402

CNN_COMPONENTS = ("kg_ner_without_spaces", "ner", "tok2vec")


def export_onnx(weights: Path, out: Path) -> None:
    """fp32 ONNX of the token classifier: inputs ``input_ids``, ``attention_mask``; output ``logits``."""
    import torch
    from transformers import AutoModelForTokenClassification

    from train_encoder import base_model_dir

    model = AutoModelForTokenClassification.from_pretrained(str(base_model_dir()), num_labels=len(TAGS))
    model.load_state_dict(torch.load(weights, weights_only=True))
    model.eval()

    class Wrapped(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            return self.m(input_ids=input_ids, attention_mask=attention_mask).logits

    ids = torch.ones((2, 16), dtype=torch.long)
    torch.onnx.export(
        Wrapped(model), (ids, torch.ones_like(ids)), str(out), input_names=["input_ids", "attention_mask"],
        output_names=["logits"], dynamic_axes={"input_ids": {0: "batch", 1: "pieces"}, "attention_mask": {0: "batch", 1: "pieces"},
                                               "logits": {0: "batch", 1: "pieces"}},
        opset_version=17, dynamo=False)


def quantize(fp32: Path, out: Path, precision: str) -> None:
    if precision == "int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(fp32), str(out), per_channel=True, weight_type=QuantType.QInt8)
    elif precision == "fp16":
        import onnx
        from onnx import numpy_helper

        model = onnx.load(str(fp32))
        # weights stored as fp16 and cast back to fp32 at load: half the size, fp32 arithmetic
        for init in list(model.graph.initializer):
            arr = numpy_helper.to_array(init)
            if arr.dtype.name == "float32" and arr.size > 1024:
                half = numpy_helper.from_array(arr.astype("float16"), init.name + "_fp16")
                model.graph.initializer.remove(init)
                model.graph.initializer.append(half)
                model.graph.node.insert(0, onnx.helper.make_node("Cast", [half.name], [init.name], to=onnx.TensorProto.FLOAT))
        onnx.save(model, str(out))
    else:
        shutil.copyfile(fp32, out)


def assemble(model_files: Path, out: Path) -> None:
    """The accurate pipeline: the fast one with the CNN replaced by ``kg_encoder_ner``."""
    import spacy

    register_components()
    nlp = spacy.load(DEFAULT_MODEL)
    for name in CNN_COMPONENTS:
        if name in nlp.component_names:  # tok2vec and ner are disabled ones: not in pipe_names
            nlp.remove_pipe(name)
    before = "kg_gazetteer" if "kg_gazetteer" in nlp.pipe_names else nlp.pipe_names[2]
    comp = nlp.add_pipe("kg_encoder_ner", before=before)
    comp.from_disk(model_files)
    nlp.vocab.reset_vectors(width=0)
    nlp.meta["name"] = "kg_accurate"
    nlp.meta["description"] = "kg's accurate extractor: fine-tuned MiniLM (ONNX) + kg's span rules"
    tmp = Path(tempfile.mkdtemp(prefix=".model_accurate.", dir=out.parent))
    nlp.to_disk(tmp)
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("weights", type=Path)
    ap.add_argument("--out", type=Path, default=ACCURATE_MODEL)
    ap.add_argument("--precision", choices=("int8", "fp16", "fp32"), default="int8")
    ap.add_argument("--decode", choices=("viterbi", "argmax"), default="viterbi", help="see scripts/tune_encoder.py")
    ap.add_argument("--o-bias", type=float, default=0.5, help="log-odds added to O (scripts/tune_encoder.py chose 0.5)")
    args = ap.parse_args(argv)
    from train_encoder import base_model_dir

    with tempfile.TemporaryDirectory() as td:
        td = Path(td)
        export_onnx(args.weights, td / "fp32.onnx")
        files = td / "files"
        files.mkdir()
        quantize(td / "fp32.onnx", files / "model.onnx", args.precision)
        shutil.copyfile(base_model_dir() / "tokenizer.json", files / "tokenizer.json")
        (files / "cfg.json").write_text(json.dumps({"tags": list(TAGS), "precision": args.precision, "decode": args.decode, "o_bias": args.o_bias}) + "\n", encoding="utf-8")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        assemble(files, args.out)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"wrote {args.out} ({size / 1e6:.1f} MB, {args.precision})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
