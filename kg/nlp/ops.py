"""Matrix products through numpy's BLAS instead of thinc's bundled BLIS, for inference.

thinc's ``NumpyOps.gemm`` calls BLIS, which picks its kernels from the CPU at start-up; on the
AVX-512 Xeons kg is run and benchmarked on it cannot tell the number of FMA units and falls
back to its 'haswell' kernels ("libblis: Number of FMA units unknown"). numpy's OpenBLAS picks
AVX-512 kernels there and computes the tok2vec's products 1.5 to 2 times faster on one
thread, which made extraction about 17% faster with the same entities (measured on 1,500
benchmark abstracts; ``scripts/bench_extract.py``). On other CPUs both libraries choose
their best kernels and the switch changes little.

Only loaded pipelines use it (:func:`use_blas_ops`, called by :func:`kg.nlp.load_pipeline`):
training keeps thinc's default ops, so a retrain still reproduces the committed weights byte
for byte. Worker processes run one BLAS thread each (:func:`kg.extract.worker.limit_threads`).
"""

from __future__ import annotations

import numpy
from thinc.api import NumpyOps


class BlasOps(NumpyOps):
    """``NumpyOps`` whose ``gemm`` is ``numpy.matmul`` (same arguments and result)."""

    name = "kg_blas"

    def gemm(self, x, y, out=None, trans1: bool = False, trans2: bool = False):
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if out is None:
            return numpy.matmul(a, b)
        numpy.matmul(a, b, out=out)
        return out


def use_blas_ops(nlp) -> None:
    """Make every layer of ``nlp``'s trained components (disabled ones too) use :class:`BlasOps`."""
    ops = BlasOps()
    for _name, component in nlp.components:
        model = getattr(component, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            node.ops = ops
