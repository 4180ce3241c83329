"""The clinical engine: facts in, assessment out. Pure Python, no Flask, deterministic.

The modules below may be compiled by mypyc at install time (setup.py): same source, C speed. This
file is never compiled; it refuses to import the engine when a compiled module no longer matches
its source, so an edited rule can never be shadowed by a stale build.
"""
from __future__ import annotations

import hashlib
import json
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def compiled_modules(here: Path = _HERE) -> list[str]:
    """The engine modules installed as compiled extensions, as source paths ("rules/doctor.py")."""
    found = []
    suffixes = sorted(EXTENSION_SUFFIXES, key=len, reverse=True)  # ".cpython-311-...so" before ".so"
    for path in here.rglob("*.*"):
        name = str(path.relative_to(here))
        suffix = next((s for s in suffixes if name.endswith(s)), None)
        if suffix:
            found.append(name[: -len(suffix)] + ".py")
    return sorted(found)


def check_compiled(here: Path = _HERE) -> None:
    """ImportError unless every compiled module was built from the source beside it (compiled.json)."""
    modules = compiled_modules(here)
    if not modules:
        return
    try:
        recorded = json.loads((here / "compiled.json").read_text(encoding="utf-8"))["sources"]
    except (OSError, ValueError, KeyError, TypeError):
        recorded = {}
    stale = [m for m in modules if not (here / m).exists()
             or recorded.get(m) != hashlib.sha256((here / m).read_bytes()).hexdigest()]
    if stale:
        raise ImportError(
            f"service/advice: compiled module(s) {', '.join(stale)} do not match their source; rebuild"
            " them (make install, or pip install -e .) or delete the compiled files (*.so)"
        )


check_compiled()

from service.advice import engine as _engine  # noqa: E402 - only once the compiled modules are checked
from service.advice.engine import Engine  # noqa: E402
from service.advice.levels import LEVELS, rank_of  # noqa: E402

# Whether the engine running is the compiled one (the benchmarks print it; CI insists on it).
COMPILED: bool = not (_engine.__file__ or "").endswith(".py")

__all__ = ["COMPILED", "Engine", "LEVELS", "rank_of"]
