"""The clinical case files in tests/fixtures, importable from any test folder.

A module of its own, not conftest: tests/browser has a conftest too, and `from conftest import`
would find whichever of the two was imported last.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def load_vignettes(name: str = "vignettes-public.json") -> list[dict[str, Any]]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))
