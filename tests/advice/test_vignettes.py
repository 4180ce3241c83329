"""The public clinical cases, straight through the engine (the API test repeats them over HTTP)."""
from __future__ import annotations

from typing import Any

import pytest

from conftest import load_vignettes
from service.advice import Engine

CASES = load_vignettes()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_public_vignette(engine: Engine, case: dict[str, Any]) -> None:
    answer = engine.assess(case["request"])
    assert answer["disposition"]["level"] in case["acceptable_levels"]
    present = {r["id"] for r in answer["recommendations"]} | {s["id"] for s in answer["safety_net"]}
    if answer["safety_net"]:
        present.add("safety_netting")
    assert set(case["must_include"]) <= present
    assert not set(case["must_not_include"]) & {r["id"] for r in answer["recommendations"]}
