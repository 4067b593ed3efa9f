"""kg.nlp.ops: the loaded pipeline's layers use numpy's BLAS, with thinc's results."""

import numpy
import pytest
from thinc.api import NumpyOps

from kg.nlp import load_pipeline
from kg.nlp.ops import BlasOps


@pytest.mark.parametrize("trans1,trans2", [(False, False), (True, False), (False, True), (True, True)])
def test_blas_gemm_matches_thinc_gemm(trans1, trans2):
    rng = numpy.random.default_rng(0)
    x = rng.random((7, 5), dtype="float32")
    y = rng.random((5, 3), dtype="float32")
    x = numpy.ascontiguousarray(x.T) if trans1 else x
    y = numpy.ascontiguousarray(y.T) if trans2 else y
    expected = NumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    got = BlasOps().gemm(x, y, trans1=trans1, trans2=trans2)
    assert got.dtype == expected.dtype and numpy.allclose(got, expected, atol=1e-5)
    out = numpy.zeros_like(expected)
    assert BlasOps().gemm(x, y, out=out, trans1=trans1, trans2=trans2) is out and numpy.allclose(out, expected, atol=1e-5)


def test_loaded_pipeline_uses_blas_ops_in_every_layer():
    nlp = load_pipeline()
    for name in ("tok2vec", "ner"):
        assert all(isinstance(node.ops, BlasOps) for node in nlp.get_pipe(name).model.walk())
    doc = nlp("We train BERT on SQuAD and report F1 for question answering.")
    assert {(e.text, e.label_) for e in doc.ents} >= {("BERT", "METHOD"), ("SQuAD", "DATASET")}
