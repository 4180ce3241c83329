"""Properties over random valid requests: monotone escalation, determinism, a safety net always."""
from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import ASSESS_REQUEST
from service.advice import Engine, rank_of
from strategies import valid_requests

# Red-flag signs as (section, field, value); added only where the request had the field absent or "no".
RED_FLAG_SIGNS = [("signs", key, True) for key in (
    "chest_pain", "breathlessness", "coughing_blood", "collapse", "confusion", "slurred_speech", "seizure",
    "hot_dry_skin", "jaw_stiffness", "difficulty_swallowing", "saddle_numbness", "bladder_or_bowel_change",
    "cold_limb", "unable_to_move_foot", "pain_out_of_proportion", "tight_swollen_muscle", "non_blanching_rash",
    "drowsy", "spreading_redness", "black_toes", "foot_wound_not_healing", "tingling_around_mouth",
    "fasciculations", "muscle_wasting", "weakness", "numbness", "palpitations", "vomiting", "dizziness",
)] + [
    ("signs", "urine_colour", "brown_cola"), ("signs", "urine_colour", "red"),
    ("signs", "skin_colour", "blue_or_mottled"), ("signs", "temperature_c", 40.5),
    ("cramp", "duration_minutes", 30), ("cramp", "eased_by_hanging_leg_down", True),
    ("context", "toxin_exposure", ["lead"]), ("context", "sleep_disturbed", True),
]
QUIET = (False, None, "normal", [])
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(request=valid_requests, sign=st.sampled_from(RED_FLAG_SIGNS))
def test_adding_a_red_flag_sign_never_lowers_the_level(engine: Engine, request: dict[str, Any],
                                                        sign: tuple[str, str, Any]) -> None:
    section, key, value = sign
    before = engine.assess(request)["disposition"]["level"]
    current = request.get(section, {}).get(key)
    if current not in QUIET:
        return
    worse = copy.deepcopy(request)
    worse.setdefault(section, {})[key] = value
    worse = ASSESS_REQUEST.load(worse)  # still a valid request
    after = engine.assess(worse)["disposition"]["level"]
    assert rank_of(after) >= rank_of(before), (sign, before, after)


@SETTINGS
@given(request=valid_requests)
def test_same_input_same_output_and_never_an_empty_safety_net(engine: Engine, request: dict[str, Any]) -> None:
    first = engine.assess(request)
    assert first == engine.assess(copy.deepcopy(request))
    assert first["safety_net"]
    assert first["disposition"]["title"] and first["disposition"]["message"]
    assert not {"quinine", "stop_medication", "nsaid", "aspirin", "magnesium_supplement",
                "potassium_supplement"} & {r["id"] for r in first["recommendations"]}
    for flag in first["red_flags"]:
        assert flag["because"] and flag["sources"]
    if first["disposition"]["level"] == "emergency":
        assert all(r["category"] != "self_care" or r["id"] in {"heat_illness_cooling", "stop_exercise",
                                                               "rest_stop_activity"}
                   for r in first["recommendations"])
