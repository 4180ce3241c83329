"""The clinical cases, straight through the engine: the public ones (the API test repeats them over HTTP)
and the team's own, written from the guidance (tests/fixtures/vignettes-team.json, at least half of
them ordinary presentations that must not be over-triaged)."""
from __future__ import annotations

from typing import Any

import pytest

from vignette_files import load_vignettes
from service.advice import Engine

CASES = load_vignettes() + load_vignettes("vignettes-team.json")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_vignette(engine: Engine, case: dict[str, Any]) -> None:
    answer = engine.assess(case["request"])
    assert answer["disposition"]["level"] in case["acceptable_levels"]
    present = {r["id"] for r in answer["recommendations"]} | {s["id"] for s in answer["safety_net"]}
    if answer["safety_net"]:
        present.add("safety_netting")
    assert set(case["must_include"]) <= present
    assert not set(case["must_not_include"]) & {r["id"] for r in answer["recommendations"]}


def test_the_team_cases_are_mostly_ordinary_presentations() -> None:
    """Over-triage is a defect too: the team's set keeps at least 24 cases that must stay low."""
    team = load_vignettes("vignettes-team.json")
    ordinary = [c for c in team if set(c["acceptable_levels"]) <= {"self_care", "doctor_routine"}]
    assert len(team) >= 40 and len(ordinary) >= len(team) / 2
