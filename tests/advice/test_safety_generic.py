"""Checks that look for whole kinds of fault, not one case: guidance 2.1 items 2 and 9, and the
direction of every fact (a reassuring answer never raises the level, a red flag never lowers it)."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import ASSESS_REQUEST
from service.advice import Engine, rank_of
from strategies import sparse_requests, valid_requests

# The kinds of leg symptom a person brings: each emergency symptom must count beside every one of them.
LEG_SYMPTOMS: dict[str, dict[str, Any]] = {
    "nothing said about the cramp": {},
    "brief one-sided calf cramp that eased": {
        "cramp": {"locations": ["calf"], "side": "left", "duration_minutes": 2, "relieved_by_stretching": True,
                  "ongoing": False}},
    "night cramps in both legs": {"cramp": {"locations": ["calf", "thigh", "foot"], "side": "both",
                                            "timing": ["night"]}},
    "thigh cramp during exercise": {"cramp": {"locations": ["thigh"], "timing": ["exercise"]}},
    "foot cramp at rest": {"cramp": {"locations": ["foot"], "timing": ["rest"], "side": "right"}},
    "one-sided calf pain, nothing more known": {"cramp": {"locations": ["calf"], "side": "right"}},
    "night cramps, heat and exertion ruled out": {
        "cramp": {"locations": ["calf"], "timing": ["night"]},
        "context": {"hot_environment": False, "exertion": "none"}},
}
# Guidance 2.2 emergency symptoms that stand on their own (E1-E4, E7, E9, E10); combinations that need
# a context by definition (E5 exercise, E6 infected skin, E8 injury, E12 dialysis) are tested in test_rules.
ADULT_EMERGENCY_SIGNS: dict[str, Any] = {
    "breathlessness": True, "chest_pain": True, "coughing_blood": True, "collapse": True,
    "urine_colour": "brown_cola", "confusion": True, "slurred_speech": True, "seizure": True,
    "hot_dry_skin": True, "temperature_c": 40.5, "unable_to_move_foot": True, "cold_limb": True,
    "jaw_stiffness": True, "difficulty_swallowing": True, "saddle_numbness": True,
    "bladder_or_bowel_change": True,
}
# E11: a child's red features.
CHILD_EMERGENCY_SIGNS: dict[str, Any] = {
    "drowsy": True, "confusion": True, "seizure": True, "non_blanching_rash": True, "breathlessness": True,
}


def with_sign(base: dict[str, Any], key: str, value: Any, **person: Any) -> dict[str, Any]:
    request = copy.deepcopy(base)
    request.setdefault("signs", {})[key] = value
    if person:
        request["person"] = person
    return ASSESS_REQUEST.load(request)


@pytest.mark.parametrize("leg", sorted(LEG_SYMPTOMS))
@pytest.mark.parametrize("sign", sorted(ADULT_EMERGENCY_SIGNS))
def test_an_emergency_symptom_alone_beside_any_leg_symptom_is_an_emergency(engine: Engine, leg: str, sign: str) -> None:
    for person in ({}, {"age": 45}, {"age": 78, "sex": "male"}):
        answer = engine.assess(with_sign(LEG_SYMPTOMS[leg], sign, ADULT_EMERGENCY_SIGNS[sign], **person))
        assert answer["disposition"]["level"] == "emergency", (leg, sign, person, answer["disposition"])


@pytest.mark.parametrize("leg", sorted(LEG_SYMPTOMS))
@pytest.mark.parametrize("sign", sorted(CHILD_EMERGENCY_SIGNS))
def test_a_child_red_feature_alone_beside_any_leg_symptom_is_an_emergency(engine: Engine, leg: str, sign: str) -> None:
    answer = engine.assess(with_sign(LEG_SYMPTOMS[leg], sign, CHILD_EMERGENCY_SIGNS[sign], age=7))
    assert answer["disposition"]["level"] == "emergency", (leg, sign, answer["disposition"])


# (section, field, reassuring value, fields that must already hold a symptom for the value to reassure)
REASSURING: list[tuple[str, str, Any, dict[str, Any]]] = [
    *[("signs", key, False, {}) for key in (
        "swelling", "redness", "warmth", "spreading_redness", "hard_painful_veins", "cold_limb", "unable_to_move_foot",
        "pain_out_of_proportion", "tight_swollen_muscle", "numbness", "tingling", "tingling_around_mouth", "weakness",
        "muscle_wasting", "fasciculations", "fever", "shivering", "reduced_urine", "chest_pain", "breathlessness",
        "coughing_blood", "palpitations", "confusion", "drowsy", "slurred_speech", "seizure", "collapse", "vomiting",
        "diarrhoea", "dizziness", "headache", "hot_dry_skin", "jaw_stiffness", "difficulty_swallowing", "limp",
        "joint_swollen_or_hot", "saddle_numbness", "bladder_or_bowel_change", "back_pain", "non_blanching_rash",
        "foot_wound_not_healing", "black_toes")],
    ("signs", "can_weight_bear", True, {}),
    ("signs", "urine_colour", "normal", {}),
    ("signs", "skin_colour", "normal", {}),
    ("cramp", "ongoing", False, {}),
    ("cramp", "relieved_by_stretching", True, {}),
    ("cramp", "duration_minutes", 2, {}),
    ("signs", "numbness_onset", "long_standing", {"numbness": True}),
    ("signs", "swelling_onset", "long_standing", {"swelling": True}),
    ("context", "tetanus_vaccination", "up_to_date", {}),
]
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(request=st.one_of(valid_requests, sparse_requests), change=st.sampled_from(REASSURING))
def test_adding_a_reassuring_fact_never_raises_the_level(
    engine: Engine, request: dict[str, Any], change: tuple[str, str, Any, dict[str, Any]]
) -> None:
    section, key, value, needs = change
    holder = request.get(section, {})
    if key in holder or any(request.get("signs", {}).get(k) is not v for k, v in needs.items()):
        return  # only a fact the request left unknown can be added
    calmer = copy.deepcopy(request)
    calmer.setdefault(section, {})[key] = value
    calmer = ASSESS_REQUEST.load(calmer)
    before = engine.assess(request)["disposition"]["level"]
    after = engine.assess(calmer)["disposition"]["level"]
    assert rank_of(after) <= rank_of(before), (section, key, value, before, after)
