"""kg's spaCy extraction pipeline: components, the packaged trained pipeline, and its version.

The pipeline (``kg/nlp/model``, built by ``scripts/train_ner.py`` from ``kg/nlp/config.cfg``)
runs, in order: ``kg_sentences`` (rule-based sentence boundaries), ``kg_abbreviations``
(Schwartz & Hearst pairs), ``tok2vec`` + ``ner`` (a CNN NER trained on the annotated corpora),
the entity rules (``kg_gazetteer``, ``kg_span_repair``, ``kg_output_labels``) and
``kg_relations`` (whose relation classifier is its own file in the pipeline directory,
``kg_relations/model.json.gz``). See ``docs/extraction.md`` for what each step gains on the dev sets.

Example
-------
>>> nlp = load_pipeline()                                   # doctest: +SKIP
>>> [(e.text, e.label_) for e in nlp("We train ResNet on ImageNet.").ents]  # doctest: +SKIP
[('ResNet', 'METHOD'), ('ImageNet', 'DATASET')]
"""

from __future__ import annotations

import ast
import hashlib
import importlib
from functools import lru_cache
from pathlib import Path

#: The trained pipeline shipped with the package (the fast extractor: a CNN).
DEFAULT_MODEL: Path = Path(__file__).resolve().parent / "model"

#: The accurate extractor: a fine-tuned MiniLM encoder (ONNX) with the same span rules.
ACCURATE_MODEL: Path = Path(__file__).resolve().parent / "model_accurate"

#: ``--extractor`` choices and their pipeline directories (``fast`` is the default).
EXTRACTORS: dict[str, Path] = {"fast": DEFAULT_MODEL, "accurate": ACCURATE_MODEL}

#: Name and version of kg's extractor; bump RULES_VERSION when a rule changes behaviour.
PIPELINE_NAME = "kg-ner"
RULES_VERSION = "0.2.0"

#: Modules that register kg's spaCy factories (imported before a pipeline is loaded).
COMPONENT_MODULES: tuple[str, ...] = (
    "kg.nlp.extensions",
    "kg.nlp.sentences",
    "kg.nlp.abbreviations",
    "kg.nlp.nospace",
    "kg.nlp.encoder",
    "kg.nlp.gazetteer",
    "kg.nlp.spans",
    "kg.nlp.labels",
    "kg.nlp.relations",
)


def register_components() -> list[str]:
    """Import every module of :data:`COMPONENT_MODULES` (registering kg's spaCy factories);
    returns their names. A missing module is an error (ImportError), not skipped."""
    for name in COMPONENT_MODULES:
        importlib.import_module(name)
    return list(COMPONENT_MODULES)


def model_for(extractor: str | None, model: str | Path | None = None) -> str | None:
    """The pipeline directory for ``--extractor`` (an explicit ``--model`` wins); None = default.

    >>> model_for(None) is None and model_for("fast") == str(DEFAULT_MODEL)
    True
    """
    if model is not None:
        return str(model)
    if extractor is None:
        return None
    if extractor not in EXTRACTORS:
        raise ValueError(f"unknown extractor {extractor!r}; choose from {', '.join(EXTRACTORS)}")
    return str(EXTRACTORS[extractor])


def _model_path(model: str | Path | None) -> Path:
    path = Path(model) if model is not None else DEFAULT_MODEL
    path = path.expanduser().resolve()
    if not (path / "config.cfg").is_file():
        raise FileNotFoundError(f"{path} is not a spaCy pipeline directory (no config.cfg)")
    return path


@lru_cache(maxsize=4)
def _load(path: Path):
    import spacy

    from kg.nlp.ops import use_blas_ops

    register_components()
    nlp = spacy.load(path)
    use_blas_ops(nlp)
    return nlp


def load_pipeline(model: str | Path | None = None):
    """The spaCy pipeline at ``model`` (default :data:`DEFAULT_MODEL`), loaded once per process.

    Works offline: everything the pipeline needs is in its directory and in kg's code.

    Raises
    ------
    FileNotFoundError
        When ``model`` is not a pipeline directory.
    """
    return _load(_model_path(model))


@lru_cache(maxsize=1)
def versioned_modules() -> tuple[str, ...]:
    """The modules whose code decides a pipeline's output, hashed into :func:`pipeline_version`.

    Derived, not listed: ``kg.nlp`` itself (it loads the pipeline), every module of
    :data:`COMPONENT_MODULES`, and every ``kg.nlp`` module any of them imports, directly or
    not, deferred imports inside functions included (read from their source with :mod:`ast`),
    so a helper is covered as soon as a component imports it.

    >>> {"kg.nlp.relations", "kg.nlp.relation_classifier", "kg.nlp.doc_arrays", "kg.nlp.ops"} <= set(versioned_modules())
    True
    """
    here = Path(__file__).resolve().parent
    todo, seen = ["kg.nlp", *COMPONENT_MODULES], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for node in ast.walk(ast.parse(_module_file(here, name).read_bytes())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "kg.nlp":
                todo.extend(f"kg.nlp.{alias.name}" for alias in node.names if (here / f"{alias.name}.py").is_file())
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("kg.nlp."):
                todo.append(node.module)
            elif isinstance(node, ast.Import):
                todo.extend(alias.name for alias in node.names if alias.name.startswith("kg.nlp."))
    return tuple(sorted(seen))


def _module_file(here: Path, name: str) -> Path:
    return here / "__init__.py" if name == "kg.nlp" else here / (name.removeprefix("kg.nlp.").replace(".", "/") + ".py")


@lru_cache(maxsize=8)
def _version(path: Path, stamp: tuple) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
    # the code is part of what a pipeline outputs: hash every module that decides it
    here = Path(__file__).resolve().parent
    for name in versioned_modules():
        digest.update(_module_file(here, name).read_bytes())
    return f"{PIPELINE_NAME} {RULES_VERSION} (model sha256:{digest.hexdigest()[:12]})"


def pipeline_version(model: str | Path | None = None) -> str:
    """A version string that changes whenever the model files or the code that decides the
    output change (the pipeline directory's files and the sources of :func:`versioned_modules`).

    It keys the extraction cache, e.g. ``"kg-ner 0.1.0 (model sha256:abcdef123456)"``.
    """
    path = _model_path(model)
    # hashing is cached, keyed on the files' sizes and modification times
    stamp = tuple((str(p), st.st_size, st.st_mtime_ns) for p in sorted(path.rglob("*")) if p.is_file() for st in [p.stat()])
    return _version(path, stamp)
