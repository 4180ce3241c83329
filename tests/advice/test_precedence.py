"""Guidance 2.1: conflicts resolve to the serious reading and are reported; absent means unknown."""
from __future__ import annotations

from typing import Any

from service.advice import Engine


def flags(answer: dict[str, Any]) -> set[str]:
    return {flag["id"] for flag in answer["red_flags"]}


def warnings(answer: dict[str, Any]) -> set[str]:
    return {w["code"] for w in answer["data_quality"]["warnings"]}


def test_empty_request_is_self_care_with_full_safety_net(engine: Engine) -> None:
    answer = engine.assess({})
    assert answer["disposition"]["level"] == "self_care"
    assert answer["disposition"]["act_within"] is None
    assert answer["red_flags"] == []
    levels = {item["level"] for item in answer["safety_net"]}
    assert {"emergency", "urgent", "doctor_routine"} <= levels
    assert answer["data_requested"] and answer["data_requested"][0]["field"] == "/signs/chest_pain"


def test_measured_temperature_beats_fever_box(engine: Engine) -> None:
    answer = engine.assess({"person": {"age": 8}, "signs": {"temperature_c": 39.4, "fever": False}})
    assert "child_leg_pain_red_features" in flags(answer)
    assert "conflict_fever" in warnings(answer)


def test_swelling_side_implies_swelling(engine: Engine) -> None:
    answer = engine.assess({"cramp": {"side": "left", "locations": ["calf"]},
                            "signs": {"swelling": False, "swelling_side": "left"}})
    assert "possible_dvt" in flags(answer)
    assert "conflict_swelling" in warnings(answer)
    assert answer["disposition"]["level"] == "urgent"


def test_dark_yellow_urine_is_fluids_not_rhabdomyolysis(engine: Engine) -> None:
    answer = engine.assess({"signs": {"urine_colour": "dark_yellow"}, "context": {"exertion": "strenuous"}})
    assert "possible_rhabdomyolysis" not in flags(answer)
    assert "hydration" in {r["id"] for r in answer["recommendations"]}


def test_cola_urine_after_exertion_is_emergency(engine: Engine) -> None:
    answer = engine.assess({"signs": {"urine_colour": "brown_cola"}, "context": {"exertion": "extreme"}})
    assert answer["disposition"]["level"] == "emergency"
    assert "/context/exertion" in answer["red_flags"][0]["because"]


def test_ten_minute_rule_is_for_true_cramps_not_growing_pains(engine: Engine) -> None:
    growing = {"person": {"age": 7}, "cramp": {"side": "both", "timing": ["night"], "duration_minutes": 60,
                                               "character": "aching"}}
    assert "prolonged_cramp" not in flags(engine.assess(growing))
    knot = {"person": {"age": 40}, "cramp": {"duration_minutes": 15, "character": "tight_knot"}}
    assert "prolonged_cramp" in flags(engine.assess(knot))


def test_implausible_duration_is_answered_seriously_and_warned(engine: Engine) -> None:
    answer = engine.assess({"cramp": {"duration_minutes": 720, "episodes_per_week": 21}})
    assert answer["disposition"]["level"] == "urgent"
    assert "implausible_duration" in warnings(answer)


def test_every_triggered_flag_is_reported_highest_first(engine: Engine) -> None:
    answer = engine.assess({"signs": {"chest_pain": True, "weakness": True}, "context": {"sleep_disturbed": True}})
    ids = [flag["id"] for flag in answer["red_flags"]]
    assert ids == ["chest_pain_or_breathlessness", "new_weakness_or_numbness", "troublesome_cramps"]
    assert answer["disposition"]["set_by"] == ["chest_pain_or_breathlessness"]


def test_unknown_onset_of_weakness_is_not_assumed_gradual(engine: Engine) -> None:
    assert engine.assess({"signs": {"weakness": True}})["disposition"]["level"] == "urgent"
    gradual = engine.assess({"signs": {"weakness": True, "weakness_onset": "gradual"}})
    assert gradual["disposition"]["level"] == "doctor_soon"
