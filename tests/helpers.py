"""Helpers shared by tests in several folders."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` as a module (scripts/ is not a package), imported once per process and
    registered as ``kg_scripts_<name>`` (so that its dataclasses and pickles find their module).

    Example
    -------
    >>> load_script("regen_golden") is load_script("regen_golden")
    True
    """
    module_name = f"kg_scripts_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
