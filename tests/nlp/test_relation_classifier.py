"""The packaged relation classifier: loads, predicts, trains deterministically."""

from __future__ import annotations

from kg.nlp.relation_classifier import NONE, AveragedPerceptron, candidate_pairs, classify_sentence, load_model, pair_features
from kg.nlp.relations import doc_relations


def test_packaged_model_predicts_typical_patterns():
    model, meta = load_model()
    assert meta["version"] and meta["margin_scale"] > 0 and model.classes[0] != ""
    t = "We apply graph neural networks to node classification, such as GCN and GAT."
    ents = [(9, 30, "METHOD"), (34, 53, "TASK"), (63, 66, "METHOD"), (71, 74, "METHOD")]
    found = {(h, t_, label) for h, t_, label, _, _ in classify_sentence(model, meta, t, (0, len(t)), ents)}
    assert (0, 1, "USED-FOR") in found
    assert (2, 3, "CONJUNCTION") in found


def test_metric_evaluations_are_measured_by():
    t = "Our model improves the accuracy of BERT on SQuAD."
    ents = [(23, 31, "METRIC"), (35, 39, "METHOD"), (43, 48, "DATASET")]
    rels, _ = doc_relations(t, [(0, len(t))], ents, load_model())
    assert all(label != "EVALUATE-FOR" or ents[h][2] != "METRIC" for h, _, label, _, _ in rels)


def test_candidates_are_bounded():
    ents = [(i * 10, i * 10 + 3, "METHOD") for i in range(12)]
    pairs = candidate_pairs(ents)
    assert all(j - i - 1 <= 4 for i, j, _ in pairs) and (0, 5, 4) in pairs and (0, 6, 5) not in pairs


def test_training_is_deterministic_and_learns():
    data = []
    for w in ("for", "to", "and", "or", "with"):
        t = f"A {w} B."
        label = {"for": ">USED-FOR", "to": ">USED-FOR", "and": ">CONJUNCTION", "or": ">CONJUNCTION", "with": NONE}[w]
        data.append((pair_features(t, (0, len(t)), [(0, 1, "METHOD"), (3 + len(w), 4 + len(w), "TASK")], 0, 1), label))
    a, b = AveragedPerceptron(), AveragedPerceptron()
    a.train(data * 3, epochs=5, seed=1)
    b.train(data * 3, epochs=5, seed=1)
    assert a.to_json({}) == b.to_json({})
    assert [a.predict(f)[0] for f, _ in data] == [y for _, y in data]
