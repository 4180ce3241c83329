"""schemas/cds-hooks: valid 2020-12 schemas, strict where CDS Hooks 2.0 is, and the same as openapi.yaml's."""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from mock_ehr import SCHEMAS, schema_errors
from spec_check import load_spec

NAMES = {"Coding": "CdsCoding", "Extension": "CdsExtension", "FhirResource": "CdsFhirResource", "Action": "CdsAction",
         "Suggestion": "CdsSuggestion", "Link": "CdsLink", "Source": "CdsSource", "Card": "CdsCard",
         "Service": "CdsService", "FhirAuthorization": "CdsFhirAuthorization", "Feedback": "CdsFeedbackItem"}
TOP = {"discovery": "CdsDiscovery", "request": "CdsRequest", "response": "CdsResponse", "feedback": "CdsFeedback"}


def _document(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", TOP)
def test_each_schema_is_valid_2020_12(name: str) -> None:
    Draft202012Validator.check_schema(_document(name))


def _as_openapi(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (f"#/components/schemas/{NAMES[v.rsplit('/', 1)[1]]}" if k == "$ref" else _as_openapi(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_as_openapi(v) for v in node]
    return node


@pytest.mark.parametrize("name", TOP)
def test_openapi_carries_the_same_schemas(name: str) -> None:
    components = load_spec()["components"]["schemas"]
    document = _document(name)
    for key, value in document.pop("$defs").items():
        assert components[NAMES[key]] == _as_openapi(value), key
    for key in ("$schema", "$id", "title"):
        document.pop(key)
    top = dict(components[TOP[name]])
    top.pop("description")
    assert top == _as_openapi(document)


CARD = {"uuid": "u", "summary": "s", "indicator": "info", "source": {"label": "l"}}
BAD_CARDS = [
    ("summary of 140 characters", lambda c: c.update(summary="x" * 140)),
    ("null member", lambda c: c.update(detail=None)),
    ("empty string", lambda c: c.update(detail="")),
    ("unknown indicator", lambda c: c.update(indicator="hard-stop")),
    ("suggestions without selectionBehavior", lambda c: c.update(suggestions=[{"label": "x"}])),
    ("empty links", lambda c: c.update(links=[])),
    ("absolute link with appContext", lambda c: c.update(links=[{"label": "l", "url": "https://x.org", "type": "absolute",
                                                              "appContext": "{}"}])),
    ("override reason without display", lambda c: c.update(overrideReasons=[{"system": "s", "code": "c"}])),
    ("create action without resource", lambda c: c.update(selectionBehavior="any", suggestions=[
        {"label": "x", "actions": [{"type": "create", "description": "d"}]}])),
    ("source without label", lambda c: c.update(source={"url": "https://x.org"})),
]


def test_a_plain_card_is_valid() -> None:
    assert schema_errors("response", {"cards": [CARD]}) == []
    assert schema_errors("response", {"cards": []}) == []


@pytest.mark.parametrize(("name", "breakage"), BAD_CARDS, ids=[b[0] for b in BAD_CARDS])
def test_the_card_schema_refuses_what_the_specification_forbids(name: str, breakage: Any) -> None:
    card = copy.deepcopy(CARD)
    breakage(card)
    assert schema_errors("response", {"cards": [card]}), name


def test_feedback_and_request_schemas_refuse_what_the_specification_forbids() -> None:
    good = {"card": "u", "outcome": "overridden", "outcomeTimestamp": "2026-12-03T10:00:00Z"}
    assert schema_errors("feedback", {"feedback": [good]}) == []
    assert schema_errors("feedback", {"feedback": [{**good, "outcome": "accepted"}]})
    assert schema_errors("feedback", {"feedback": [{**good, "outcomeTimestamp": "3 December"}]})
    request = {"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": {}}
    assert schema_errors("request", request) == []
    assert schema_errors("request", {**request, "prefetch": {"patient": None}}) == []
    assert schema_errors("request", {**request, "fhirAuthorization": {"access_token": "t", "token_type": "Bearer",
                                                                       "expires_in": 300, "scope": "s", "subject": "c"}})
    assert schema_errors("request", {**request, "hookInstance": "42"})
