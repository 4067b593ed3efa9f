"""Reading annotated JSONL and turning it into training Docs."""

import json

import pytest
import spacy

from kg.nlp.corpus import UNKNOWN_LABEL, CorpusError, GoldEntity, GoldRecord, collapse_spaces, flat_entities, read_records, record_to_doc


def write(tmp_path, lines):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_read_records_checks_offsets(tmp_path):
    good = json.dumps({"id": "a", "text": "We use BERT.", "entities": [{"start": 7, "end": 11, "label": "METHOD"}]})
    path = write(tmp_path, [good, "", good.replace('"a"', '"b"')])
    records = list(read_records(path))
    assert [r.id for r in records] == ["a", "b"]
    assert [r.line for r in records] == [1, 3]
    assert records[0].text[7:11] == "BERT"


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"id": "x"}), "'text'"),
        (json.dumps({"id": "x", "text": "abc", "entities": [{"start": 1, "end": 9, "label": "TASK"}]}), "outside the text"),
        (json.dumps({"id": "x", "text": "abc", "entities": [{"start": 1, "label": "TASK"}]}), "entity 0"),
    ],
)
def test_read_records_names_file_and_line(tmp_path, line, message):
    ok = json.dumps({"id": "a", "text": "abc", "entities": []})
    path = write(tmp_path, [ok, line])
    with pytest.raises(CorpusError) as err:
        list(read_records(path))
    assert f"{path}:2" in str(err.value) and message in str(err.value)


def test_collapse_spaces_moves_offsets():
    text = " \n An  entity-oriented approach  to  parsing  is proposed."
    ents = [GoldEntity(text.index("entity"), text.index("approach") + 8, "METHOD"), GoldEntity(text.index("parsing"), text.index("parsing") + 7, "TASK")]
    out = collapse_spaces(GoldRecord("r", text, ents))
    assert out.text == " \n An entity-oriented approach to parsing is proposed."
    assert [out.text[e.start : e.end] for e in out.entities] == ["entity-oriented approach", "parsing"]


def test_flat_entities_keeps_the_longest():
    ents = [GoldEntity(0, 4, "METHOD"), GoldEntity(0, 12, "METHOD"), GoldEntity(5, 9, "TASK"), GoldEntity(14, 20, "TASK")]
    assert flat_entities(ents) == [GoldEntity(0, 12, "METHOD"), GoldEntity(14, 20, "TASK")]


def test_record_to_doc_maps_labels_and_marks_misaligned_spans_missing():
    nlp = spacy.blank("en")
    text = "We apply BERTology to GLUE tasks."
    ents = [
        GoldEntity(9, 13, "METHOD"),  # "BERT" inside the token "BERTology": misaligned
        GoldEntity(22, 26, "DATASET"),
        GoldEntity(22, 32, "ORIG:Generic"),
    ]
    doc, missing = record_to_doc(nlp, GoldRecord("r", text, ents), {"ORIG:Generic": "X_GENERIC"})
    assert missing == 1
    assert [(e.text, e.label_) for e in doc.ents] == [("GLUE tasks", "X_GENERIC")]
    assert doc[2].ent_iob_ == ""  # missing: neither inside nor outside
    assert doc[0].ent_iob_ == "O"
    doc, _ = record_to_doc(nlp, GoldRecord("r", text, ents[1:]), {})
    assert [(e.text, e.label_) for e in doc.ents] == [("GLUE", "DATASET")]


def test_record_to_doc_marks_unknown_spans_missing():
    # a teacher's METHOD in a corpus that annotates no METHOD: neither entity nor outside
    nlp = spacy.blank("en")
    text = "We train ResNet on ImageNet."
    ents = [GoldEntity(9, 15, UNKNOWN_LABEL), GoldEntity(19, 27, "DATASET")]
    doc, missing = record_to_doc(nlp, GoldRecord("r", text, ents), {})
    assert missing == 1
    assert [(e.text, e.label_) for e in doc.ents] == [("ImageNet", "DATASET")]
    assert doc[2].ent_iob_ == ""
    assert [doc[i].ent_iob_ for i in (0, 1, 3, 5)] == ["O", "O", "O", "O"]
