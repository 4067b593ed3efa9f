"""Typos: merge a form into a look-alike only when it is one edit away and nothing else is.

A key ``q`` joins a key ``t`` when:

* they are one insertion, deletion, substitution or transposition apart (Damerau);
* the edit falls inside a plain word of six or more letters, not on its first letter (short
  words differ in meaning: "max" / "min", "tree" / "free"), never on a digit, "+" or acronym;
* both are written in plain words somewhere (no internal capitals: "ResNeXt" is not a typo of
  "ResNet");
* ``t`` is the *only* key that close to ``q``, and ``t`` is at least as frequent;
* ``q`` is rare beside ``t`` (:func:`rare_beside`): written in one paper, or in so few papers
  that ``t`` has ``TYPO_RATIO`` times as many. Two forms that several papers each write are two
  names ("Wikipedia" / "Wikimedia"), however close;
* they are not two proper names built from different words (:func:`two_names`): when the word
  that differs is capitalised in every spelling of both, and the part of it that differs
  ("media" in "Wikimedia", from the edit to the word's end or from its start to the edit) is a
  word the corpus writes on its own, "Wikimedia" is a name, not a typo of "Wikipedia", even when
  one paper writes it;
* they are not two attested names (:func:`attested_names`): when the word that differs is
  capitalised in most mentions of both and ``q`` is written in ``NAME_PAPERS`` papers or more,
  "ImageNette" (eleven papers; a ten-class subset of ImageNet) is a dataset of its own, however
  many more papers write "ImageNet". A misspelt common word recurs (people share spelling
  habits: "langauge models" in two papers), a misspelt proper name hardly does: names are
  copied from their source, so a capitalised spelling that several papers write is a name.

Candidates are blocked by single-character deletions (the symmetric-delete trick), so the work
is linear in the number of distinct keys; only keys seen twice or more are indexed as targets
once the vocabulary is large (a typo's target is a form people write more than once).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping

from kg.resolve.normalize import MARK, clean_form, has_digit, run_texts, singular_stem

MIN_KEY_LENGTH = 8
MIN_WORD_LENGTH = 6
#: Above this many distinct keys, only keys with two or more mentions are typo targets.
SMALL_VOCABULARY = 50_000
#: A form written in two or more papers is a typo of a look-alike only when the look-alike is
#: written in at least this many times as many papers.
TYPO_RATIO = 10
#: The differing part of a proper name counts as a word of its own from this many letters.
MIN_PART_LENGTH = 4
#: A capitalised form written in this many papers is a name (:func:`attested_names`), never a typo.
NAME_PAPERS = 3


def rare_beside(q_papers: int, t_papers: int) -> bool:
    """Whether a form written in ``q_papers`` papers may be a typo of one written in ``t_papers``.

    Example
    -------
    >>> rare_beside(1, 1), rare_beside(2, 19), rare_beside(2, 20), rare_beside(12, 300)
    (True, False, True, True)
    """
    return q_papers <= 1 or t_papers >= TYPO_RATIO * q_papers


def differing_parts(a: str, b: str) -> list[str]:
    """The parts of two words one edit apart that hold the edit: from the edit to each word's
    end, and from each word's start to the edit (a whole word is not a part).

    Example
    -------
    >>> differing_parts("wikimedia", "wikipedia")
    ['media', 'pedia', 'wikim', 'wikip']
    """
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    s = 0
    while s < min(len(a), len(b)) - p and a[-1 - s] == b[-1 - s]:
        s += 1
    parts = [a[p:], b[p:], a[: len(a) - s], b[: len(b) - s]]
    return [x for x, w in zip(parts, (a, b, a, b)) if x != w]


def two_names(q_runs: tuple[str, ...], t_runs: tuple[str, ...], q_spellings: Iterable[str], t_spellings: Iterable[str], words: Container[str]) -> bool:
    """Whether two keys one edit apart are two proper names rather than a name and its typo: the
    word that differs is capitalised in every spelling of both, and a part of it that holds the
    edit (:func:`differing_parts`, :data:`MIN_PART_LENGTH` letters or more) is in ``words``
    (the runs of the corpus' keys).

    Example
    -------
    >>> two_names(("wikimedia",), ("wikipedia",), ["Wikimedia"], ["Wikipedia"], {"social", "media"})
    True
    >>> two_names(("wikipeida",), ("wikipedia",), ["Wikipeida"], ["Wikipedia"], {"social", "media"})
    False
    >>> two_names(("gradient", "decent"), ("gradient", "descent"), ["gradient decent"], ["gradient descent"], {"cent"})
    False
    """
    if len(q_runs) != len(t_runs):
        return False
    differ = [i for i, (x, y) in enumerate(zip(q_runs, t_runs)) if x != y]
    if len(differ) != 1:
        return False
    i = differ[0]
    for spellings in (q_spellings, t_spellings):
        for form in spellings:
            pieces = run_texts(clean_form(form))
            if len(pieces) != len(q_runs) or not pieces[i][:1].isupper():
                return False
    parts = differing_parts(q_runs[i], t_runs[i])
    return any(len(x) >= MIN_PART_LENGTH and (x in words or singular_stem(x) in words) for x in parts)


def _differing_word(q_runs: tuple[str, ...], t_runs: tuple[str, ...]) -> int | None:
    """The index of the one run in which two keys of as many runs differ, else None."""
    if len(q_runs) != len(t_runs):
        return None
    differ = [i for i, (x, y) in enumerate(zip(q_runs, t_runs)) if x != y]
    return differ[0] if len(differ) == 1 else None


def _capitalised_mostly(spellings: Mapping[str, int], i: int, n_runs: int) -> bool:
    """Whether more than half of the mentions of a key (``spellings``: form -> mentions) write
    run ``i`` of its ``n_runs`` with a capital first letter."""
    upper = total = 0
    for form, n in spellings.items():
        pieces = run_texts(clean_form(form))
        total += n
        if len(pieces) == n_runs and pieces[i][:1].isupper():
            upper += n
    return total > 0 and 2 * upper > total


def attested_names(q_runs: tuple[str, ...], t_runs: tuple[str, ...], q_spellings: Mapping[str, int], t_spellings: Mapping[str, int], q_papers: int) -> bool:
    """Whether two keys one edit apart are two names that the corpus attests: the word that
    differs is capitalised in most mentions of both, and ``q`` is written in
    :data:`NAME_PAPERS` papers or more.

    Independent papers copy a name from its source, so the same capitalised spelling in several
    of them is deliberate ("ImageNette" / "Imagenette" in eleven papers is a subset of ImageNet,
    not a typo of it), whereas a common word is misspelt the same way by chance ("langauge").

    Example
    -------
    >>> attested_names(("imagenett",), ("imagenet",), {"ImageNette": 6, "Imagenette": 5}, {"ImageNet": 594, "imagenet": 1}, 11)
    True
    >>> attested_names(("imagenett",), ("imagenet",), {"ImageNette": 2}, {"ImageNet": 594}, 2)
    False
    >>> attested_names(("language", "model"), ("langauge", "model"), {"langauge models": 3}, {"language models": 90}, 3)
    False
    """
    i = _differing_word(q_runs, t_runs)
    if i is None or q_papers < NAME_PAPERS:
        return False
    return _capitalised_mostly(q_spellings, i, len(q_runs)) and _capitalised_mostly(t_spellings, i, len(t_runs))


def editable_positions(key_runs: tuple[str, ...]) -> set[int]:
    """Character positions of the key (the runs joined) where a typo may be: inside plain words
    of ``MIN_WORD_LENGTH``+ letters, not their first letter.

    Example
    -------
    >>> sorted(editable_positions(("mean", "squared", "error")))
    [5, 6, 7, 8, 9, 10]
    """
    out: set[int] = set()
    pos = 0
    for run in key_runs:
        if run.isalpha() and not run.startswith(MARK) and len(run) >= MIN_WORD_LENGTH:
            out.update(range(pos + 1, pos + len(run)))
        pos += len(run)
    return out


def one_edit(a: str, b: str) -> int | None:
    """The position (in the longer / first string) of the single edit between ``a`` and ``b``,
    or None when they are equal or further apart.

    Example
    -------
    >>> one_edit("gradientdecent", "gradientdescent"), one_edit("abcd", "abdc"), one_edit("abc", "xyz")
    (10, 2, None)
    """
    if a == b or abs(len(a) - len(b)) > 1:
        return None
    i = 0
    n = min(len(a), len(b))
    while i < n and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        if a[i + 1 :] == b[i + 1 :]:
            return i
        if i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]:
            return i
        return None
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return i if longer[i + 1 :] == shorter[i:] else None


def _deletions(key: str, positions: set[int]):
    yield key
    for p in positions:
        if p < len(key):
            yield key[:p] + key[p + 1 :]


def _typo_between(a: str, a_positions: set[int], b: str, b_positions: set[int]) -> bool:
    """One edit apart, inside an editable word of both keys."""
    (longer, lp), (shorter, sp) = sorted(((a, a_positions), (b, b_positions)), key=lambda x: (-len(x[0]), x[0]))
    pos = one_edit(longer, shorter)
    if pos is None or pos not in lp:
        return False
    return pos in sp or (len(longer) != len(shorter) and pos - 1 in sp)


def typo_merges(
    key_runs: Mapping[str, tuple[str, ...]],
    counts: Mapping[str, int],
    plain: Mapping[str, bool],
    papers: Mapping[str, int] | None = None,
    spellings: Mapping[str, Mapping[str, int]] | None = None,
) -> list[tuple[str, str]]:
    """Pairs ``(typo key, target key)`` to merge, sorted (deterministic).

    Parameters
    ----------
    key_runs : key -> its runs (see :func:`kg.resolve.normalize.runs`).
    counts : key -> mentions.
    plain : key -> whether some surface form of it is written in plain words.
    papers : key -> papers writing it (default: ``counts``), for :func:`rare_beside`.
    spellings : key -> its surface forms and their mentions, for :func:`two_names` and
        :func:`attested_names` (None: both checks are off).
    """
    papers = counts if papers is None else papers
    eligible = {
        k: editable_positions(r)
        for k, r in key_runs.items()
        if len(k) >= MIN_KEY_LENGTH and plain.get(k, False) and not has_digit(k)
    }
    eligible = {k: p for k, p in eligible.items() if p}
    small = len(key_runs) <= SMALL_VOCABULARY
    # deletion variant's hash -> the key (or list of keys) with that variant. Hashes rather than
    # the variant strings: the index is resolution's peak of memory; a shared hash is confirmed
    # with the strings below, so a collision cannot add a candidate
    index: dict[int, str | list[str]] = {}
    for k, positions in eligible.items():
        if small or counts.get(k, 0) >= 2:
            for variant in _deletions(k, positions):
                h = hash(variant)
                have = index.get(h)
                if have is None:
                    index[h] = k
                elif type(have) is str:
                    if have != k:
                        index[h] = [have, k]
                elif k not in have:
                    have.append(k)
    merges = []
    words: set[str] | None = None  # every run of the corpus' keys, made when first needed
    for q, positions in sorted(eligible.items()):
        near = set()
        for variant in _deletions(q, positions):
            have = index.get(hash(variant))
            if have is None:
                continue
            for t in (have,) if type(have) is str else have:
                if t == q or t in near:
                    continue
                if _typo_between(q, positions, t, eligible[t]) and variant in _deletions(t, eligible[t]):
                    near.add(t)
        if len(near) != 1:
            continue
        (t,) = near
        if (counts.get(t, 0), t) > (counts.get(q, 0), q) or (counts.get(t, 0) == counts.get(q, 0) and t < q):
            if not rare_beside(papers.get(q, 0), papers.get(t, 0)):
                continue
            if spellings is not None:
                if words is None:
                    words = set().union(*key_runs.values())
                if two_names(key_runs[q], key_runs[t], spellings.get(q, ()), spellings.get(t, ()), words):
                    continue
                if attested_names(key_runs[q], key_runs[t], spellings.get(q, {}), spellings.get(t, {}), papers.get(q, 0)):
                    continue
            merges.append((q, t))
    return sorted(set(merges))
