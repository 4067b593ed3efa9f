"""Run tok2vec + ner on the text without its extra whitespace (component ``kg_ner_without_spaces``).

spaCy turns every run of whitespace beyond one space into a token of its own (a newline, a
double space). Those tokens take places in the CNN's window and push real context out of
it, and a whitespace token inside or next to a mention makes the NER lose the span. SciERC's
text, for one, carries an extra space around every annotated span: the NER scored 2.7 points
lower on it than on the same text with collapsed spaces.

This component runs the pipeline's own ``tok2vec`` and ``ner`` (listed in the pipeline but
disabled, so they do not also run on the original Doc) on a compact copy of each Doc without
whitespace tokens, keeping the sentence boundaries, and maps the entities back by token index:
offsets stay those of the original text.
"""

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from kg.nlp.doc_arrays import token_table


def compact_doc(doc: Doc) -> tuple[Doc, list[int]]:
    """A Doc of ``doc``'s non-whitespace tokens, and the index in ``doc`` of each of its tokens.

    The compact Doc shares the vocabulary and keeps sentence starts (a sentence that began on a
    dropped whitespace token begins on the next kept token).
    """
    texts, whitespace, is_space, sent_start = token_table(doc)
    n = len(texts)
    kept = [i for i in range(n) if not is_space[i]]
    if len(kept) == n:
        return doc, kept
    if not kept:
        return Doc(doc.vocab, words=[]), []
    words, spaces, starts = [], [], []
    pending_start = False
    for i in range(n):
        if is_space[i]:
            pending_start = pending_start or sent_start[i] == 1
            continue
        words.append(texts[i])
        spaces.append(bool(whitespace[i]) or (i + 1 < n and is_space[i + 1]))
        starts.append(sent_start[i] == 1 or pending_start or not starts)
        pending_start = False
    return Doc(doc.vocab, words=words, spaces=spaces, sent_starts=starts), kept


class NerWithoutSpaces:
    """Callable component wrapping the (disabled) ``tok2vec`` and ``ner`` components."""

    def __init__(self, nlp: Language, name: str, tok2vec: str, ner: str):
        self.nlp = nlp
        self.name = name
        self.tok2vec = tok2vec
        self.ner = ner

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        tok2vec = self.nlp.get_pipe(self.tok2vec)
        ner = self.nlp.get_pipe(self.ner)
        for batch in minibatch(docs, batch_size):
            compact = [compact_doc(doc) for doc in batch]
            done = list(ner.pipe(tok2vec.pipe([c for c, _ in compact if len(c)])))
            it = iter(done)
            for doc, (small, index) in zip(batch, compact):
                if not len(small):
                    yield doc
                    continue
                small = next(it)
                if small is not doc:
                    doc.ents = [Span(doc, index[e.start], index[e.end - 1] + 1, label=e.label_) for e in small.ents]
                yield doc


@Language.factory("kg_ner_without_spaces", default_config={"tok2vec": "tok2vec", "ner": "ner"})
def make_ner_without_spaces(nlp: Language, name: str, tok2vec: str, ner: str):
    """Factory of ``kg_ner_without_spaces``: names of the components it runs."""
    return NerWithoutSpaces(nlp, name, tok2vec, ner)
