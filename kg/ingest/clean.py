"""Clean-up of titles and abstracts read from paper files (not of ``kg extract`` records).

What is done, in this order, and why:

1. invisible characters that carry no text are removed: NUL and other control characters,
   zero-width space, word joiner, BOM, soft hyphen, and the bidirectional controls (LRM, RLM,
   ALM, embeddings, overrides, isolates: an override can make a title display differently
   from how it reads, "Trojan Source" style). Zero-width (non-)joiners stay between two
   non-ASCII letters, where they spell Persian or Indic words and emoji sequences;
   lone UTF-16 surrogates (``"\\ud800"`` in JSON) become U+FFFD;
2. known bibliographic markup is stripped and entities unescaped: ``<i>``, ``<sub>``,
   ``<jats:p>``, ``<mml:math>`` ... keep their text, ``&amp;`` -> ``&``. Anything else that
   looks like a tag (``<script>alert(1)</script>``) is *kept as text*: it is not markup a
   bibliographic source uses, hiding it would hide a probe the renderers must escape, and
   every output writer escapes text anyway;
3. LaTeX is made readable (:mod:`kg.ingest.latex`) where the source is LaTeX (arXiv, BibTeX),
   and only there: in JSON, CSV, OpenAlex or Semantic Scholar text a backslash is a character;
4. hard line breaks are joined (``multi-\\nlayer`` -> ``multi-layer``), runs of white space
   (including no-break and other Unicode spaces) become one space, the ends are trimmed;
5. the result is put in Unicode NFC.
"""

from __future__ import annotations

import html
import re
import unicodedata

from kg.ingest.latex import latex_to_text, looks_like_latex

_REMOVED = {
    0x200B,  # zero width space
    0x2060,  # word joiner
    0xFEFF,  # BOM / zero width no-break space
    0x00AD,  # soft hyphen
    0x180E,  # Mongolian vowel separator (formerly a space)
    0x200E, 0x200F, 0x061C,  # LRM, RLM, ALM
    *range(0x202A, 0x202F),  # LRE RLE PDF LRO RLO
    *range(0x2066, 0x206A),  # LRI RLI FSI PDI
}
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ufffe\uffff]")  # \x1c-\x1f, \x85: white space
_REMOVED_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_REMOVED)) + "]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# ZWNJ / ZWJ next to ASCII (or at an end) carry nothing; between two non-ASCII characters they may.
_SUSPECT_RE = re.compile(
    "[\ud800-\udfff\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ufffe\uffff\u200c\u200d"
    + "".join(re.escape(chr(c)) for c in sorted(_REMOVED)) + "]"
)
_JOINER_RE = re.compile(r"(?:^|(?<=[\x00-\x7f]))[\u200c\u200d]|[\u200c\u200d](?=[\x00-\x7f]|$)")
_MARKUP_TAGS = (
    r"i|b|em|strong|sub|sup|u|tt|sc|scp|small|big|span|p|br|div|font|abbr|cite|code|var|strike|s|del|ins"
    r"|jats:[\w.-]+|mml:[\w.-]+|math|mi|mo|mn|msub|msup|mrow|mfrac|msqrt|mtext|inline-formula|italic|bold|sup|sub"
)
_TAG_RE = re.compile(rf"</?(?:{_MARKUP_TAGS})(?:\s[^<>]{{0,500}})?\s*/?>", re.IGNORECASE)
_BLOCK_TAG_RE = re.compile(r"<(?:br|p|div|jats:p|jats:sec|jats:title)(?:\s[^<>]{0,500})?\s*/?>", re.IGNORECASE)
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_HYPHEN_BREAK_RE = re.compile(r"-(?<=[^\W\d_]-)[ \t]*\r?\n\s*(?=[^\W\d_])")
_SPACE_RE = re.compile(r"\s+")
_LINE_BREAK_RE = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def strip_invisible(text: str) -> str:
    """Remove characters that carry no text (see the module docstring, step 1).

    >>> strip_invisible("Deep\\u200b lear\\x00ning \\u202eevil\\u202c")
    'Deep learning evil'
    """
    if not _SUSPECT_RE.search(text):
        return text
    text = _SURROGATE_RE.sub("\ufffd", text)
    text = _CONTROL_RE.sub("", text)
    text = _REMOVED_RE.sub("", text)
    if "\u200c" in text or "\u200d" in text:
        text = _JOINER_RE.sub("", text)
    return text


def strip_markup(text: str) -> str:
    """Strip the tags bibliographic sources use and unescape entities; keep anything else.

    >>> strip_markup("H<sub>2</sub>O &amp; <i>in vivo</i> <script>alert(1)</script>")
    'H2O & in vivo <script>alert(1)</script>'
    """
    if "<" in text and ">" in text:
        text = _BLOCK_TAG_RE.sub(" ", text)
        text = _TAG_RE.sub("", text)
    if "&" in text:
        text = _ENTITY_RE.sub(lambda m: html.unescape(m.group(0)), text)
    return text


def collapse_whitespace(text: str) -> str:
    """Join hard line breaks and collapse white space to single spaces.

    >>> collapse_whitespace("A multi-\\n  layer\\tperceptron and\\n  LHC \\u00a0energies ")
    'A multi-layer perceptron and LHC energies'
    """
    if not text.isascii() or "\x0b" in text or "\x0c" in text or "\x1c" in text or "\x1d" in text or "\x1e" in text:
        text = _LINE_BREAK_RE.sub("\n", text)  # every line boundary str.splitlines knows is a line end
    if "-\n" in text or "-\r" in text or "- " in text or "-\t" in text:
        text = _HYPHEN_BREAK_RE.sub("-", text)
    return " ".join(text.split()) if text.isascii() else _SPACE_RE.sub(" ", text).strip()


def clean_text(text: str, *, latex: str = "auto") -> str:
    """The clean-up of a title or an abstract (module docstring, steps 1-5).

    Parameters
    ----------
    text : str
        The value as read.
    latex : "auto", "always" or "never"
        ``always`` for sources written in LaTeX (BibTeX, arXiv metadata, the arXiv API);
        ``never`` for every other source (the readers' choice); ``auto`` converts only text
        that visibly uses LaTeX and keeps unknown commands (for callers that cannot tell).

    Example
    -------
    >>> clean_text("Calculation of prompt diphoton production at Tevatron and\\n  LHC energies with \\\\emph{SMT}")
    'Calculation of prompt diphoton production at Tevatron and LHC energies with SMT'
    """
    text = strip_invisible(text)
    text = strip_markup(text)
    if latex == "always":
        text = latex_to_text(text, unknown="strip", braces=True)
    elif latex == "auto" and ("\\" in text or "$" in text) and looks_like_latex(text):
        text = latex_to_text(text, unknown="keep", braces=False)
    text = strip_invisible(text)  # entities and LaTeX can spell invisible characters too
    text = collapse_whitespace(text)
    return unicodedata.normalize("NFC", text)


_URLISH_RE = re.compile(r"(?:https?://|ftp://|www\.)\S+|[^\s@]+@[^\s@]+\.\w+|[\w-]+(?:\.[\w-]+)+(?:/\S*)?", re.IGNORECASE)
_SENTENCE_END = ".!?…。！？)]}\"'”’»"


def looks_truncated(abstract: str) -> bool:
    """True when an abstract seems cut off: it ends mid-sentence or with an ellipsis.

    An abstract that ends with a URL or a domain (``Code: https://github.com/x/y``) is complete;
    so is one ending in a closing bracket or quote.

    >>> looks_truncated("We propose X. Results show that"), looks_truncated("Code at https://github.com/a/b")
    (True, False)
    >>> looks_truncated("We study graphs..."), looks_truncated("It works (mostly)."), looks_truncated("")
    (True, False, False)
    """
    text = abstract.rstrip()
    if not text:
        return False
    if text.endswith(("...", "…")):
        return True
    if text[-1] in _SENTENCE_END:
        return False
    last = text.rsplit(None, 1)[-1].lstrip("([{\"'“‘")
    return not _URLISH_RE.fullmatch(last)
