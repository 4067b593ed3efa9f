"""Rule-based sentence boundaries for titles and abstracts (component ``kg_sentences``).

A statistical parser or senter would cost more than the NER itself; abstracts only need a
handful of rules, applied token by token:

* a newline is always a boundary (the title/abstract newline of ``Paper.text`` included);
* ``.``, ``!`` and ``?`` end a sentence when the next word starts like a sentence (upper-case
  letter, digit, opening bracket or quote), unless the word before the full stop is an
  abbreviation that is usually followed by more of the same sentence ("e.g.", "et al.",
  "Fig. 3", "Eq. 2", "vs.");
* nothing inside inline LaTeX (``$...$``) is a boundary;
* decimals and versions ("3.5", "v2.0") are single tokens already, so never split.

The NER cannot put an entity across a boundary set here, so the rules err on the side of
not splitting.
"""


from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.doc_arrays import set_sent_starts, token_table

#: Words that, followed by a full stop, do not end a sentence (compared lower-cased, without
#: the stop). "etc." is not here: in abstracts it ends a sentence as often as not, and the
#: next word's case decides.
NON_FINAL_ABBREVIATIONS: frozenset[str] = frozenset(
    """
    al e.g eg i.e ie cf vs v fig figs eq eqs eqn eqns sec secs sect tab tabs ref refs
    approx resp no nos vol pp ch chap app appx thm def lem prop alg ex dr mr mrs ms prof st
    inc ltd co jr sr est ca viz incl
    """.split()
)

SENTENCE_FINAL = frozenset({".", "!", "?", "...", "\u2026"})
OPENERS = frozenset("([{\"'\u201c\u2018")
CLOSERS = frozenset(")]}\"'\u201d\u2019")


def _starts_sentence(text: str) -> bool:
    ch = text[0]
    return ch.isupper() or ch.isdigit() or ch in OPENERS or ch == "$" or ch == "\\"


def _abbreviation_before(texts: list[str], i: int) -> bool:
    """Whether the lone full stop at token ``i`` ends an abbreviation ("et al .", "Fig. 3")."""
    if i == 0:
        return False
    # no rule for initials ("J. Smith"): abstracts rarely name people, and a one-letter
    # variable ends sentences often ("of size N. We")
    return texts[i - 1].lower() in NON_FINAL_ABBREVIATIONS


def _closes_sentence(texts: list[str], i: int) -> bool:
    """Whether token ``i`` (of the Doc whose token texts are ``texts``) can end a sentence."""
    text = texts[i]
    if text == ".":
        return not _abbreviation_before(texts, i)
    if text in SENTENCE_FINAL:
        return True
    if len(text) == 2 and text[1] == "." and text[0].isupper():
        return True  # "of size N." (the tokenizer keeps a capital and its stop together)
    # "e.g.", "vs.", "U.S.": otherwise the tokenizer keeps the stop inside abbreviations only
    if text in CLOSERS and i > 0 and texts[i - 1] in SENTENCE_FINAL:
        return _closes_sentence(texts, i - 1)
    return False


def set_sentence_starts(doc: Doc) -> Doc:
    """Mark every token's ``is_sent_start`` (True or False) by the rules of this module."""
    n = len(doc)
    if n == 0:
        return doc
    texts, whitespace, space, _ = token_table(doc)
    newline = ["\n" in t or "\n" in w for t, w in zip(texts, whitespace)]
    starts = [False] * n
    starts[0] = True
    in_math = False
    for i in range(n - 1):
        text = texts[i]
        if "$" in text and text.count("$") % 2 == 1:
            in_math = not in_math
        if newline[i]:
            # a newline (the title/abstract one included) always closes the sentence
            in_math = False
            if not space[i + 1]:
                starts[i + 1] = True
            continue
        if in_math or space[i + 1]:
            continue
        last = i
        if space[i]:
            # extra spaces between sentences: look at the token before them
            while last > 0 and space[last]:
                last -= 1
            if space[last]:
                continue
        if _closes_sentence(texts, last) and _starts_sentence(texts[i + 1]):
            starts[i + 1] = True
    set_sent_starts(doc, starts)
    return doc


@Language.factory("kg_sentences", default_config={})
def make_sentences(nlp: Language, name: str):
    """Factory of the ``kg_sentences`` component (no settings)."""
    return set_sentence_starts
