"""The packaged pipeline: loading, caching, output contract, version string, dev quality."""

import re
import shutil
from pathlib import Path

import pytest

from kg.models import LABELS
from kg.nlp import DEFAULT_MODEL, load_pipeline, pipeline_version
from kg.nlp.evaluate import evaluate_file

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

TEXT = (
    "Deep Residual Learning for Image Recognition\n"
    "We train convolutional neural networks (CNNs) on ImageNet and report top-1 accuracy for image "
    "classification, e.g. with SGD. Our approach beats the standard model. CNNs are fast."
)


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def test_loaded_once_per_process(nlp):
    assert load_pipeline() is nlp
    assert load_pipeline(DEFAULT_MODEL) is nlp


def test_component_order(nlp):
    names = nlp.pipe_names
    assert names[0] == "kg_sentences" and names[-1] == "kg_relations"
    assert names.index("kg_abbreviations") < names.index("kg_ner_without_spaces") < names.index("kg_gazetteer")
    assert names.index("kg_gazetteer") < names.index("kg_span_repair") < names.index("kg_output_labels")
    # tok2vec and ner ship in the directory but run inside kg_ner_without_spaces
    assert set(nlp.disabled) == {"tok2vec", "ner"} and {"tok2vec", "ner"} <= set(nlp.component_names)


def test_extra_whitespace_does_not_change_the_entities(nlp):
    spaced = "Graph neural networks  (GNNs) are used\n for  node classification on  Cora  with  dropout."
    plain = " ".join(spaced.split())
    a = [(e.text.split(), e.label_) for e in nlp(spaced).ents]
    b = [(e.text.split(), e.label_) for e in nlp(plain).ents]
    assert a == b and len(a) >= 3
    for e in nlp(spaced).ents:
        assert spaced[e.start_char : e.end_char] == e.text


def test_output_contract(nlp):
    doc = nlp(TEXT)
    assert doc.ents, "the packaged model found nothing in an obvious abstract"
    assert {e.label_ for e in doc.ents} <= set(LABELS)
    sents = [s.text.strip() for s in doc.sents]
    assert sents[0] == "Deep Residual Learning for Image Recognition"
    assert len(sents) == 4
    for e in doc.ents:
        assert e.text == e.text.strip() and e.text[-1] not in ",.;:" and e.text.split()[0].lower() not in {"the", "our", "a"}
        assert e.text.lower() not in {"approach", "model", "the standard model"}
    assert doc._.abbreviations and doc._.abbreviations[0].short == "CNNs"
    assert isinstance(doc._.relations, list) and isinstance(doc._.roles, list)


def test_finds_obvious_mentions(nlp):
    found = {(e.text, e.label_) for e in nlp(TEXT).ents}
    assert ("ImageNet", "DATASET") in found
    assert ("image classification", "TASK") in found
    assert ("CNNs", "METHOD") in found


def test_pipeline_version_tracks_model_files(tmp_path):
    version = pipeline_version()
    assert re.fullmatch(r"kg-ner \d+\.\d+\.\d+ \(model sha256:[0-9a-f]{12}\)", version)
    assert pipeline_version(DEFAULT_MODEL) == version
    copy = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL, copy)
    assert pipeline_version(copy) == version
    meta = copy / "meta.json"
    meta.write_text(meta.read_text() + " ")
    assert pipeline_version(copy) != version


_LOADED_NLP_MODULES = """
import sys
from kg.nlp import ACCURATE_MODEL, DEFAULT_MODEL, load_pipeline
for model in (DEFAULT_MODEL, ACCURATE_MODEL):
    if (model / "config.cfg").is_file():
        list(load_pipeline(model).pipe([sys.argv[1]] * 2))
print(" ".join(sorted(m for m in sys.modules if m == "kg.nlp" or m.startswith("kg.nlp."))))
"""


@pytest.mark.slow
def test_every_module_a_running_pipeline_uses_is_in_its_version():
    """The interpreter is the oracle: the kg.nlp modules loaded while both shipped pipelines run
    (deferred imports included) all have their source hashed into pipeline_version."""
    import subprocess
    import sys

    from kg.nlp import versioned_modules

    loaded = subprocess.run([sys.executable, "-c", _LOADED_NLP_MODULES, TEXT], capture_output=True, text=True, check=True).stdout.split()
    assert {"kg.nlp.doc_arrays", "kg.nlp.relation_classifier", "kg.nlp.encoder_tags"} <= set(loaded)
    assert set(loaded) <= set(versioned_modules())


def test_not_a_pipeline_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a spaCy pipeline"):
        load_pipeline(tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(not (DATA / "dev" / "scierc.jsonl").exists(), reason="../shared/data is not here")
def test_scierc_dev_quality_does_not_regress():
    result = evaluate_file(DATA / "dev" / "scierc.jsonl")
    assert result["labels"] == ["METHOD", "METRIC", "TASK"]
    assert result["strict"]["micro"]["f1"] >= 0.5
    assert result["overlap"]["micro"]["f1"] >= 0.65
