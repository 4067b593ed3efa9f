"""Abbreviation definitions: Schwartz & Hearst (2003), implemented from the paper.

A. S. Schwartz and M. A. Hearst, "A simple algorithm for identifying abbreviation definitions
in biomedical text", Pacific Symposium on Biocomputing 8:451-462, 2003.

The algorithm looks at every parenthesis of a sentence:

* ``long form (SF)``: the parenthesis holds a short-form candidate (at most two words, cut
  at ``", "`` / ``"; "``); the long-form candidate is at most ``min(|A| + 5, |A| * 2)`` words
  before it (``|A|`` = letters and digits in the short form), cut at the previous clause
  boundary (``". "``, ``", "``, an unclosed parenthesis);
* ``SF (long form)``: when the parenthesis holds more than two words, or more characters than
  the text before it, the roles swap: the word before the parenthesis is the short form (it
  must contain a capital letter) and the parenthesis is the long-form candidate;
* the short form is matched *backwards*, character by character (case-insensitive, letters and
  digits only), into the long-form candidate; the first character of the short form must
  match at the start of a word; the long form starts at the word holding that match, which
  gives the shortest long form that explains every character of the short form.

kg's additions, each small and named below: balanced (nested) parentheses; short forms must
look like acronyms (a capital letter; an ordinary capitalised word such as "Table" is not one);
a plural short form ("GNNs") whose "s" finds no match is retried without it.

The component ``kg_abbreviations`` sets ``Doc._.abbreviations`` to a list of
:class:`kg.models.Abbreviation` with character offsets into ``doc.text``. It needs no parser:
it uses sentence boundaries when some component set them, else the whole text.
"""

import re
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from kg.models import Abbreviation
from kg.nlp import extensions  # noqa: F401  (registers Doc._.abbreviations)
from kg.nlp.doc_arrays import sentence_offsets

#: Most letters and digits a short form may have (the paper's limit).
MAX_SHORT_FORM_CHARS = 10
#: Characters a short form may consist of, besides letters and digits.
_SHORT_FORM_CHARS = re.compile(r"^[\w\-+/.&'’]+$")


def balanced_parentheses(text: str) -> Iterator[tuple[int, int]]:
    """Yield ``(open, close)`` indexes of every balanced ``(...)`` pair, outer pairs first.

    Unbalanced parentheses are skipped, so a stray ``)`` or ``(`` never swallows the sentence.

    Example
    -------
    >>> list(balanced_parentheses("a (b (c) d) (e"))
    [(2, 10), (5, 7)]
    """
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            pairs.append((stack.pop(), i))
    yield from sorted(pairs)


def short_form_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The short-form candidate inside ``text[start:end]``: cut at ``", "``, ``"; "`` or a nested
    parenthesis, stripped of surrounding blanks. Returns absolute ``(start, end)``.

    Example
    -------
    >>> s = "(LF, see [3])"
    >>> s[slice(*short_form_span(s, 1, len(s) - 1))]
    'LF'
    """
    inner = text[start:end]
    cut = len(inner)
    for sep in (", ", "; ", " ("):
        i = inner.find(sep)
        if i != -1:
            cut = min(cut, i)
    return _strip_span(text, start, start + cut)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def alnum_count(short_form: str) -> int:
    """``|A|`` of the paper: the number of letters and digits in the short form."""
    return sum(ch.isalnum() for ch in short_form)


def is_acronym_like(short_form: str) -> bool:
    """Whether ``short_form`` can be a short form (the paper's tests plus kg's acronym test).

    From the paper: at most two words, a letter, an alphanumeric first character, at most ten
    letters and digits. kg adds: at least one capital letter, and not an ordinary capitalised
    word ("Table", "Fig": one capital, first, followed by two or more lower-case letters),
    and no word ending in a full stop ("e.g.", "Fig.").

    Example
    -------
    >>> [is_acronym_like(s) for s in ("GNNs", "5-HT", "S-KAN", "muP", "2019", "i.e.", "Table", "e.g. 3")]
    [True, True, True, True, False, False, False, False]
    """
    words = short_form.split()
    if not words or len(words) > 2 or len(short_form) < 2:
        return False
    if not short_form[0].isalnum() or not any(ch.isalpha() for ch in short_form):
        return False
    if alnum_count(short_form) > MAX_SHORT_FORM_CHARS or alnum_count(short_form) < 2:
        return False
    if not all(_SHORT_FORM_CHARS.match(w) and not w.endswith(".") for w in words):
        return False
    uppers = sum(ch.isupper() for ch in short_form)
    if uppers == 0:
        return False
    word = short_form.replace("-", "")
    if uppers == 1 and word[0].isupper() and len(word) >= 3 and word[1:].isalpha() and word[1:].islower():
        return False
    return True


def match_long_form(short_form: str, candidate: str) -> int | None:
    """The paper's backwards match: the start index of the long form in ``candidate``, or None.

    Each letter or digit of ``short_form``, from the last to the first, is looked up (case
    folded) right to left in ``candidate``; the first character must sit at the start of a word
    (its predecessor is not a letter or digit). The long form begins at the start of the
    whitespace-delimited word where the first character matched.

    Example
    -------
    >>> c = "the recently proposed Kolmogorov-Arnold Network"
    >>> c[match_long_form("KAN", c):]
    'Kolmogorov-Arnold Network'
    >>> match_long_form("XYZ", c) is None
    True
    """
    s_index = len(short_form) - 1
    l_index = len(candidate) - 1
    while s_index >= 0:
        ch = short_form[s_index].lower()
        if not ch.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            candidate[l_index].lower() != ch
            or (s_index == 0 and l_index > 0 and candidate[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    return candidate.rfind(" ", 0, l_index + 1) + 1


def long_form_ok(short_form: str, long_form: str) -> bool:
    """The paper's checks on a matched long form: longer than the short form, not containing it,
    at most ``min(|A| + 5, |A| * 2)`` words.

    Example
    -------
    >>> long_form_ok("BP", "backpropagation"), long_form_ok("KAN", "a large KAN")
    (True, False)
    """
    size = alnum_count(short_form)
    words = len(long_form.split())
    if len(long_form) <= len(short_form) or words == 0:
        return False
    if f"{short_form} " in long_form or long_form.endswith(short_form):
        return False
    return words <= min(size + 5, size * 2)


def long_form_window(text: str, start: int, end: int, short_form: str) -> int:
    """Where the long-form candidate before a parenthesis begins.

    The candidate is ``text[window:end]``: at most ``min(|A| + 5, |A| * 2)`` words, never
    across a clause boundary (``". "``, ``", "``, ``"; "``, ``": "``) or an unclosed parenthesis
    (the nested case ``(such as long form (LF))``).
    """
    boundary = start
    for sep in (". ", ", ", "; ", ": ", "? ", "! "):
        i = text.rfind(sep, start, end)
        if i != -1:
            boundary = max(boundary, i + len(sep))
    depth = 0
    for i in range(end - 1, boundary - 1, -1):  # an unclosed "(" before the parenthesis
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            if depth == 0:
                boundary = i + 1
                break
            depth -= 1
    size = alnum_count(short_form)
    max_words = min(size + 5, size * 2)
    words = list(re.finditer(r"\S+", text[boundary:end]))
    if len(words) > max_words:
        return boundary + words[-max_words].start()
    return boundary


def pair_in_span(text: str, start: int, end: int, open_: int, close: int) -> Abbreviation | None:
    """Try one parenthesis ``text[open_:close + 1]`` of the sentence ``text[start:end]``."""
    sf_start, sf_end = short_form_span(text, open_ + 1, close)
    if sf_start >= sf_end:
        return None
    inner_words = len(text[sf_start:sf_end].split())
    before_start = long_form_window(text, start, open_, text[sf_start:sf_end])
    before = text[before_start:open_].rstrip()
    if inner_words > 2 or (sf_end - sf_start) > len(before):
        return _reversed_pair(text, start, open_, close)
    short_form = text[sf_start:sf_end]
    if not is_acronym_like(short_form):
        return None
    return _forward_pair(text, short_form, sf_start, sf_end, before_start, before_start + len(before))


def _forward_pair(text: str, short_form: str, sf_start: int, sf_end: int, lf_start: int, lf_end: int) -> Abbreviation | None:
    candidate = text[lf_start:lf_end]
    tries = [short_form]
    if len(short_form) > 2 and short_form.endswith("s") and short_form[-2].isupper():
        tries.append(short_form[:-1])  # plural acronym "GNNs" of a singular long form
    for sf in tries:
        offset = match_long_form(sf, candidate)
        if offset is None:
            continue
        long_form = candidate[offset:]
        if long_form_ok(sf, long_form):
            return Abbreviation(short_form, long_form, sf_start, sf_end, lf_start + offset, lf_end)
    return None


def _reversed_pair(text: str, start: int, open_: int, close: int) -> Abbreviation | None:
    """``SF (long form)``: the word before the parenthesis is the short form."""
    end = open_
    while end > start and text[end - 1].isspace():
        end -= 1
    sf_start = text.rfind(" ", start, end) + 1
    sf_start = max(sf_start, start)
    while sf_start < end and not text[sf_start].isalnum():
        sf_start += 1
    sf_end = end
    while sf_end > sf_start and not text[sf_end - 1].isalnum():
        sf_end -= 1
    short_form = text[sf_start:sf_end]
    if not is_acronym_like(short_form) or " " in short_form:
        return None
    lf_start, lf_end = _strip_span(text, open_ + 1, close)
    for sep in (", ", "; ", " ("):
        i = text.find(sep, lf_start, lf_end)
        if i != -1:
            lf_end = i
    candidate = text[lf_start:lf_end]
    offset = match_long_form(short_form, candidate)
    if offset is None:
        return None
    long_form = candidate[offset:]
    if offset != 0 and len(candidate[:offset].split()) > 1:
        return None  # the parenthesis is a remark that merely ends with matching words
    if not long_form_ok(short_form, long_form):
        return None
    return Abbreviation(short_form, long_form, sf_start, sf_end, lf_start + offset, lf_end)


def find_abbreviations(text: str, sentences: Iterable[tuple[int, int]] | None = None) -> list[Abbreviation]:
    """Every abbreviation definition in ``text``, in text order (offsets into ``text``).

    Parameters
    ----------
    text : the document text.
    sentences : ``(start, end)`` sentence spans; None treats the whole text as one sentence
        (clause boundaries still limit long forms).

    Example
    -------
    >>> [(a.short, a.long) for a in find_abbreviations("We use graph neural networks (GNNs) and BP.")]
    [('GNNs', 'graph neural networks')]
    """
    spans = list(sentences) if sentences is not None else [(0, len(text))]
    found: list[Abbreviation] = []
    for start, end in spans:
        sentence = text[start:end]
        for open_, close in balanced_parentheses(sentence):
            pair = pair_in_span(text, start, end, start + open_, start + close)
            if pair is not None:
                found.append(pair)
    found.sort(key=lambda a: (a.short_start, a.long_start))
    return found


class AbbreviationDetector:
    """spaCy component: ``Doc._.abbreviations`` from :func:`find_abbreviations`.

    Uses ``doc.sents`` when sentence boundaries are set (by a sentence segmenter, no parser
    needed), else the whole text.
    """

    def __init__(self, nlp: Language, name: str = "kg_abbreviations"):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        sentences = None
        if doc.has_annotation("SENT_START"):
            sentences = sentence_offsets(doc)
        doc._.abbreviations = find_abbreviations(doc.text, sentences)
        return doc


@Language.factory("kg_abbreviations")
def make_abbreviation_detector(nlp: Language, name: str) -> AbbreviationDetector:
    """Factory of the ``kg_abbreviations`` component."""
    return AbbreviationDetector(nlp, name)
