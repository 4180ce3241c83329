"""The questionnaire's form encoding: the same facts give the same request, and the same assessment, as JSON."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from schemas import ASSESS_REQUEST, validation_errors
from service.advice import Engine
from service.content import KnowledgeBase
from service.render.form import MAX_ROWS, FormCodec
from service.render.labels import Labels
from strategies import sparse_schema_strategy, valid_requests


@pytest.fixture(scope="module")
def codec(kb: KnowledgeBase) -> FormCodec:
    return FormCodec(Labels(kb))


def load(codec: FormCodec, pairs: list[tuple[str, str]]) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """The form through decode and the request schema: (facts, None errors) or (None, errors)."""
    decoded = codec.decode(MultiDict(pairs))
    try:
        facts = ASSESS_REQUEST.load(decoded.request)
    except ValidationError as err:
        return None, decoded.errors + validation_errors(err.messages)
    return (facts, decoded.errors) if not decoded.errors else (None, decoded.errors)


def json_errors(body: dict[str, Any]) -> list[dict[str, str]]:
    try:
        ASSESS_REQUEST.load(body)
    except ValidationError as err:
        return validation_errors(err.messages)
    return []


# --------------------------------------------------------------------------- the same facts, the same answer

def _without_empty_objects(value: Any) -> Any:
    """A form has no way to send an empty object ({"person": {}}); it means what leaving it out means."""
    if isinstance(value, dict):
        return {k: _without_empty_objects(v) for k, v in value.items() if not (isinstance(v, dict) and not
                                                                               _without_empty_objects(v))}
    if isinstance(value, list):
        return [_without_empty_objects(v) for v in value]
    return value


def _round_trip(codec: FormCodec, engine: Engine, request: dict[str, Any]) -> None:
    facts = ASSESS_REQUEST.load(request)
    from_form, errors = load(codec, codec.encode(facts))
    assert errors == [], errors
    assert from_form == _without_empty_objects(facts)
    assert engine.assess(from_form) == engine.assess(facts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(request=valid_requests)
def test_any_request_through_the_form_gives_the_same_assessment(codec: FormCodec, engine: Engine,
                                                                 request: dict[str, Any]) -> None:
    _round_trip(codec, engine, request)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(request=sparse_schema_strategy(ASSESS_REQUEST))
def test_sparse_requests_through_the_form_give_the_same_assessment(codec: FormCodec, engine: Engine,
                                                                   request: dict[str, Any]) -> None:
    """Sparse requests reach the rules that dense ones drown in emergencies."""
    _round_trip(codec, engine, request)


def test_public_vignettes_through_the_form(codec: FormCodec, engine: Engine) -> None:
    from vignette_files import load_vignettes

    for case in load_vignettes():
        _round_trip(codec, engine, case["request"])


# --------------------------------------------------------------------------- the encoding's rules

def test_an_empty_value_is_no_answer_never_no(codec: FormCodec) -> None:
    facts, _ = load(codec, [("signs.chest_pain", ""), ("person.age", ""), ("cramp.side", ""), ("person.age", "")])
    assert facts == {}


def test_yes_and_no_are_booleans_and_numbers_are_numbers(codec: FormCodec) -> None:
    facts, _ = load(codec, [("signs.chest_pain", "no"), ("signs.warmth", "yes"), ("person.age", " 45 "),
                            ("cramp.duration_minutes", "0.5"), ("context.wound.dirty", "yes")])
    assert facts == {"signs": {"chest_pain": False, "warmth": True}, "person": {"age": 45},
                     "cramp": {"duration_minutes": 0.5}, "context": {"wound": {"dirty": True}}}


def test_none_is_an_empty_list_and_gives_way_to_real_choices(codec: FormCodec) -> None:
    assert load(codec, [("conditions", "none"), ("medications", "none")])[0] == {"conditions": [], "medications": []}
    assert load(codec, [("conditions", "none"), ("conditions", "ckd")])[0] == {"conditions": ["ckd"]}
    both = [("medications", "none"), ("medications.0.name", "ramipril")]
    assert load(codec, both)[0] == {"medications": [{"name": "ramipril"}]}


def test_blank_medicine_rows_are_skipped_and_errors_name_the_form_row(codec: FormCodec) -> None:
    pairs = [("medications.0.name", ""), ("medications.0.recent_change", ""), ("medications.2.name", "ramipril"),
             ("medications.4.name", " "), ("medications.4.recent_change", "started")]
    decoded = codec.decode(MultiDict(pairs))
    assert decoded.request == {"medications": [{"name": "ramipril"}, {"name": " ", "recent_change": "started"}]}
    assert decoded.rows == [2, 4]
    errors = json_errors(decoded.request)
    assert errors == [{"pointer": "/medications/1/name", "detail": "Must not be blank."}]
    assert codec.form_name_of("/medications/1/name", decoded.rows) == "medications.4.name"


def test_a_change_without_a_name_still_counts(codec: FormCodec, kb: KnowledgeBase, engine: Engine) -> None:
    """"I started a new tablet but do not know its name": the change is what can cause cramps."""
    facts, errors = load(codec, [("medications.0.name", ""), ("medications.0.recent_change", "started")])
    assert errors == []
    assert facts == {"medications": [{"name": kb.presentation.unnamed_medicine, "recent_change": "started"}]}
    assessment = engine.assess(facts)
    assert "new_medicine_cramps" in [flag["id"] for flag in assessment["red_flags"]]
    assert engine.lexicon.classify(kb.presentation.unnamed_medicine) == frozenset()


@pytest.mark.parametrize("pairs,body", [
    ([("person.age", "abc")], {"person": {"age": "abc"}}),
    ([("person.age", "45.5")], {"person": {"age": 45.5}}),
    ([("person.age", "130")], {"person": {"age": 130}}),
    ([("signs.chest_pain", "maybe")], {"signs": {"chest_pain": "maybe"}}),
    ([("cramp.side", "up")], {"cramp": {"side": "up"}}),
    ([("cramp.locations", "calf"), ("cramp.locations", "calf")], {"cramp": {"locations": ["calf", "calf"]}}),
    ([("cramp.locations", "")], {"cramp": {"locations": [""]}}),
    ([("conditions", "none"), ("conditions", "none")], {"conditions": ["none", "none"]}),
    ([("cramp.duration_minutes", "nan")], {"cramp": {"duration_minutes": "nan"}}),
    ([("cramp.duration_minutes", "1e999")], {"cramp": {"duration_minutes": "1e999"}}),
    ([("medications.0.name", " ")], {"medications": [{"name": " "}]}),
    ([("medications.0.name", "x" * 101)], {"medications": [{"name": "x" * 101}]}),
    ([("medications", "lots")], {"medications": "lots"}),
])
def test_a_bad_answer_gets_the_json_detail_at_the_same_field(codec: FormCodec, pairs: list, body: dict) -> None:
    facts, errors = load(codec, pairs)
    assert facts is None
    assert errors == json_errors(body)


def test_two_answers_to_one_question_are_refused(codec: FormCodec) -> None:
    _, errors = load(codec, [("signs.chest_pain", "yes"), ("signs.chest_pain", "no")])
    assert errors == [{"pointer": "/signs/chest_pain", "detail": "Not a valid boolean."}]


@pytest.mark.parametrize("name", ["signs.fevr", "signs", "person.age.x", "medications.0.dose", f"medications.{MAX_ROWS}.name",
                                  "medications.01.name", "x/y~z"])
def test_unknown_names_are_unknown_fields(codec: FormCodec, name: str) -> None:
    decoded = codec.decode(MultiDict([(name, "1")]))
    assert [e["detail"] for e in decoded.errors] == ["Unknown field."]
    assert decoded.request == {}


def test_the_documented_form_schema_accepts_what_encode_sends(codec: FormCodec) -> None:
    """Every pair encode() can send is allowed by the schema openapi.yaml documents for POST /embed."""
    from jsonschema import Draft202012Validator

    schema = codec.json_schema()
    request = {"person": {"age": 45, "pregnant": False}, "cramp": {"locations": ["calf", "foot"], "duration_minutes": 0.5},
               "medications": [{"name": "ramipril", "recent_change": "started", "weeks_since_change": 2.5}],
               "conditions": []}
    body: dict[str, Any] = {}
    for name, value in codec.encode(ASSESS_REQUEST.load(request)):
        if name in codec.lists:
            body.setdefault(name, []).append(value)
        else:
            number = codec.scalars.get(name) or (codec.row_fields["medications"].get(name.rpartition(".")[2])
                                                 if name.startswith("medications.") else None)
            body[name] = float(value) if number is not None and number.kind in ("integer", "number") else value
    assert list(Draft202012Validator(schema).iter_errors(body)) == []
