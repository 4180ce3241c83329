"""Helpers shared by the tests that drive outside tools or check names against the service."""
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest
from prometheus_client import Counter, Gauge, Histogram

from service.observability import metrics


def find_tool(name: str, how_to_get: str = "the test extras") -> str:
    """Path of a command: beside this interpreter (PyPI wheels), else on PATH. Missing: skipped
    locally, a failure in CI (CI is set there), so CI can never pass by not running a check."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(name)
    if found:
        return found
    skip_or_fail(f"{name} not found next to {sys.executable} or on PATH ({how_to_get})")


def skip_or_fail(message: str) -> NoReturn:
    """Something a test needs is missing: skip locally, fail in CI (CI is set there)."""
    if "CI" in os.environ:
        pytest.fail(message)
    pytest.skip(message)


def exported_metric_names() -> set[str]:
    """Every series name the service exports, read from its metric objects (never a second list)."""
    names: set[str] = set()
    for value in vars(metrics).values():
        if isinstance(value, Histogram):
            names |= {f"{value._name}_bucket", f"{value._name}_count", f"{value._name}_sum"}
        elif isinstance(value, Counter):
            names.add(f"{value._name}_total")
        elif isinstance(value, Gauge):
            names.add(value._name)
    return names


def edit(path: Path, change: Callable[[str], str]) -> None:
    """Rewrite a scratch content file; fails if the change matched nothing, so a test cannot go stale."""
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, "the edit did not apply"
    path.write_text(changed, encoding="utf-8")
