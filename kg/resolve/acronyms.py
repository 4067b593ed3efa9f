"""Acronyms: per-paper definitions, corpus-wide votes, and the initials fallback.

An acronym means what its own paper defines it to mean (the Schwartz & Hearst pairs found by
the ``kg_abbreviations`` component); across the corpus the definitions are voted:

* an acronym with one expansion (after merging expansions that spell it with the same words,
  such as "Generative Adversarial Nets" / "Networks") joins that expansion everywhere;
* an acronym with two different expansions ("SNN": spiking in one paper, sparse in another)
  follows its own paper's definition; in a paper that does not define it, it joins the
  majority expansion only when that is unambiguous (see :func:`corpus_expansion`), else it
  stays a concept of its own;
* an acronym defined nowhere joins a full form whose word initials spell it only when exactly
  one such full form exists in the corpus (``"ICL"`` -> ``"in-context learning"``).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from kg.models import Abbreviation, Mention
from kg.resolve.normalize import MARK, american, clean_form, form_key, is_acronym_form, runs, singular_stem

#: Share of the defining papers the majority expansion needs to be used where a paper does not
#: define the acronym itself, and how many more papers than the runner-up it needs.
MAJORITY_SHARE = 0.8
MAJORITY_MARGIN = 2


@dataclass(frozen=True, slots=True)
class Definition:
    """One paper's definition of a short form: the long form's text, key and letter words."""

    short_key: str
    long_text: str
    long_key: str
    letter_words: tuple[str, ...] | None
    head_text: str | None = None  # "LF (SF) networks": the long form with the head noun after the bracket
    head_key: str | None = None
    wide_text: str | None = None  # a mention ending where the long form ends and starting before it
    wide_key: str | None = None
    strict: bool = True  # capitals on word starts (see strict_long_form); a loose one binds in its paper only

    def widened(self) -> "Definition":
        """This definition with the mention-wide long form ("activation space Selectable KAN"
        for the detector's "Selectable KAN"), used when the detector's long form names nothing
        else in the corpus."""
        if not self.wide_key:
            return self
        return dataclasses.replace(self, long_text=self.wide_text, long_key=self.wide_key, wide_text=None, wide_key=None)


@lru_cache(maxsize=1 << 16)
def letter_words(short: str, long: str) -> tuple[str, ...] | None:
    """The words of ``long`` that the letters of ``short`` match in (Schwartz & Hearst's
    backwards match), normalised; None when the short form does not match.

    Two expansions of one acronym name the same thing when the acronym's letters come from the
    same words (a word or its abbreviation: "Nets" / "Networks"); words that give no letter
    ("prior-data fitted *neural* networks") do not matter.

    Example
    -------
    >>> letter_words("SNN", "spiking neural networks")
    ('spiking', 'neural', 'network')
    >>> letter_words("PFNs", "prior-data fitted neural networks")
    ('prior', 'fitted', 'network')
    """
    text = long.lower()
    token_of = [-1] * len(text)
    tokens = list(re.finditer(r"[^\W_]+", long))
    for ti, tok in enumerate(tokens):
        for p in range(tok.start(), tok.end()):
            token_of[p] = ti
    short_chars = [c.lower() for c in short if c.isalnum()]
    if len(short_chars) > 1 and short.endswith("s") and short[-2].isupper():
        short_chars = short_chars[:-1]
    matched: list[int] = []
    j = len(text) - 1
    for k in range(len(short_chars) - 1, -1, -1):
        ch = short_chars[k]
        while j >= 0 and (text[j] != ch or (k == 0 and j > 0 and text[j - 1].isalnum())):
            j -= 1
        if j < 0:
            return None
        matched.append(token_of[j])
        j -= 1
    out: list[str] = []
    for ti in sorted(set(matched)):
        r = runs(tokens[ti].group())
        if r:
            out.append(singular_stem(american("".join(r).replace(MARK, ""))))
    return tuple(out) if out else None


#: Words of a long form for the strict check: letter runs and digit runs; everything else
#: (spaces, hyphens, slashes, "%", other punctuation) separates words and never gives a letter.
_STRICT_WORD = re.compile(r"[^\W\d_]+|\d+")


def _short_units(short: str) -> list[str] | None:
    """The short form as units to match: each letter, each digit run ("GPT-2" -> G P T 2); a
    plural "s" after a capital is dropped ("GNNs"). None when nothing is left."""
    body = short[:-1] if len(short) > 2 and short.endswith("s") and short[-2].isupper() else short
    units = re.findall(r"\d+|[^\W\d_]", body)
    return units or None


def _completes(u: int, pw: int, pi: int, units: Sequence[str], words: Sequence[tuple[int, str]], lows: Sequence, strict: bool, memo: dict) -> bool:
    """Whether the short form's units ``u``.. can be placed (see :func:`strict_long_form`) after
    unit ``u - 1`` took character ``pi`` of word ``pw``; ``lows`` are the words' characters
    lower-cased one by one. A module-level function with a dict memo, not a closure with an
    lru_cache: a recursive closure is a reference cycle, which would stay in memory until the
    cyclic collector runs, and resolution pauses it."""
    if u == len(units):
        return True
    memo_key = (u, pw, pi)
    hit = memo.get(memo_key)
    if hit is not None:
        return hit
    unit = units[u]
    ok = False
    if unit.isdigit():
        ok = any(words[w][1] == unit and _completes(u + 1, w, 0, units, words, lows, strict, memo) for w in range(pw + 1, len(words)))
    else:
        ch = unit.lower()
        free = unit.islower() or not strict  # may continue the previous letter's word
        for w in range(pw, len(words)):
            word = words[w][1]
            for i, c in enumerate(lows[w]):
                if c != ch or (w == pw and i <= pi):
                    continue
                anchor = i == 0 or word[i].isupper() or (ch == "x" and i == 1 and word[0] in "eE")
                if (anchor or (free and w == pw)) and _completes(u + 1, w, i, units, words, lows, strict, memo):
                    ok = True
                    break
            if ok:
                break
    memo[memo_key] = ok
    return ok


@lru_cache(maxsize=1 << 16)  # the same pair is defined in many papers ("large language models (LLMs)")
def strict_long_form(short: str, long: str, strict: bool = True) -> str | None:
    """The shortest end of ``long`` that spells ``short`` under the strict rules, or None.

    The Schwartz & Hearst match, checked strictly (so that one paper's odd bracket cannot name a
    concept of the whole corpus):

    * a capital letter of the short form, and its first character, match the first letter of a
      word of the long form or a capital inside one ("ImageNet", "KAN"); ``X`` may also match the
      ``x`` of a word starting "ex" (eXplainable, eXtreme); with ``strict=False`` they may also
      continue the word of the previous letter ("BiLingual");
    * a lower-case letter of the short form may also continue the word of the previous letter
      ("ViT": Vision Transformer, "LLaMA", "LoRA");
    * a digit run of the short form matches a whole number of the long form ("GPT-2");
    * digits, "%" and punctuation of the long form never give a letter, and the long form's
      first word gives the short form's first character.

    Example
    -------
    >>> strict_long_form("KITTI", "Karlsruhe Institute of Technology and Toyota Technological Institute")
    'Karlsruhe Institute of Technology and Toyota Technological Institute'
    >>> strict_long_form("XAI", "xgboost algorithm and explainable artificial intelligence")
    'explainable artificial intelligence'
    >>> strict_long_form("F1", "fog detection by 331%") is None, strict_long_form("ViT", "Vision Transformer")
    (True, 'Vision Transformer')
    >>> strict_long_form("CIDEr", "causal inference distiller") is None, strict_long_form("GPT-2", "generative pre-trained transformer 2")
    (True, 'generative pre-trained transformer 2')
    >>> strict_long_form("MLLMs", "text and Multi-Modal Large Language Models")
    'Multi-Modal Large Language Models'
    >>> strict_long_form("BLEU", "bilingual evaluation understudy"), strict_long_form("BLEU", "bilingual evaluation understudy", strict=False)
    (None, 'bilingual evaluation understudy')
    """
    units = _short_units(short)
    if units is None:
        return None
    words = [(m.start(), m.group()) for m in _STRICT_WORD.finditer(long)]
    if not words:
        return None
    # each word's characters lower-cased one by one (a string when lowering keeps its length)
    lows = [low if len(low := w.lower()) == len(w) else [c.lower() for c in w] for _, w in words]
    memo: dict[tuple[int, int, int], bool] = {}

    for first in range(len(words) - 1, -1, -1):  # the shortest long form: the latest first word
        word, unit = words[first][1], units[0]
        if unit.isdigit():
            at = 0 if word == unit else None
        elif word[0].lower() == unit.lower():
            at = 0
        else:
            at = 1 if unit.lower() == "x" and word[:2].lower() == "ex" else None  # eXplainable
        if at is not None and _completes(1, first, at, units, words, lows, strict, memo):
            start = words[first][0]  # never inside a compound: "Multi-Modal Large ...", "E(n)-Equivariant ..."
            while start > 0 and not long[start - 1].isspace():
                start -= 1
            return long[start:].strip()
    return None


#: Characters that end the clause a long form is looked for in (before the detector's long form);
#: the newline is the end of the title.
_CLAUSE_END = "()[];:.,\n"
#: Words that never give an acronym's first letter in :func:`strict_just_before`
#: ("Augmentative and Alternative Communication (AAC)" is not "and Alternative Communication").
_FUNCTION_WORDS = frozenset("a an and as at by for from in into of on or the to via with".split())


def strict_just_before(short: str, text: str, long_start: int, long_end: int) -> str | None:
    """A strict long form of ``short`` ending at ``long_end`` that starts before ``long_start``,
    in the same clause (not across the title's end), with one word per letter of ``short`` and
    not starting with a function word (:data:`_FUNCTION_WORDS`); else None.

    The detector returns the shortest Schwartz & Hearst long form, which may spell the acronym
    loosely with letters inside one word: "an average accuracy (AA)" gives "accuracy" (its
    inner "a" for the second A). When the words just before it spell the acronym strictly, one
    word per letter, they are what the paper defines; nothing looser is taken (no filler words:
    "a classification accuracy (ACC)" does not give "a classification accuracy").

    Example
    -------
    >>> t = "eX2L achieves an average accuracy (AA) of 82%"
    >>> strict_just_before("AA", t, t.index("accuracy"), t.index(" (AA)"))
    'average accuracy'
    >>> t = "we report a classification accuracy (ACC)"
    >>> strict_just_before("ACC", t, t.index("accuracy"), t.index(" (ACC)")) is None
    True
    """
    units = _short_units(short)
    if units is None or not 0 <= long_start <= long_end <= len(text):
        return None
    head = text[max(0, long_start - 200) : long_end]
    clause_start = max(head.rfind(c, 0, len(head) - (long_end - long_start)) for c in _CLAUSE_END) + 1
    found = strict_long_form(short, head[clause_start:])
    if found is None:
        return None
    words = _STRICT_WORD.findall(found)
    if len(words) != len(units) or words[0].lower() in _FUNCTION_WORDS:
        return None
    return found


#: "Long Form (ACR)" as one mention: the long form, then an acronym-shaped word in brackets.
_LONG_THEN_SHORT = re.compile(r"^(?P<long>.*[^\s(])\s*\(\s*(?P<short>[^()\s]{2,12})\s*\)$")


@lru_cache(maxsize=1 << 16)
def without_defined_acronym(form: str) -> str:
    """The long form of a mention that spans "Long Form (ACR)", else ``form`` unchanged.

    The guideline makes "Long Form (ACR)" two mentions, but the NER (trained on corpora that
    annotate it as one span) often returns one; the concept is the long form's either way, and
    the acronym reaches the same concept through the paper's definition. Only a bracketed word
    with a capital whose letters the long form spells (Schwartz & Hearst) is taken off.

    Example
    -------
    >>> without_defined_acronym("Graph Neural Networks (GNNs)")
    'Graph Neural Networks'
    >>> without_defined_acronym("Vision Transformer (ViT)")
    'Vision Transformer'
    >>> without_defined_acronym("Transformer (ViT)"), without_defined_acronym("BERT (base)")
    ('Transformer (ViT)', 'BERT (base)')
    """
    m = _LONG_THEN_SHORT.match(form)
    if m is None:
        return form
    long, short = m.group("long"), m.group("short")
    if not any(c.isupper() for c in short) or short.lower() == long.lower() or letter_words(short, long) is None:
        return form
    return long


def same_spelling(a: Sequence[str] | None, b: Sequence[str] | None) -> bool:
    """Whether two letter-word sequences spell an acronym with the same words (equal, or one word
    a prefix of at least 3 letters of the other).

    Example
    -------
    >>> same_spelling(("generative", "adversarial", "net"), ("generative", "adversarial", "network"))
    True
    >>> same_spelling(("spiking", "neural", "network"), ("sparse", "neural", "network"))
    False
    """
    if a is None or b is None or len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x == y:
            continue
        short, long_ = sorted((x, y), key=len)
        if len(short) < 3 or not long_.startswith(short):
            return False
    return True


def spelling_prefix(words: Sequence[str] | None) -> tuple[str, ...] | None:
    """The first three letters of each word: equal for any two sequences :func:`same_spelling`
    accepts, so comparing these first skips most pairs.

    Example
    -------
    >>> spelling_prefix(("generative", "adversarial", "net")) == spelling_prefix(("generative", "adversarial", "network"))
    True
    """
    return None if words is None else tuple(w[:3] for w in words)


#: Head nouns that may follow the bracket of a definition that splits a name ("Neuron interaction
#: and Nowcasting (NiNo) networks"): the name with and without the head is one concept.
_SPLIT_HEAD = re.compile(r"\)\s+(networks?|nets?|models?|algorithms?|architectures?)\b")


#: A bracketed part after a letter, holding a word of two or more letters: "(-Action)"; not the
#: "(n)" of "E(n)", nor a bracket that opens the long form ("(LLM)-Driven Sparse MoE (DS-MoE)",
#: whose remainder would start with a hyphen) or follows a symbol ("$(\gamma,\gamma)$-Minimal").
_BRACKETED = re.compile(r"(?<=[^\W\d_])\s*\((?=[^()]*[^\W\d_]{2})[^()]*\)")


def without_optional_part(short: str, long: str) -> str:
    """``long`` without its bracketed parts when the rest still spells ``short`` strictly, else
    ``long``.

    "Vision-Language(-Action) Models (VLMs)" writes two names at once; the acronym spells the
    one without the bracket, so that is what the paper defines. Read whole, its key was that of
    "Vision-Language-Action Models", and the same-expansion vote then joined the VLA models (41
    papers at 80k) to the VLMs. A bracket that gives a letter stays ("Graph (Convolutional)
    Networks (GCN)"), and so does a bracket without a word, such as the group of
    "E(n)-Equivariant Graph Neural Networks (EGNNs)".

    Example
    -------
    >>> without_optional_part("VLMs", "Vision-Language(-Action) Models")
    'Vision-Language Models'
    >>> without_optional_part("GCN", "Graph (Convolutional) Networks")
    'Graph (Convolutional) Networks'
    >>> without_optional_part("EGNNs", "E(n)-Equivariant Graph Neural Networks")
    'E(n)-Equivariant Graph Neural Networks'
    >>> without_optional_part("DS-MoE", "(LLM)-Driven Sparse Mixture-of-Experts")
    '(LLM)-Driven Sparse Mixture-of-Experts'
    """
    bare = _BRACKETED.sub("", long)
    if bare == long or strict_long_form(short, bare) is None:
        return long
    return bare


#: What follows a short form inside its bracket when the bracket lists several names
#: ("Vision Transformers (ToMe, ToFu, PiToMe, and MCTF)"): a separator, then the next item.
_NEXT_IN_BRACKET = re.compile(r"\s*[,;/]\s*(?:(?:and|or)\s+)?(?P<item>[^\s,;/()]+)")


def lists_names(text: str, short_end: int) -> bool:
    """Whether the bracket whose first item ends at ``short_end`` goes on with another
    acronym-shaped item: a list of names ("Vision Transformers (ToMe, ToFu, PiToMe, and
    MCTF)"), whose first item the detector reads as the short form of the words before the
    bracket (Schwartz & Hearst cut the bracket at ", " for "(SF, a comment)"). The words before
    a list name the family of its items, not the first item: "Transformers" is no expansion of
    ToMe (token merging).

    Example
    -------
    >>> t = "methods for Vision Transformers (ToMe, ToFu, PiToMe, and MCTF) employ"
    >>> lists_names(t, t.index("ToMe") + 4)
    True
    >>> t = "graph neural networks (GNNs, Kipf and Welling) and"
    >>> lists_names(t, t.index("GNNs") + 4)
    False
    """
    m = _NEXT_IN_BRACKET.match(text, short_end)
    return m is not None and is_acronym_form(m.group("item"))


def paper_definitions(abbreviations: Iterable[Abbreviation], mentions: Sequence[Mention], text: str | None = None) -> dict[str, Definition]:
    """The short-form key -> :class:`Definition` map of one paper (the first definition wins).

    A mention that ends where the long form ends and starts before it is kept as the wide long
    form (the detector returns the shortest long form, "Selectable KAN"; the NER may have found
    "activation space Selectable KAN"): see :meth:`Definition.widened`. With the paper's
    ``text``, a definition that splits a name ("LF (SF) networks") also records the name with
    its head noun.

    Example
    -------
    >>> t = "We use Neuron interaction and Nowcasting (NiNo) networks."
    >>> d = paper_definitions([Abbreviation("NiNo", "Neuron interaction and Nowcasting", 42, 46, 7, 40)], [], t)
    >>> d["^nino"].long_key, d["^nino"].head_key
    ('neuroninteractionandnowcasting', 'neuroninteractionandnowcastingnetwork')
    """
    by_end: dict[int, list[Mention]] | None = None  # built on first use
    out: dict[str, Definition] = {}
    for ab in sorted(abbreviations, key=lambda a: (a.short_start, a.long_start)):
        if text is not None and ab.long_end < ab.short_start and lists_names(text, ab.short_end):
            continue  # "Vision Transformers (ToMe, ToFu, ...)": a list of names, not a definition
        short_key = form_key(ab.short)
        strict = True
        bare = without_optional_part(ab.short, ab.long)
        checked = strict_long_form(ab.short, bare)
        if checked is None and text is not None:  # "average accuracy (AA)", detected as "accuracy"
            checked = strict_just_before(ab.short, text, ab.long_start, ab.long_end)
        if checked is None:
            strict = False
            checked = strict_long_form(ab.short, ab.long, strict=False)
        if checked is None:  # "fog detection by 331% (F1)": not a definition
            continue
        long_text = clean_form(checked)
        long_key = form_key(long_text)
        if not short_key or not long_key or short_key == long_key or short_key in out:
            continue
        wide_text = wide_key = None
        wider = []
        if checked == bare.strip():
            if by_end is None:
                by_end = {}
                for m in mentions:
                    by_end.setdefault(m.end, []).append(m)
            wider = [m for m in by_end.get(ab.long_end, []) if m.start < ab.long_start]
        if wider:
            wide_text = clean_form(min(wider, key=lambda m: m.start).text)
            wide_key = form_key(wide_text)
            if wide_key in (long_key, short_key) or not wide_key:
                wide_text = wide_key = None
        head_text = head_key = None
        if text is not None and ab.long_end < ab.short_start:
            head = _SPLIT_HEAD.match(text, ab.short_end)
            if head is not None:
                head_text = clean_form(f"{wide_text or long_text} {head.group(1)}")
                head_key = form_key(head_text)
        out[short_key] = Definition(short_key, long_text, long_key, letter_words(ab.short, checked), head_text, head_key, wide_text, wide_key, strict)
    return out


def corpus_expansion(votes: Counter) -> str | None:
    """The expansion a paper that does not define an acronym should use, or None when ambiguous.

    ``votes`` counts defining papers per expansion (cluster). One expansion: that one. Several:
    the majority, when it holds at least ``MAJORITY_SHARE`` of the defining papers and
    ``MAJORITY_MARGIN`` more papers than the runner-up.

    Example
    -------
    >>> corpus_expansion(Counter({"spiking": 1, "sparse": 1})) is None
    True
    >>> corpus_expansion(Counter({"spiking": 9, "sparse": 1}))
    'spiking'
    """
    if not votes:
        return None
    ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(ranked) == 1:
        return ranked[0][0]
    (top, n_top), (_, n_second) = ranked[0], ranked[1]
    if n_top >= MAJORITY_SHARE * sum(votes.values()) and n_top - n_second >= MAJORITY_MARGIN:
        return top
    return None


def initials_signatures(word_runs: Sequence[str]) -> list[str]:
    """Keys under which a full form can be found from an acronym spelling part of it.

    For ``("click", "through", "rate", "prediction")``: the whole form as ``^ctrp`` and, with up
    to two plain words kept before or after, ``^ctr`` + ``prediction`` and so on. Only forms of
    plain words (no digits, no acronyms) get signatures.

    Example
    -------
    >>> initials_signatures(("in", "context", "learning"))
    ['^icl', '^iclearning', 'in^cl']
    """
    if len(word_runs) < 2 or any(not r.isalpha() or r.startswith(MARK) for r in word_runs):
        return []
    n = len(word_runs)
    out = []
    for keep_before in range(0, min(2, n - 2) + 1):
        for keep_after in range(0, min(2, n - 2 - keep_before) + 1):
            if keep_before and keep_after:
                continue
            middle = word_runs[keep_before : n - keep_after]
            if len(middle) < 2:
                continue
            initials = MARK + "".join(w[0] for w in middle)
            out.append("".join(word_runs[:keep_before]) + initials + "".join(word_runs[n - keep_after :]))
    return out
