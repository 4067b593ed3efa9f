"""The custom attributes kg's spaCy components share, registered once.

* ``Doc._.abbreviations``: list of :class:`kg.models.Abbreviation` (character offsets into
  ``doc.text``), set by the ``kg_abbreviations`` component (Schwartz & Hearst 2003).
* ``Doc._.relations``: list of ``(head, tail, label, rule, confidence)`` where ``head`` and
  ``tail`` index ``doc.ents``; set by the ``kg_relations`` component.
* ``Doc._.roles``: list of ``(ent, role, rule, confidence)`` where ``ent`` indexes ``doc.ents``
  and ``role`` is one of :data:`kg.models.ROLES`; set by the ``kg_relations`` component.
* ``Span._.source``: which component produced an entity (``ner``, ``ruler``, ``abbreviation``,
  ...); ``None`` means the statistical NER.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span


def register_extensions() -> None:
    """Register the attributes above (idempotent, safe to call from every component module)."""
    for name in ("abbreviations", "relations", "roles"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Span.has_extension("source"):
        Span.set_extension("source", default=None)


register_extensions()
