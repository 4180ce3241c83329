"""Each red-flag rule fires on its trigger alone, stays quiet when the trigger is false or unknown,
and the answer names the fields that matched and carries the rule's sources."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from service.advice import Engine, rank_of
from service.advice.rules import RULE_IDS

# rule id: (base request without the trigger, pointer of the trigger, trigger value, a value meaning "no")
TRIGGERS: dict[str, tuple[dict[str, Any], str, Any, Any]] = {
    "possible_pulmonary_embolism": (
        {"cramp": {"side": "left", "locations": ["calf"]}, "signs": {"swelling_side": "left"}},
        "/signs/breathlessness", True, False),
    "chest_pain_or_breathlessness": ({}, "/signs/chest_pain", True, False),
    "possible_rhabdomyolysis": ({}, "/signs/urine_colour", "brown_cola", "dark_yellow"),
    "possible_exercise_hyponatraemia": ({"cramp": {"timing": ["exercise"]}}, "/signs/vomiting", True, False),
    "spreading_skin_infection": ({"signs": {"redness": True, "warmth": True}}, "/signs/dizziness", True, False),
    "acute_limb_ischaemia": ({}, "/signs/cold_limb", True, False),
    "compartment_syndrome": ({"context": {"recent_injury": True}}, "/signs/pain_out_of_proportion", True, False),
    "tetanus_signs": ({}, "/signs/jaw_stiffness", True, False),
    "cauda_equina": ({}, "/signs/saddle_numbness", True, False),
    "seriously_unwell_child": ({"person": {"age": 6}}, "/signs/non_blanching_rash", True, False),
    "missed_dialysis_hyperkalaemia": (
        {"conditions": ["dialysis"], "context": {"missed_dialysis_days": 2}}, "/signs/palpitations", True, False),
    "possible_heatstroke": ({"context": {"hot_environment": True}}, "/signs/hot_dry_skin", True, False),
    "possible_dvt": ({"cramp": {"side": "right", "locations": ["calf"]}}, "/signs/warmth", True, False),
    "prolonged_cramp": ({}, "/cramp/duration_minutes", 15, 4),
    "tetanus_risk_wound": ({"context": {"wound": {"present": True}}}, "/context/wound/dirty", True, False),
    "toxin_exposure": ({}, "/context/toxin_exposure", ["lead"], []),
    "cellulitis_signs": ({"signs": {"warmth": True}}, "/signs/redness", True, False),
    "statin_muscle_symptoms": ({}, "/medications", [{"name": "Simvastatin 40mg"}], [{"name": "paracetamol"}]),
    "fluid_loss_with_dizziness_or_weakness": ({"signs": {"diarrhoea": True}}, "/signs/dizziness", True, False),
    "new_weakness_or_numbness": ({}, "/signs/weakness", True, False),
    "cramps_outside_legs": ({}, "/cramp/locations", ["arm"], ["calf"]),
    "possible_low_calcium": ({}, "/signs/tingling_around_mouth", True, False),
    "critical_limb_ischaemia": ({}, "/cramp/eased_by_hanging_leg_down", True, False),
    "diabetic_foot_problem": ({"conditions": ["diabetes"]}, "/signs/foot_wound_not_healing", True, False),
    "child_leg_pain_red_features": ({"person": {"age": 8}}, "/signs/limp", True, False),
    "pregnancy_one_sided_leg_pain": (
        {"cramp": {"side": "left", "locations": ["calf"]}}, "/person/pregnant", True, False),
    "missed_dialysis": ({"conditions": ["dialysis"]}, "/context/missed_dialysis_days", 2, 0),
    "supplements_with_kidney_risk": ({"conditions": ["ckd"]}, "/self_treatment", ["potassium"], ["calcium"]),
    "claudication_pattern": ({"cramp": {"timing": ["walking"]}}, "/cramp/relieved_by_rest", True, False),
    "new_medicine_cramps": (
        {}, "/medications", [{"name": "salbutamol inhaler", "recent_change": "started"}],
        [{"name": "salbutamol inhaler"}]),
    "heavy_alcohol_use": ({}, "/context/alcohol_units_per_week", 40, 4),
    "lower_motor_neuron_signs": ({}, "/signs/fasciculations", True, False),
    "troublesome_cramps": ({}, "/context/sleep_disturbed", True, False),
    "long_standing_numbness_or_swelling": (
        {"signs": {"numbness": True}}, "/signs/numbness_onset", "long_standing", None),
    "severe_or_not_improving": ({}, "/cramp/pain_severity", 8, 3),
    "possible_secondary_cause": ({}, "/conditions", ["hypothyroidism"], ["osteoarthritis"]),
    "pregnancy_troublesome_cramps": ({"context": {"sleep_disturbed": True}}, "/person/pregnant", True, False),
    "dialysis_cramps": ({}, "/conditions", ["dialysis"], ["osteoarthritis"]),
    "quinine_or_supplement_request": ({}, "/asks_about", ["quinine"], ["magnesium"]),
}


def with_value(base: dict[str, Any], pointer: str, value: Any) -> dict[str, Any]:
    request = copy.deepcopy(base)
    parts = pointer.strip("/").split("/")
    node = request
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    if value is None:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value
    return request


def fired(engine: Engine, request: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {flag["id"]: flag for flag in engine.assess(request)["red_flags"]}


def test_every_rule_has_a_trigger_case() -> None:
    assert set(TRIGGERS) == set(RULE_IDS)


@pytest.mark.parametrize("rule_id", sorted(TRIGGERS))
def test_rule_fires_on_its_trigger(engine: Engine, rule_id: str) -> None:
    base, pointer, value, _ = TRIGGERS[rule_id]
    answer = engine.assess(with_value(base, pointer, value))
    flags = {flag["id"]: flag for flag in answer["red_flags"]}
    assert rule_id in flags
    flag = flags[rule_id]
    assert any(p == pointer or p.startswith(pointer + "/") for p in flag["because"]), flag["because"]
    expected = engine.kb.rules[rule_id]
    assert flag["level"] == expected.level
    assert flag["sources"] == [dict(s) for s in expected.sources] and flag["sources"]
    assert rank_of(answer["disposition"]["level"]) >= rank_of(expected.level)


@pytest.mark.parametrize("rule_id", sorted(TRIGGERS))
def test_rule_quiet_when_trigger_unknown(engine: Engine, rule_id: str) -> None:
    base, _, _, _ = TRIGGERS[rule_id]
    assert rule_id not in fired(engine, base)


@pytest.mark.parametrize("rule_id", sorted(TRIGGERS))
def test_rule_quiet_when_trigger_says_no(engine: Engine, rule_id: str) -> None:
    base, pointer, _, negative = TRIGGERS[rule_id]
    assert rule_id not in fired(engine, with_value(base, pointer, negative))


def test_rules_run_highest_tier_first_with_heatstroke_last_of_the_emergencies(engine: Engine) -> None:
    """Several rules read what fired before them, so the evaluation order is part of the logic."""
    levels = [engine.kb.rules[rule_id].level for rule_id in RULE_IDS]
    ranks = [rank_of(level) for level in levels]
    assert ranks == sorted(ranks, reverse=True)
    emergencies = [r for r, level in zip(RULE_IDS, levels) if level == "emergency"]
    assert emergencies[-1] == "possible_heatstroke"


def test_swelling_explained_by_a_clot_is_not_also_a_routine_flag(engine: Engine) -> None:
    ids = fired(engine, {"cramp": {"side": "left", "locations": ["calf"]}, "signs": {"swelling_side": "left"}})
    assert "possible_dvt" in ids and "long_standing_numbness_or_swelling" not in ids
