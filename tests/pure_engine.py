"""CRAMP_PURE_ENGINE=1: the engine's modules imported from their .py source even where compiled
ones (setup.py, mypyc) sit beside them.

A few tests observe the engine from inside: they subclass `Case` to log which facts a rule reads,
or list its attributes, which compiled classes do not allow. They are marked `pure_engine`, skipped
when the engine is compiled, and `make test` runs them again in a session of their own with this set.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

ENGINE = Path(__file__).resolve().parents[1] / "service" / "advice"


class SourceFirst(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if not name.startswith("service.advice."):
            return None
        parts = name.split(".")[2:]
        package = ENGINE.joinpath(*parts)
        if (package / "__init__.py").exists():
            return importlib.util.spec_from_file_location(
                name, package / "__init__.py", submodule_search_locations=[str(package)])
        module = ENGINE.joinpath(*parts[:-1], parts[-1] + ".py")
        return importlib.util.spec_from_file_location(name, module) if module.exists() else None


def install_if_asked() -> None:
    """Put the finder first when CRAMP_PURE_ENGINE=1; before anything imports the engine."""
    if os.environ.get("CRAMP_PURE_ENGINE") == "1" and not any(isinstance(f, SourceFirst) for f in sys.meta_path):
        if any(name.startswith("service.advice.") for name in sys.modules):
            raise RuntimeError("CRAMP_PURE_ENGINE=1 came too late: the engine is already imported")
        sys.meta_path.insert(0, SourceFirst())
