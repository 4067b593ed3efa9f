"""The custom attributes kg's spaCy components share, registered once.

* ``Doc._.abbreviations``: list of :class:`kg.models.Abbreviation` (character offsets into
  ``doc.text``), set by the ``kg_abbreviations`` component (Schwartz & Hearst 2003).
* ``Doc._.relations``: list of ``(head, tail, label, rule, confidence)`` where ``head`` and
  ``tail`` index ``doc.ents``; set by the ``kg_relations`` component.
* ``Doc._.roles``: list of ``(ent, role, rule, confidence)`` where ``ent`` indexes ``doc.ents``
  and ``role`` is one of :data:`kg.models.ROLES`; set by the ``kg_relations`` component.
* ``Span._.source``: which component produced an entity (``ner``, ``ruler``, ``abbreviation``,
  ...); ``None`` means the statistical NER.
* ``Span._.score``: the extractor's confidence in an entity (0-1), set by the accurate
  extractor's ``kg_encoder_ner`` (mean probability of the entity's word-piece tags); ``None``
  where the extractor gives none (the CNN), recorded as 1.0 on the mention.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span


def register_extensions() -> None:
    """Register the attributes above (idempotent, safe to call from every component module)."""
    for name in ("abbreviations", "relations", "roles"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    for name in ("source", "score"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


register_extensions()
