"""The hand-written relation and role rules, over plain text and ``(start, end, label)`` spans.

Pair rules look at the words *between* two entities of one sentence, in the spirit of Hearst
patterns: "X for Y" (X USED-FOR Y), "Y using X" (X USED-FOR Y), "Y such as X" (X HYPONYM-OF Y),
"X outperforms Y" (COMPARE), "X and Y" (CONJUNCTION), "X of the Y" (PART-OF), "M of X" / "X in
terms of M" (X MEASURED-BY M), "X on D" (D EVALUATE-FOR X). Labels follow SciERC (Luan et al.
2018) with one addition: a metric evaluating a method or task is written ``X MEASURED-BY M``
(SciERC writes ``M EVALUATE-FOR X``); scripts/eval_relations.py maps it back when scoring.

Roles come from the sentence's verb: "we propose / introduce / present X" -> proposes,
"we use / adopt / build on X" -> uses, "we evaluate on D" / "experiments on D" -> evaluates_on,
"X achieves 92% M" / "we report M" -> reports, "we address / tackle / study T" -> addresses.

This module imports no spaCy and no model: the ``kg_relations`` component
(:mod:`kg.nlp.relations`), the relation classifier's features
(:mod:`kg.nlp.relation_classifier`), the graph builder's default roles (:mod:`kg.build`, which
reads the cue patterns) and scripts/eval_relations.py all use these same rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

#: Version of the rules; part of every relation's rule name so that evidence says what made it.
RULES_VERSION = "1"

#: Entity labels that can be "evaluated on" (named datasets; SciERC's Material when scoring).
DATA_LABELS = frozenset({"DATASET", "ORIG:Material"})
METRIC_LABELS = frozenset({"METRIC"})
#: Labels that can be used for something or evaluated (SciERC's Generic "method"/"system" too).
SYSTEM_LABELS = frozenset({"METHOD", "TASK", "ORIG:Generic", "ORIG:OtherScientificTerm"})

#: Most words two related entities may have between them.
MAX_GAP_TOKENS = 8

#: A word (inner hyphens, apostrophes and dots kept) or one punctuation mark: the tokens of
#: the rules' gaps and of the classifier's features.
TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")


def normalise_gap(text: str) -> str:
    """The words between two entities, lower-cased, one space between tokens.

    Example
    -------
    >>> normalise_gap(" , such as  ")
    ', such as'
    """
    return " ".join(TOKEN.findall(text.lower()))


@dataclass(frozen=True, slots=True)
class PairRule:
    """One pattern over the gap between a left entity ``a`` and the next entity ``b``.

    ``pattern`` must match the whole normalised gap; ``reverse`` makes ``b`` the head;
    ``left`` / ``right`` restrict the labels of ``a`` / ``b`` (None: any label); ``same``
    requires equal labels.
    """

    name: str
    label: str
    pattern: re.Pattern
    confidence: float
    reverse: bool = False
    left: frozenset | None = None
    right: frozenset | None = None
    same: bool = False


def _rule(name, label, pattern, confidence, **kw) -> PairRule:
    return PairRule(name, label, re.compile(rf"^(?:{pattern})$"), confidence, **kw)


_DET = r"(?: (?:a|an|the|their|its|our|this|these|each|both|various|several|many|different|existing|other|two|three|multiple))?"
_NOT_METRIC = frozenset({"METHOD", "TASK", "DATASET", "ORIG:Generic", "ORIG:OtherScientificTerm", "ORIG:Material"})

#: Ordered: the first rule that matches a pair wins.
PAIR_RULES: tuple[PairRule, ...] = (
    # "X and Y", "X, Y", "X or Y": same label on both sides
    _rule("conjunction", "CONJUNCTION", r"(?:, )?(?:and|or|as well as|and / or|/|, and also|and also)" + _DET + r"|,", 0.7, same=True),
    # "Y such as X", "Y, e.g., X", "Y including X", "Y like X": X is a kind of Y
    _rule(
        "such-as",
        "HYPONYM-OF",
        r"(?:, )?(?:such as|including|like|e\.g|e\.g \.|e\.g \. ,|e\.g ,|for example|for example ,|for instance|for instance ,|especially|particularly|in particular|namely|i\.e \. ,|i\.e \.)" + _DET,
        0.75,
        reverse=True,
    ),
    _rule("such-as-paren", "HYPONYM-OF", r"\((?: e\.g \.(?: ,)?)?", 0.5, reverse=True, same=True),
    # "X, a Y", "X is a Y", "X, a kind of Y": X is a kind of Y
    _rule("apposition", "HYPONYM-OF", r", (?:a|an)(?: new| novel| simple| generic| general| popular| powerful| widely used| well-known)?|(?:is|are|was|as) (?:a|an)(?: kind of| type of| form of| class of| family of| variant of)?|, (?:a|an) (?:kind|type|form|class|family|variant) of|(?:is|are) (?:a )?(?:kind|type|form|class|family|variant) of" + _DET, 0.6, left=_NOT_METRIC, right=_NOT_METRIC),
    _rule("called", "HYPONYM-OF", r"(?:, )?(?:called|named|dubbed|termed|which we call|referred to as|known as)", 0.6, reverse=True),
    # comparisons
    _rule(
        "compare",
        "COMPARE",
        r"(?:(?:consistently|significantly|substantially|clearly|greatly|also|further|even|largely) )?(?:outperforms?|outperformed|outperforming|surpass(?:es|ed)?|beats?|improves? (?:over|upon|on)|compared (?:to|with|against)|(?:is |are )?(?:superior|comparable|competitive|similar) (?:to|with)|(?:is |are )?better than|than|versus|vs \.?|vs|against|with respect to|over)" + _DET + r"(?: (?:strong|state-of-the-art|existing|previous|baseline|conventional|traditional|standard))?",
        0.65,
        left=_NOT_METRIC,
        right=_NOT_METRIC,
    ),
    # metrics: "M of X", "X in terms of M", "X measured by M", "X achieves ... M"
    _rule("metric-of", "MEASURED-BY", r"(?:of|for|on)" + _DET, 0.6, reverse=True, left=METRIC_LABELS, right=SYSTEM_LABELS),
    _rule("in-terms-of", "MEASURED-BY", r"(?:in terms of|measured (?:by|in|with)|evaluated (?:by|with|using)|(?:with respect to|w\.r\.t \.?)|(?:achieves?|achieved|attains?|reaches|improves?|yields?|obtains?|reports?)(?: a| an| the| higher| lower| better| state-of-the-art| competitive| high| low)?|(?:with|at)(?: a| the| higher| lower| better| high| low)?)" + _DET, 0.55, left=SYSTEM_LABELS, right=METRIC_LABELS),
    # datasets: "X on D", "X evaluated on D", "D is used to evaluate X"
    _rule("evaluated-on", "EVALUATE-FOR", r"(?:(?:is |are |was |were )?(?:evaluated|tested|benchmarked|trained|validated|experiments|results|experimented|assessed)(?: extensively)? )?(?:on|using|over|across|from)" + _DET + r"(?: (?:benchmark|standard|public|publicly available|real|real-world|large-scale|popular))?", 0.6, reverse=True, left=SYSTEM_LABELS, right=DATA_LABELS),
    # "X for Y", "X to Y", "X used for Y": X USED-FOR Y
    _rule(
        "for",
        "USED-FOR",
        r"(?:(?:is |are |was |were |can be |be )?(?:used|applied|employed|designed|developed|proposed|adopted|utilized|exploited|suitable|useful|effective|successful|trained|tailored|intended|optimized) )?(?:for|to|towards|in order to)(?: (?:the|a|an|efficient|effective|accurate|robust|fast|large-scale|automatic|unsupervised|supervised|improving|improve|solving|solve|performing|perform|learning|learn|estimating|estimate|building|build|producing|produce|tackle|tackling|address|addressing|handle|handling|enable|enabling|support|supporting|achieve|achieving|detect|detecting|model|modeling|modelling|represent|representing|generate|generating|predict|predicting|compute|computing|capture|capturing|extract|extracting|identify|identifying|recognize|recognizing|train|training|classify|classifying))*",
        0.65,
    ),
    _rule("applied-to", "USED-FOR", r"(?:is |are |was |were |can be )?(?:applied|adapted|extended|generalized) to" + _DET, 0.6),
    # "Y using X", "Y based on X", "Y with X", "Y by X", "Y via X": X USED-FOR Y
    _rule(
        "using",
        "USED-FOR",
        r"(?:, )?(?:(?:which|that) )?(?:using|uses|use|used|employs?|employing|adopts?|adopting|exploits?|exploiting|leverag(?:es?|ing)|utiliz(?:es?|ing)|utilis(?:es?|ing)|relies on|relying on|rely on|is based on|are based on|based on|built on|builds on|build on|on top of|via|through|by|by using|by means of|by applying|with the help of|driven by|guided by|trained with|trained on|learned from|learned with|obtained from|derived from|from|powered by|combined with|with|under|incorporat(?:es?|ing))" + _DET + r"(?: (?:novel|new|simple|single|standard|proposed|learned|trained|pre-trained|pretrained))?",
        0.55,
        reverse=True,
        left=_NOT_METRIC,
        right=_NOT_METRIC,
    ),
    # "X of the Y", "X in Y", "Y consists of X": part-whole
    _rule("part-of", "PART-OF", r"(?:of|in|within|inside|into)" + _DET, 0.45, left=frozenset({"METHOD", "ORIG:Generic", "ORIG:OtherScientificTerm"}), right=frozenset({"METHOD", "ORIG:Generic"})),
    _rule("consists-of", "PART-OF", r"(?:consists of|consisting of|composed of|contains?|containing|comprises?|comprising|includes?|is made of|has|have)" + _DET, 0.5, reverse=True),
    _rule("feature-of", "FEATURE-OF", r"(?:of|in|about|for)" + _DET, 0.4, left=frozenset({"ORIG:OtherScientificTerm"})),
)


def pair_relations(text: str, ents: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str, str, float]]:
    """Relations between consecutive entities of one sentence (plus list expansion).

    Parameters
    ----------
    text : the text the offsets point into.
    ents : ``(start, end, label)`` of the sentence's entities, sorted by start, not overlapping.

    Returns
    -------
    ``(head, tail, label, rule, confidence)`` with head/tail indexing ``ents``.

    Example
    -------
    >>> t = "We use graph neural networks for node classification."
    >>> pair_relations(t, [(7, 28, "METHOD"), (33, 52, "TASK")])
    [(0, 1, 'USED-FOR', 'rule:for/1', 0.65)]
    """
    out: list[tuple[int, int, str, str, float]] = []
    rule_of_pair: dict[int, PairRule] = {}
    for i in range(len(ents) - 1):
        a, b = ents[i], ents[i + 1]
        gap = normalise_gap(text[a[1] : b[0]])
        if len(gap.split()) > MAX_GAP_TOKENS or ". " in text[a[1] : b[0]]:
            continue
        for rule in PAIR_RULES:
            if rule.same and a[2] != b[2]:
                continue
            if rule.left is not None and a[2] not in rule.left:
                continue
            if rule.right is not None and b[2] not in rule.right:
                continue
            if not rule.pattern.match(gap):
                continue
            head, tail = (i + 1, i) if rule.reverse else (i, i + 1)
            out.append((head, tail, rule.label, f"rule:{rule.name}/{RULES_VERSION}", rule.confidence))
            rule_of_pair[i] = rule
            break
    out.extend(_list_expansion(out, rule_of_pair, len(ents)))
    return sorted(set(out))


def _list_expansion(found, rule_of_pair: dict[int, PairRule], n: int) -> list[tuple[int, int, str, str, float]]:
    """"Y such as A, B and C": B and C are kinds of Y too; "A, B and C for T": each is used for T."""
    extra = []
    for i, rule in rule_of_pair.items():
        if rule.name == "such-as":
            j = i + 1
            while j + 1 < n and rule_of_pair.get(j) is not None and rule_of_pair[j].label == "CONJUNCTION":
                j += 1
                extra.append((j, i, "HYPONYM-OF", f"rule:such-as-list/{RULES_VERSION}", rule.confidence - 0.1))
    return extra


PROPOSE_CUE = re.compile(
    r"\b(?:we|this (?:paper|work|article|study)|here we|in this (?:paper|work), we)\s+(?:\w+ly\s+)?(?:propose[sd]?|introduce[sd]?|present(?:s|ed)?|develop(?:s|ed)?|design(?:s|ed)?|devise[sd]?|put forward|describe[sd]?|release[sd]?|construct(?:s|ed)?|create[sd]?|formulate[sd]?|contribute[sd]?|build|builds|offer(?:s|ed)?)\b",
    re.I,
)
NAMED_CUE = re.compile(r"(?:called|named|dubbed|termed|coined|which we call|referred to as)\s*$", re.I)
NOVEL_APPOSITION = re.compile(r"^\s*(?:\(\s*[^()]{1,20}\s*\)\s*)?,\s*(?:a|an)\s+(?:new|novel)\b", re.I)
USE_CUE = re.compile(
    r"\b(?:we|our (?:method|approach|model|framework))\s+(?:\w+ly\s+)?(?:use[sd]?|employ(?:s|ed)?|adopt(?:s|ed)?|leverage[sd]?|utili[sz]e[sd]?|exploit(?:s|ed)?|appl(?:y|ies|ied)|build(?:s)? (?:on|upon)|buil[td] (?:on|upon)|rel(?:y|ies|ied) on|combine[sd]?|train(?:s|ed)?|fine-tune[sd]?|extend(?:s|ed)?|follow(?:s|ed)?|incorporate[sd]?|integrate[sd]?)\b|\b(?:based on|built (?:on|upon)|using|with the help of|by means of)\b",
    re.I,
)
EVALUATION_CUE = re.compile(
    r"\b(?:evaluat(?:e|es|ed|ing|ion)|compar(?:e|es|ed|ing|ison|isons)|experiment(?:s|al)?|benchmark(?:s|ed|ing)?|test(?:s|ed)?|validat(?:e|es|ed|ion)|results|empirical(?:ly)?|demonstrat(?:e|es|ed)|outperform(?:s|ed|ing)?|achiev(?:e|es|ed|ing)|state-of-the-art|sota)\b",
    re.I,
)
RESULT_CUE = re.compile(
    r"\b(?:achiev(?:e|es|ed|ing)|report(?:s|ed)?|improv(?:e|es|ed|ing|ement|ements)|reduc(?:e|es|ed|ing|tion)|outperform(?:s|ed|ing)?|increas(?:e|es|ed)|obtain(?:s|ed)?|gain(?:s)?|attain(?:s|ed)?|reach(?:es|ed)?|measured|higher|lower|better)\b|\d\s?%|\d+\.\d+",
    re.I,
)
ADDRESS_CUE = re.compile(
    r"\b(?:we|this (?:paper|work|article|study)|in this (?:paper|work), we)\s+(?:\w+ly\s+)?(?:address(?:es|ed)?|tackle[sd]?|stud(?:y|ies|ied)|investigate[sd]?|focus(?:es|ed)? on|consider(?:s|ed)?|explore[sd]?|solve[sd]?|examine[sd]?|target(?:s|ed)?)\b|\b(?:the (?:problem|task) of|for the task of)\b",
    re.I,
)


def sentence_roles(text: str, sent_start: int, sent_end: int, ents: Sequence[tuple[int, int, str]]) -> list[tuple[int, str, str, float]]:
    """The paper's roles towards the entities of one sentence: ``(ent, role, rule, confidence)``.

    ``proposes`` needs a proposing verb before the entity ("we propose X"), a naming phrase just
    before it ("a model called X") or a novelty apposition just after it ("X, a novel ...");
    METHOD and DATASET only. The other roles need a cue anywhere in the sentence: METHOD/DATASET
    after a use cue -> uses; DATASET with an evaluation cue -> evaluates_on; METRIC with a
    result cue -> reports; TASK after an address cue -> addresses.

    Example
    -------
    >>> t = "We propose GraphSAGE-X and evaluate it on Cora."
    >>> sentence_roles(t, 0, len(t), [(11, 22, "METHOD"), (42, 46, "DATASET")])
    [(0, 'proposes', 'rule:propose-verb/1', 0.8), (1, 'evaluates_on', 'rule:evaluation-sentence/1', 0.7)]
    """
    sentence = text[sent_start:sent_end]
    roles: list[tuple[int, str, str, float]] = []
    propose = PROPOSE_CUE.search(sentence)
    address = ADDRESS_CUE.search(sentence)
    use = USE_CUE.search(sentence)
    evaluate = EVALUATION_CUE.search(sentence)
    report = RESULT_CUE.search(sentence)
    first_after_propose = True
    for i, (start, end, label) in enumerate(ents):
        rel_start, rel_end = start - sent_start, end - sent_start
        before = sentence[:rel_start]
        if label in ("METHOD", "DATASET"):
            if NAMED_CUE.search(before[-40:]) or NOVEL_APPOSITION.match(sentence[rel_end:]):
                roles.append((i, "proposes", f"rule:named-new/{RULES_VERSION}", 0.8))
                continue
            if propose and propose.end() <= rel_start and first_after_propose and _same_clause(sentence, propose.end(), rel_start):
                roles.append((i, "proposes", f"rule:propose-verb/{RULES_VERSION}", 0.8))
                first_after_propose = False
                continue
        if label == "DATASET" and evaluate:
            roles.append((i, "evaluates_on", f"rule:evaluation-sentence/{RULES_VERSION}", 0.7))
        elif label in ("METHOD", "DATASET") and use and use.end() <= rel_start and _same_clause(sentence, use.end(), rel_start):
            roles.append((i, "uses", f"rule:use-verb/{RULES_VERSION}", 0.7))
        elif label == "METRIC" and report:
            roles.append((i, "reports", f"rule:result-sentence/{RULES_VERSION}", 0.7))
        elif label == "TASK" and address and address.end() <= rel_start:
            roles.append((i, "addresses", f"rule:address-verb/{RULES_VERSION}", 0.75))
    return roles


def _same_clause(sentence: str, start: int, end: int) -> bool:
    """No clause break (``;``, ``. ``, ``, which``, ``, but``, ``while``) between two offsets."""
    return re.search(r";|\.\s|,\s*(?:which|but|while|whereas|and we)\b|\bwhile\b|\bwhereas\b", sentence[start:end]) is None
