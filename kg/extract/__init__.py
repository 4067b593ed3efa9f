"""Extraction runtime: run kg's spaCy pipeline over papers, fast, in order, and only once.

* :func:`extract_papers` (:mod:`kg.extract.run`): one :class:`~kg.models.Extraction` per paper,
  streamed in input order, from the content-addressed cache (:mod:`kg.extract.cache`) where
  possible, else computed in this process, in local worker processes or on a Dask cluster
  (:mod:`kg.extract.engines`, :mod:`kg.extract.worker`);
* :func:`doc_to_extraction` (:mod:`kg.extract.convert`): a processed spaCy ``Doc`` as an
  Extraction, following the extension contract of :mod:`kg.nlp.extensions`;
* oversized texts are cut into pieces and put back together (:mod:`kg.extract.chunks`).
"""

from kg.extract.convert import doc_to_extraction
from kg.extract.run import ExtractionError, extract_papers

__all__ = ["ExtractionError", "doc_to_extraction", "extract_papers"]
