"""The strict schema's own loop must give exactly marshmallow's results: same data, same errors."""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from schemas import ASSESS_REQUEST
from schemas.fields import StrictSchema
from strategies import valid_requests

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 200) | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["calf", "left", "new", "ckd", "quinine", "x", ""]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["age", "name", "signs", "cramp", "locations", "fever", "zzz", "wound", "present"]),
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
                target[draw(st.sampled_from(["age", "side", "fever", "wound", "zzz", "pregnant"]))] = draw(json_values)
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
