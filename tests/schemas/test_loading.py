"""What one load through marshmallow gives back: exactly the fields sent, and errors without values.

The section schemas load with marshmallow's `partial=True`, so that absent fields are skipped rather
than visited one by one. These tests pin what that must not change: nothing is added or defaulted,
nothing is coerced, and a required field is still required.
"""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from schemas import ASSESS_REQUEST, validation_errors
from schemas.request import walk
from strategies import sparse_requests, valid_requests

POINTERS = [pointer for pointer, _ in walk(ASSESS_REQUEST)]
REQUIRED = [pointer for pointer, field in walk(ASSESS_REQUEST) if field.required]


def assert_identical(loaded: Any, sent: Any, pointer: str = "") -> None:
    """Equal, and of the same JSON type at every level: `==` alone would let 1 == 1.0 == True pass."""
    assert type(loaded) is type(sent), pointer
    if isinstance(sent, dict):
        assert loaded.keys() == sent.keys(), pointer
        for key, value in sent.items():
            assert_identical(loaded[key], value, f"{pointer}/{key}")
    elif isinstance(sent, list):
        assert len(loaded) == len(sent), pointer
        for index, (got, value) in enumerate(zip(loaded, sent)):
            assert_identical(got, value, f"{pointer}/{index}")
    else:
        assert loaded == sent, pointer


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=valid_requests | sparse_requests)
def test_a_valid_request_loads_as_exactly_the_fields_sent(request: dict[str, Any]) -> None:
    assert_identical(ASSESS_REQUEST.load(request), request)


def test_the_walk_finds_the_required_medication_name() -> None:
    assert REQUIRED == ["/medications/-/name"]


@pytest.mark.parametrize("pointer", REQUIRED)
def test_every_required_field_is_enforced(pointer: str) -> None:
    """A required field inside a partially loaded schema would silently become optional."""
    *parents, _ = pointer.split("/")[1:]
    request: Any = {}
    for segment in reversed(parents):
        request = [request] if segment == "-" else {segment: request}
    with pytest.raises(ValidationError) as caught:
        ASSESS_REQUEST.load(request)
    assert {"pointer": pointer.replace("/-", "/0"), "detail": "Missing data for required field."} in (
        validation_errors(caught.value.messages)
    )


# Values no field accepts (out of every range, no enum value, too long for a name), each carrying a
# marker that must never reach an error detail.
MARKED = st.sampled_from([
    "SECRET-7731", " SECRET-7731 ", "SECRET-7731" * 10, 987654321, -987654321, 98765432.1, -5.55e55,
    ["SECRET-7731"], {"SECRET-7731": "SECRET-7731"}, [987654321, 987654321],
])
MARKERS = ("SECRET", "987654321", "98765432", "5.55", "555")


@st.composite
def marked_requests(draw: st.DrawFn) -> Any:
    """A valid request with marked values put at known and unknown keys, at every level."""
    request = draw(sparse_requests)
    for _ in range(draw(st.integers(1, 4))):
        pointer = draw(st.sampled_from(POINTERS))
        node: Any = request
        *parents, name = pointer.replace("/-", "/0").split("/")[1:]
        for segment in parents:
            if isinstance(node, list):
                node = node[0] if node and isinstance(node[0], dict) else None
            elif isinstance(node, dict):
                node = node.setdefault(segment, [{"name": "ramipril"}] if segment == "medications" else {})
            if node is None:
                break
        if isinstance(node, dict):
            node[draw(st.sampled_from([name, "SECRET-7731"]))] = draw(MARKED)
    return request


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=marked_requests())
def test_errors_never_echo_a_submitted_value(request: Any) -> None:
    try:
        ASSESS_REQUEST.load(request)
    except ValidationError as error:
        for item in validation_errors(error.messages):
            assert not any(marker in item["detail"] for marker in MARKERS), item
