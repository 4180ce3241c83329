"""The request schema is strict: JSON types exactly, contract ranges, no unknown fields, no nulls.

Most cases are generated from the schema itself (`schemas.request.walk`), so a new field is covered
the moment it is added. Each rejection must name the exact JSON Pointer and never echo the value.
"""
from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError, fields
from marshmallow.validate import OneOf, Range

from schemas import ASSESS_REQUEST, REQUEST_POINTERS, AssessRequestSchema, metric_pointer, validation_errors
from schemas.fields import StrictBoolean, StrictInteger, StrictList, StrictNumber, StrictString
from schemas.request import walk

FIELDS: dict[str, fields.Field] = dict(walk(ASSESS_REQUEST))
MEDICATION = "/medications/-"


def _of(kind: type) -> list[str]:
    return [p for p, f in FIELDS.items() if type(f) is kind and not p.endswith("/-")]


def _range(pointer: str) -> Range | None:
    return next((v for v in FIELDS[pointer].validators if isinstance(v, Range)), None)


def _choices(pointer: str) -> tuple[str, ...]:
    return tuple(next(v for v in FIELDS[pointer].validators if isinstance(v, OneOf)).choices)


def valid_value(pointer: str) -> Any:
    """A value the schema accepts at this pointer (the nested objects are built by `request_with`)."""
    field = FIELDS[pointer]
    if isinstance(field, StrictList):
        item = f"{pointer}/-"
        if isinstance(FIELDS[item], fields.Nested):
            return [{"name": "atorvastatin 80 mg"}]
        return list(_choices(item))
    if isinstance(field, fields.Nested):
        return {}
    if isinstance(field, StrictBoolean):
        return True
    if isinstance(field, StrictString):
        if any(isinstance(v, OneOf) for v in field.validators):
            return _choices(pointer)[-1]
        return "atorvastatin 80 mg"
    bounds = _range(pointer)
    assert bounds is not None, pointer
    return bounds.max if isinstance(field, StrictInteger) else (bounds.min + bounds.max) / 2


def request_with(pointer: str, value: Any) -> dict[str, Any]:
    """The smallest request that puts `value` at `pointer` ("-" = first array item).

    A medication always keeps its required name, unless the name is the field under test.
    """

    def build(segments: list[str], parent: str) -> Any:
        if not segments:
            return value
        head, rest = segments[0], segments[1:]
        if head != "-":
            return {head: build(rest, head)}
        item = build(rest, head)
        if parent == "medications" and rest and rest != ["name"]:
            item = {"name": "atorvastatin", **item}
        return [item]

    return build(pointer.split("/")[1:], "")


def exact(pointer: str) -> str:
    return pointer.replace("/-", "/0")


def errors_for(data: Any) -> list[dict[str, str]]:
    with pytest.raises(ValidationError) as caught:
        ASSESS_REQUEST.load(data)
    return validation_errors(caught.value.messages)


def assert_rejected_at(data: Any, pointer: str) -> list[dict[str, str]]:
    errors = errors_for(data)
    assert [e["pointer"] for e in errors] == [pointer], errors
    return errors


INTEGERS = _of(StrictInteger)
NUMBERS = _of(StrictNumber)
BOOLEANS = _of(StrictBoolean)
ENUMS = [p for p in _of(StrictString) if any(isinstance(v, OneOf) for v in FIELDS[p].validators)]
ENUM_ITEMS = [p for p, f in FIELDS.items() if p.endswith("/-") and isinstance(f, StrictString)]
UNIQUE_LISTS = [p for p, f in FIELDS.items() if isinstance(f, StrictList) and f.unique]
BOUNDED = [p for p in INTEGERS + NUMBERS if _range(p) is not None]
OBJECTS = [""] + [p for p, f in FIELDS.items() if isinstance(f, fields.Nested)]
EVERY_FIELD = [p for p in FIELDS if not p.endswith("/-")]


def test_the_walk_covers_every_kind_of_field() -> None:
    assert len(INTEGERS) == 5 and len(UNIQUE_LISTS) == 6
    kinds = set(INTEGERS + NUMBERS + BOOLEANS + ENUMS + OBJECTS[1:] + UNIQUE_LISTS) - {MEDICATION}
    assert kinds | {"/medications", f"{MEDICATION}/name"} == set(EVERY_FIELD)
    assert all(_range(p) is not None for p in INTEGERS + NUMBERS), "every number needs both bounds"


# --------------------------------------------------------------------------- whole requests

def test_an_empty_request_is_valid_and_stays_empty() -> None:
    assert ASSESS_REQUEST.load({}) == {}


def test_absent_fields_stay_absent_and_nothing_is_defaulted() -> None:
    empty_objects = {"person": {}, "context": {"wound": {}}}
    assert ASSESS_REQUEST.load(empty_objects) == empty_objects
    assert ASSESS_REQUEST.load({"medications": [{"name": "x"}]}) == {"medications": [{"name": "x"}]}


def full_request() -> dict[str, Any]:
    """Every field of the contract, each with a valid value."""
    request: dict[str, Any] = {}
    for pointer in EVERY_FIELD:
        if isinstance(FIELDS[pointer], fields.Nested) or pointer.startswith(f"{MEDICATION}/"):
            continue
        node = request
        *parents, name = pointer.split("/")[1:]
        for parent in parents:
            node = node.setdefault(parent, {})
        node[name] = valid_value(pointer)
    request["medications"] = [
        {"name": "salmeterol/fluticasone inhaler", "recent_change": "started", "weeks_since_change": 4},
        {"name": "Lipitor"},
    ]
    return request


def test_a_full_request_round_trips_as_plain_dicts_and_lists() -> None:
    request = full_request()
    loaded = ASSESS_REQUEST.load(request)
    assert loaded == request

    def plain(value: Any) -> None:
        assert type(value) in (dict, list, str, int, float, bool), type(value)
        for child in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
            plain(child)

    plain(loaded)
    assert type(loaded["cramp"]["duration_minutes"]) is float and type(loaded["person"]["age"]) is int


@pytest.mark.parametrize("top", [[], "x", 1, 1.5, True, None, [{}]], ids=repr)
def test_a_body_that_is_not_an_object_is_rejected_at_the_root(top: Any) -> None:
    errors = assert_rejected_at(top, "")
    assert errors[0]["detail"] == "Must be a JSON object."


@pytest.mark.parametrize("pointer", OBJECTS[1:])
@pytest.mark.parametrize("value", [[], "x", 1, True], ids=repr)
def test_a_nested_value_that_is_not_an_object_is_rejected_at_its_pointer(pointer: str, value: Any) -> None:
    assert_rejected_at(request_with(pointer, value), exact(pointer))


@pytest.mark.parametrize("pointer", OBJECTS)
def test_an_unknown_field_is_rejected_at_every_level(pointer: str) -> None:
    request = request_with(pointer, {"fevr": True}) if pointer else {"fevr": True}
    if pointer == MEDICATION:
        request = {"medications": [{"name": "x", "fevr": True}]}
    errors = assert_rejected_at(request, f"{exact(pointer)}/fevr")
    assert errors[0]["detail"] == "Unknown field."


@pytest.mark.parametrize("pointer", EVERY_FIELD + ENUM_ITEMS + [MEDICATION])
def test_null_is_rejected_for_every_field(pointer: str) -> None:
    request = {"medications": [None]} if pointer == MEDICATION else request_with(pointer, None)
    errors = assert_rejected_at(request, exact(pointer))
    assert "null" in errors[0]["detail"]


# --------------------------------------------------------------------------- types

@pytest.mark.parametrize("pointer", INTEGERS)
@pytest.mark.parametrize("value", ["5", 5.5, -0.5, True, False, [5], {"value": 5}], ids=repr)
def test_integers_accept_only_json_integers(pointer: str, value: Any) -> None:
    errors = assert_rejected_at(request_with(pointer, value), pointer)
    assert errors[0]["detail"] == "Not a valid integer."


@pytest.mark.parametrize("pointer", INTEGERS)
def test_a_whole_float_is_the_same_integer(pointer: str) -> None:
    """JSON Schema 2020-12 (and the contract, "Numbers"): 5.0 is the integer 5, loaded as an int."""
    whole = valid_value(pointer)
    as_float = ASSESS_REQUEST.load(request_with(pointer, float(whole)))
    as_int = ASSESS_REQUEST.load(request_with(pointer, whole))
    assert as_float == as_int
    section, name = pointer.strip("/").split("/")[:2]
    assert type(as_float[section][name]) is int


@pytest.mark.parametrize("pointer", NUMBERS)
@pytest.mark.parametrize("value", ["5", "5.5", True, False, [1]], ids=repr)
def test_numbers_accept_only_json_numbers(pointer: str, value: Any) -> None:
    errors = assert_rejected_at(request_with(pointer, value), exact(pointer))
    assert errors[0]["detail"] == "Not a valid number."


@pytest.mark.parametrize("pointer", NUMBERS)
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=repr)
def test_numbers_must_be_finite(pointer: str, value: float) -> None:
    errors = assert_rejected_at(request_with(pointer, value), exact(pointer))
    assert errors[0]["detail"] == "Must be a finite number."


@pytest.mark.parametrize("pointer", NUMBERS)
def test_numbers_accept_integers_and_fractions(pointer: str) -> None:
    bounds = _range(pointer)
    assert bounds is not None
    for value in (bounds.min, float(bounds.min), (bounds.min + bounds.max) / 2):
        loaded = ASSESS_REQUEST.load(request_with(pointer, value))
        assert loaded == request_with(pointer, value)


@pytest.mark.parametrize("pointer", BOOLEANS)
@pytest.mark.parametrize("value", [0, 1, "yes", "true", "false", "", 1.0], ids=repr)
def test_booleans_accept_only_true_and_false(pointer: str, value: Any) -> None:
    errors = assert_rejected_at(request_with(pointer, value), exact(pointer))
    assert errors[0]["detail"] == "Not a valid boolean."


@pytest.mark.parametrize("pointer", BOOLEANS)
def test_false_is_kept_as_an_answer(pointer: str) -> None:
    assert ASSESS_REQUEST.load(request_with(pointer, False)) == request_with(pointer, False)


@pytest.mark.parametrize("pointer", ENUMS + ENUM_ITEMS)
@pytest.mark.parametrize(
    "transform",
    [str.upper, str.title, lambda s: f" {s}", lambda s: s.replace("_", "-")],
    ids=["upper", "title", "space", "hyphen"],
)
def test_enums_are_exact(pointer: str, transform: Any) -> None:
    choices = _choices(pointer)
    wrong = next((transform(c) for c in choices if transform(c) != c), f"{choices[0]}-")
    value = [wrong] if pointer.endswith("/-") else wrong
    target = pointer[: -len("/-")] if pointer.endswith("/-") else pointer
    errors = assert_rejected_at(request_with(target, value), exact(pointer))
    assert errors[0]["detail"].startswith("Must be one of: ")


@pytest.mark.parametrize("pointer", ENUMS + ENUM_ITEMS)
def test_enums_reject_non_strings(pointer: str) -> None:
    value: Any = [1] if pointer.endswith("/-") else 1
    target = pointer[: -len("/-")] if pointer.endswith("/-") else pointer
    errors = assert_rejected_at(request_with(target, value), exact(pointer))
    assert errors[0]["detail"] == "Not a valid string."


@pytest.mark.parametrize("pointer", [p for p, f in FIELDS.items() if isinstance(f, StrictList)])
@pytest.mark.parametrize("value", ["calf", {"0": "calf"}, 1], ids=repr)
def test_arrays_must_be_arrays(pointer: str, value: Any) -> None:
    errors = assert_rejected_at(request_with(pointer, value), pointer)
    assert errors[0]["detail"] == "Not a valid list."


# --------------------------------------------------------------------------- ranges

@pytest.mark.parametrize("pointer", BOUNDED)
def test_every_bound_is_inclusive_and_enforced(pointer: str) -> None:
    bounds = _range(pointer)
    assert bounds is not None and bounds.min is not None and bounds.max is not None
    step = 1 if isinstance(FIELDS[pointer], StrictInteger) else 0.001
    for ok in (bounds.min, bounds.max):
        assert ASSESS_REQUEST.load(request_with(pointer, ok)) == request_with(pointer, ok)
    for bad in (bounds.min - step, bounds.max + step, 10**400):
        errors = assert_rejected_at(request_with(pointer, bad), exact(pointer))
        assert errors[0]["detail"] == (
            f"Must be greater than or equal to {bounds.min} and less than or equal to {bounds.max}."
        )


BOUNDS_TABLE = [
    ("/person/age", 0, 120), ("/person/gestation_weeks", 0, 45), ("/person/weeks_postpartum", 0, 52),
    ("/cramp/pain_severity", 0, 10), ("/signs/temperature_c", 30, 45), ("/signs/heart_rate", 20, 250),
    ("/context/fluid_intake_litres", 0, 20), ("/context/caffeine_cups_per_day", 0, 50),
    ("/context/alcohol_units_per_week", 0, 500),
    ("/cramp/duration_minutes", 0, 525600), ("/cramp/episodes_per_week", 0, 10080),
    ("/cramp/history_weeks", 0, 6300), ("/context/injury_hours_ago", 0, 1051200),
    ("/context/recent_long_travel_hours", 0, 672), ("/context/recent_surgery_days_ago", 0, 43800),
    ("/context/immobile_days", 0, 43800), ("/context/endurance_event_hours", 0, 672),
    ("/context/missed_dialysis_days", 0, 365), ("/context/wound/days_ago", 0, 43800),
    ("/medications/-/weeks_since_change", 0, 6300),
]


@pytest.mark.parametrize(("pointer", "low", "high"), BOUNDS_TABLE)
def test_bounds_are_the_contracts_and_the_agreed_upper_limits(pointer: str, low: float, high: float) -> None:
    bounds = _range(pointer)
    assert bounds is not None and (bounds.min, bounds.max) == (low, high)


def test_every_number_field_has_an_agreed_bound() -> None:
    assert {p for p, _, _ in BOUNDS_TABLE} == set(BOUNDED)


def test_contract_examples_of_impossible_values_are_rejected() -> None:
    assert_rejected_at({"person": {"age": 130}}, "/person/age")
    assert_rejected_at({"cramp": {"duration_minutes": -1}}, "/cramp/duration_minutes")
    assert_rejected_at({"cramp": {"pain_severity": 11}}, "/cramp/pain_severity")
    assert ASSESS_REQUEST.load({"cramp": {"duration_minutes": 600}})  # implausible but possible


# --------------------------------------------------------------------------- arrays

@pytest.mark.parametrize("pointer", UNIQUE_LISTS)
def test_enum_arrays_reject_duplicates_at_the_repeated_item(pointer: str) -> None:
    choices = _choices(f"{pointer}/-")
    assert errors_for(request_with(pointer, [choices[0], choices[0]])) == [
        {"pointer": f"{pointer}/1", "detail": "Duplicate of an earlier item."},
    ]
    assert errors_for(request_with(pointer, [choices[1], choices[0], choices[1]])) == [
        {"pointer": f"{pointer}/2", "detail": "Duplicate of an earlier item."},
    ]


@pytest.mark.parametrize("pointer", UNIQUE_LISTS)
def test_enum_arrays_hold_at_most_one_of_each_value(pointer: str) -> None:
    field = FIELDS[pointer]
    assert isinstance(field, StrictList)
    choices = list(_choices(f"{pointer}/-"))
    assert field.max_items == len(choices)
    assert ASSESS_REQUEST.load(request_with(pointer, choices)) == request_with(pointer, choices)
    errors = assert_rejected_at(request_with(pointer, choices + choices[:1]), pointer)
    assert errors[0]["detail"] == f"Must have at most {len(choices)} items, each value at most once."


def test_a_huge_array_costs_one_error_not_one_per_item() -> None:
    assert errors_for({"conditions": ["nope"] * 10_000}) == [
        {"pointer": "/conditions", "detail": "Must have at most 25 items, each value at most once."}
    ]


def test_at_most_50_medications() -> None:
    fifty = [{"name": f"medicine {i}"} for i in range(50)]
    assert ASSESS_REQUEST.load({"medications": fifty}) == {"medications": fifty}
    errors = assert_rejected_at({"medications": [*fifty, {"name": "one more"}]}, "/medications")
    assert errors[0]["detail"] == "Must have at most 50 items."


def test_the_same_medication_may_be_listed_twice() -> None:
    twice = [{"name": "ramipril"}, {"name": "ramipril"}]
    assert ASSESS_REQUEST.load({"medications": twice}) == {"medications": twice}


@pytest.mark.parametrize(
    ("name", "detail"),
    [
        ("x" * 101, "Length must be between 1 and 100."),
        ("", "Length must be between 1 and 100."),
        ("   ", "Must not be blank."),
        ("\t\n", "Must not be blank."),
        (42, "Not a valid string."),
    ],
    ids=["101 chars", "empty", "spaces", "whitespace", "number"],
)
def test_medication_names_are_1_to_100_visible_characters(name: Any, detail: str) -> None:
    request = {"medications": [{"name": "ramipril"}, {"name": name}]}
    assert errors_for(request) == [{"pointer": "/medications/1/name", "detail": detail}]


def test_medication_name_limits_are_inclusive_and_count_characters() -> None:
    for name in ("x", "x" * 100, "é" * 100, "  ramipril  "):
        assert ASSESS_REQUEST.load({"medications": [{"name": name}]}) == {"medications": [{"name": name}]}


def test_a_medication_needs_a_name() -> None:
    errors = errors_for({"medications": [{"recent_change": "started"}]})
    assert errors == [{"pointer": "/medications/0/name", "detail": "Missing data for required field."}]


# --------------------------------------------------------------------------- errors

def test_every_bad_field_is_reported_sorted_with_numeric_indices() -> None:
    request = {
        "medications": [{"name": "ok"}] * 9 + [{"name": ""}, {"name": 1}, {"name": "ok", "dose": 1}],
        "person": {"age": -1, "sex": "f"},
        "zzz": 1,
    }
    assert [e["pointer"] for e in errors_for(request)] == [
        "/medications/9/name", "/medications/10/name", "/medications/11/dose",
        "/person/age", "/person/sex", "/zzz",
    ]


def test_unknown_keys_are_escaped_as_json_pointer_segments() -> None:
    assert [e["pointer"] for e in errors_for({"a/b": 1, "c~d": 2})] == ["/a~1b", "/c~0d"]


def test_schema_level_errors_point_at_their_object() -> None:
    messages = {
        "_schema": ["root"], "person": {"_schema": ["obj"]}, "medications": {3: {"_schema": ["item"]}}
    }
    assert validation_errors(messages) == [
        {"pointer": "", "detail": "root"},
        {"pointer": "/medications/3", "detail": "item"},
        {"pointer": "/person", "detail": "obj"},
    ]


# Out of every range, so only a free-text medication name can accept one of them.
SECRETS: list[Any] = ["SECRET-VALUE-7731", 987654321, 9876543.21, -55555, ["SECRET-VALUE-7731"]]


@pytest.mark.parametrize("pointer", EVERY_FIELD)
@pytest.mark.parametrize("secret", SECRETS, ids=repr)
def test_error_details_never_echo_the_submitted_value(pointer: str, secret: Any) -> None:
    try:
        ASSESS_REQUEST.load(request_with(pointer, secret))
    except ValidationError as error:
        for item in validation_errors(error.messages):
            for text in ("SECRET", "987654321", "9876543", "55555"):
                assert text not in item["detail"], item
    else:
        assert isinstance(FIELDS[pointer], StrictString), "only a free-text name may accept these"


# --------------------------------------------------------------------------- metric labels

@pytest.mark.parametrize(
    ("pointer", "label"),
    [
        ("", ""),
        ("/person/age", "/person/age"),
        ("/medications/12/name", "/medications/-/name"),
        ("/conditions/3", "/conditions/-"),
        ("/context/wound/days_ago", "/context/wound/days_ago"),
        ("/person/my_hiv_status", "/person/_unknown"),
        ("/diagnosis/7/x", "/_unknown"),
        ("/medications/2/dose", "/medications/-/_unknown"),
        ("/5", "/_unknown"),
    ],
)
def test_metric_pointers_are_bounded(pointer: str, label: str) -> None:
    assert metric_pointer(pointer) == label


def test_every_field_pointer_is_a_metric_label_of_itself() -> None:
    assert {metric_pointer(p) for p in REQUEST_POINTERS} == set(REQUEST_POINTERS)


# --------------------------------------------------------------------------- reuse and robustness

def test_the_module_level_schema_is_safe_to_share_between_threads() -> None:
    good, bad = full_request(), {"person": {"age": "5"}, "signs": {"fevr": True}}
    want_bad = errors_for(bad)
    barrier = threading.Barrier(8)

    def work(i: int) -> bool:
        barrier.wait()
        for _ in range(50):
            if i % 2:
                assert ASSESS_REQUEST.load(good) == good
            else:
                assert errors_for(bad) == want_bad
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(work, range(8)))


def test_loading_does_not_mutate_the_input() -> None:
    request = full_request()
    snapshot = repr(request)
    ASSESS_REQUEST.load(request)
    assert repr(request) == snapshot


def test_a_fresh_schema_instance_behaves_like_the_shared_one() -> None:
    assert AssessRequestSchema().load(full_request()) == ASSESS_REQUEST.load(full_request())


KEYS = st.sampled_from(["person", "age", "cramp", "locations", "name", "medications", "x"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(KEYS | st.text(max_size=4), children, max_size=4),
    max_leaves=20,
)


def _resolves(document: Any, pointer: str) -> bool:
    node = document
    for segment in pointer.split("/")[1:]:
        segment = segment.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and segment.isascii() and segment.isdigit() and int(segment) < len(node):
            node = node[int(segment)]
        elif isinstance(node, dict) and segment in node:
            node = node[segment]
        else:
            return False
    return True


@settings(max_examples=300, deadline=None, database=None)
@given(json_values)
def test_any_json_is_either_accepted_or_rejected_with_pointers_into_the_body(document: Any) -> None:
    try:
        ASSESS_REQUEST.load(document)
    except ValidationError as error:
        errors = validation_errors(error.messages)
        assert errors
        for item in errors:
            pointer = item["pointer"]
            parent = pointer.rsplit("/", 1)[0]
            # A missing required field points at where it should be; everything else exists.
            assert _resolves(document, pointer) or (
                item["detail"] == "Missing data for required field." and _resolves(document, parent)
            ), item
            assert metric_pointer(pointer) == "" or metric_pointer(pointer) in REQUEST_POINTERS or (
                metric_pointer(pointer).endswith("/_unknown")
            )
