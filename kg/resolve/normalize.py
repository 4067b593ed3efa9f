"""Safe normalisation of surface forms into matching keys.

Two surface forms whose keys are equal name the same concept. The key is built so that only
differences that carry no meaning disappear:

* Unicode: NFKC (ligatures, full-width letters, non-breaking spaces), typographic dashes;
* separators: hyphens, spaces, slashes and dots are dropped, so "fine-tuning", "fine tuning"
  and "finetuning" meet, as do "CIFAR-10" and "CIFAR10"; ``+`` is kept ("PointNet++" is not
  "PointNet");
* case, except where it carries meaning: a letter run that is acronym-like ("CAN", "GRAND",
  "OoD": two or more capitals, at least as many capitals as lower-case letters) is marked
  with ``^``, so "CAN" never meets the word "can" and "GRAND" never meets "grand"; acronyms
  still meet their own case variants ("OoD" / "OOD"); CamelCase names ("ImageNet",
  "PyTorch") are not acronym-like and fold to lower case;
* British / American spelling of plain words (-ise/-ize, -isation, -yse, -our, -elled, -tre, -ogue);
* "net" / "nets" as a word of its own after another word is "network" ("Generative
  Adversarial Nets"; not "U-Net", "ResNet");
* plural / singular of the head noun: the last word run is reduced to a stem ("networks",
  "network"; "policies", "policy"; "approaches", "approach"); an acronym loses a plural "s"
  after a capital ("GNNs" -> "GNN", "ReLUs" -> "ReLU").

Digits always stay: "CIFAR-10" and "CIFAR-100", "GPT" and "GPT-2", "top-1" and "top-5" never
share a key (they are linked, not merged, by :mod:`kg.resolve.variants`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Letter runs, digit runs and "+" signs: the pieces a key is made of.
_RUN = re.compile(r"[^\W\d_]+|\d+|\+")
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad"})
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})

#: Stripped from both ends of a form: blanks, quotes, stray punctuation and arrows ("↑↓ accuracy",
#: a table's "higher is better" sign caught in a span); never "+" ("PointNet++").
_EDGE = " \"'`.,;:!?" + "".join(chr(c) for c in range(0x2190, 0x2200))

#: Acronym marker inside keys (never produced by a letter run itself).
MARK = "^"

_IRREGULAR_PLURALS = {
    "indices": "index",
    "matrices": "matrix",
    "vertices": "vertex",
    "analyses": "analysis",
    "hypotheses": "hypothesis",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "axes": "axis",
    "bases": "basis",
    "theses": "thesis",
    "syntheses": "synthesis",
}
_KEEP_FINAL_S = ("ss", "us", "is", "as", "ys", "os")

_BRITISH = (
    (re.compile(r"isation(s?)$"), r"ization\1"),
    (re.compile(r"(?<=\w{2})is(e|es|ed|ing|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=\w)ys(e|es|ed|ing|er|ers)$"), r"yz\1"),
    (re.compile(r"(?<=\w{2}[bilmv])our(s|ed|ing|hood|hoods|able)?$"), r"or\1"),
    (re.compile(r"(?<=\w)ell(ed|ing|er|ers)$"), r"el\1"),
    (re.compile(r"(?<=\w{2}[bt])re(s?)$"), r"er\1"),
    (re.compile(r"(?<=\w{3})ogue(s?)$"), r"og\1"),
)


@lru_cache(maxsize=1 << 19)
def clean_form(text: str) -> str:
    """NFKC, plain dashes and quotes, single spaces, no surrounding blanks or stray punctuation.

    Example
    -------
    >>> clean_form("  \\u201cGraph\\u00a0Neural  Networks\\u201d "), clean_form("\\u2191\\u2193 accuracy")
    ('Graph Neural Networks', 'accuracy')
    """
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_QUOTES)
    text = " ".join(text.split())
    return text.strip(_EDGE)


@lru_cache(maxsize=1 << 16)
def is_acronym_run(run: str) -> bool:
    """Whether a letter run is acronym-like: 2+ capitals and no more lower-case than capitals
    (a plural "s" after a capital not counted).

    Example
    -------
    >>> [is_acronym_run(r) for r in ("GNN", "GNNs", "OoD", "MoE", "ImageNet", "Adam", "can", "S")]
    [True, True, True, True, False, False, False, False]
    """
    if len(run) < 2 or not run.isalpha():
        return False
    body = run[:-1] if len(run) > 2 and run.endswith("s") and run[-2].isupper() else run
    upper = sum(c.isupper() for c in body)
    lower = sum(c.islower() for c in body)
    return upper >= 2 and upper >= lower


@lru_cache(maxsize=1 << 16)
def american(word: str) -> str:
    """British spellings of a lower-case word turned American (applied to every word the same way,
    so two forms meet when they differ only in spelling).

    Example
    -------
    >>> [american(w) for w in ("normalisation", "optimised", "modelling", "behaviour", "centre", "catalogue")]
    ['normalization', 'optimized', 'modeling', 'behavior', 'center', 'catalog']
    """
    if len(word) < 5:
        return word
    for pattern, repl in _BRITISH:
        new = pattern.sub(repl, word)
        if new != word:
            return new
    return word


def singular_stem(word: str) -> str:
    """A stem shared by a lower-case noun and its plural (not always a word itself).

    Example
    -------
    >>> [singular_stem(w) for w in ("networks", "network", "policies", "policy", "approaches", "approach", "losses", "loss", "analysis")]
    ['network', 'network', 'policy', 'policy', 'approach', 'approach', 'loss', 'loss', 'analysis']
    """
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(_KEEP_FINAL_S):
        word = word[:-1]
    if word.endswith("e") and len(word) > 3 and not word.endswith(("ee", "ye")):
        word = word[:-1]
    return word


def runs(form: str, stem_last: bool = True) -> tuple[str, ...]:
    """The normalised runs of a form: marked acronyms, American lower-case words, digits, "+".

    ``stem_last=False`` keeps the last word as written (for a long form substituted into the
    middle of a longer name).

    Example
    -------
    >>> runs("Graph Neural Networks"), runs("GNNs"), runs("CIFAR-10"), runs("S-KAN")
    (('graph', 'neural', 'network'), ('^gnn',), ('^cifar', '10'), ('s', '^kan'))
    """
    return _runs(clean_form(form), stem_last)


@lru_cache(maxsize=1 << 20)
def _runs(form: str, stem_last: bool = True) -> tuple[str, ...]:
    matches = list(_RUN.finditer(form))
    pieces = [m.group() for m in matches]
    out: list[str] = []
    last = len(pieces) - 1
    for i, piece in enumerate(pieces):
        if piece.isdigit() or piece == "+":
            out.append(piece)
        elif i > 0 and piece.lower() in ("net", "nets") and form[matches[i].start() - 1] == " ":
            out.append("network")  # "Generative Adversarial Nets": a word of its own, not "U-Net"
        elif is_acronym_run(piece):
            if len(piece) > 2 and piece.endswith("s") and piece[-2].isupper():
                piece = piece[:-1]
            out.append(MARK + piece.lower())
        else:
            word = american(piece.lower())
            if i == last and stem_last:
                word = singular_stem(word)
            out.append(word)
    return tuple(out)


def run_texts(form: str) -> list[str]:
    """The pieces of a clean form that :func:`runs` normalises, as written (one per run).

    >>> run_texts("Wikimedia Commons-2")
    ['Wikimedia', 'Commons', '2']
    """
    return _RUN.findall(form)


@lru_cache(maxsize=1 << 19)
def form_key(form: str) -> str:
    """The matching key of a surface form ("" when it has no letter or digit).

    Example
    -------
    >>> form_key("fine-tuning") == form_key("finetuning") == form_key("Fine tuning")
    True
    >>> form_key("CAN") == form_key("can"), form_key("CIFAR-10") == form_key("CIFAR-100")
    (False, False)
    """
    return "".join(runs(form))


_ASCII_DIGIT = re.compile(r"[0-9]")


def has_digit(text: str) -> bool:
    """Whether some character of ``text`` is a digit (``str.isdigit``); a regex for ASCII text,
    which is most text, instead of a Python loop over its characters.

    Example
    -------
    >>> has_digit("CIFAR-10"), has_digit("ResNet"), has_digit("x\u00b2")
    (True, False, True)
    """
    if text.isascii():
        return _ASCII_DIGIT.search(text) is not None
    return any(ch.isdigit() for ch in text)


@lru_cache(maxsize=1 << 19)
def is_plain(form: str) -> bool:
    """Whether a form is written in plain words: no capital after a word's first letter.

    Example
    -------
    >>> is_plain("Stochastic gradient descent"), is_plain("ResNeXt"), is_plain("GNN")
    (True, False, False)
    """
    return all(w[1:] == w[1:].lower() for w in re.findall(r"[^\W\d_]+", form))


@lru_cache(maxsize=1 << 19)
def is_acronym_form(form: str) -> bool:
    """Whether a whole surface form is an acronym ("GNNs", "S-KAN", "5-HT", "1-WL"), i.e. written
    without spaces and with an acronym-like letter run: never chosen as a canonical label when
    a full form exists.

    Example
    -------
    >>> [is_acronym_form(f) for f in ("GNNs", "S-KAN", "5-HT", "ImageNet", "graph neural networks")]
    [True, True, True, False, False]
    """
    form = clean_form(form)
    if not form or " " in form:
        return False
    letters = [p for p in _RUN.findall(form) if p.isalpha()]
    if not letters:
        return False
    upper = sum(c.isupper() for p in letters for c in p)
    lower = sum(c.islower() for p in letters for c in p)
    if letters[-1].endswith("s") and len(letters[-1]) > 1 and letters[-1][-2].isupper():
        lower -= 1
    return upper >= 1 and upper >= lower
