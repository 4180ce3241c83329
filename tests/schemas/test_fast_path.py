"""The strict schema's fast roads must give exactly marshmallow's results: same data, same errors.

Two roads are checked against marshmallow's own loop: the compiled per-field checks (valid requests
never touch marshmallow) and the strict loop that words errors for the rest."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from schemas import ASSESS_REQUEST
from schemas.fields import SLOW, StrictSchema
from strategies import valid_requests

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 200) | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([-1, 0, 10, 11, 45, 46, 120, 121, 2**70, -0.0, 0.5, 37.9, 45.0, 1e308, True, False])
    | st.sampled_from(["calf", "left", "new", "ckd", "quinine", "x", "", " ", "\u3000", "x" * 101, "Calf"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["age", "name", "signs", "cramp", "locations", "fever", "zzz", "wound", "present",
                         "pain_severity", "temperature_c", "conditions", "timing", "recent_change"]),
        inner, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated_requests(draw: st.DrawFn) -> Any:
    request = draw(valid_requests)
    for _ in range(draw(st.integers(0, 3))):
        section = draw(st.sampled_from(["person", "cramp", "signs", "context", "medications", "junk"]))
        if section == "medications":
            request["medications"] = draw(st.lists(json_values, max_size=3))
        else:
            target = request.setdefault(section, {}) if section != "junk" else request
            if isinstance(target, dict):
                key = draw(st.sampled_from(["age", "side", "fever", "wound", "zzz", "pregnant", "locations",
                                            "timing", "pain_severity", "temperature_c", "heart_rate",
                                            "conditions", "asks_about", "toxin_exposure"]))
                target[key] = draw(json_values | st.lists(st.sampled_from(["calf", "calf", "night", "ckd"]),
                                                          max_size=3))
    return request


def outcome(data: Any) -> tuple[str, Any]:
    try:
        return "ok", ASSESS_REQUEST.load(data)
    except ValidationError as error:
        return "error", error.messages


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated_requests() | json_values)
def test_fast_path_matches_marshmallow(data: Any) -> None:
    fast = outcome(data)
    StrictSchema.fast_path = False
    try:
        slow = outcome(data)
    finally:
        StrictSchema.fast_path = True
    assert fast == slow


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=valid_requests)
def test_valid_requests_take_the_compiled_road(data: Any) -> None:
    """Otherwise the comparison above would pass while the fast road went unused."""
    assert ASSESS_REQUEST.fast_load(data) is not SLOW


@pytest.mark.parametrize("request_body", [
    {"person": {"age": 120}}, {"person": {"age": 0}}, {"cramp": {"pain_severity": 10}},
    {"signs": {"temperature_c": 45.0}}, {"signs": {"temperature_c": 30}},
    {"medications": [{"name": "x" * 100}]}, {"conditions": ["ckd", "dialysis"]},
])
def test_boundary_values_are_loaded_by_the_compiled_road(request_body: dict[str, Any]) -> None:
    assert ASSESS_REQUEST.fast_load(request_body) == request_body


@pytest.mark.parametrize("request_body", [
    {"person": {"age": 121}}, {"person": {"age": 45.0}}, {"person": {"age": True}}, {"cramp": {"pain_severity": 11}},
    {"signs": {"temperature_c": 45.01}}, {"signs": {"fever": 1}}, {"medications": [{"name": "x" * 101}]},
    {"medications": [{"name": " "}]}, {"medications": [{}]}, {"conditions": ["ckd", "ckd"]},
    {"conditions": ["CKD"]}, {"person": {"agee": 40}}, {"person": None}, [], {"cramp": {"locations": "calf"}},
])
def test_anything_doubtful_goes_to_marshmallow(request_body: Any) -> None:
    assert ASSESS_REQUEST.fast_load(request_body) is SLOW
    with pytest.raises(ValidationError):
        ASSESS_REQUEST.load(request_body)
