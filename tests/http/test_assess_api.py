"""POST /assess through Flask's test client: the contract-v1 answer, headers and the public cases."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient

from vignette_files import load_vignettes

CASES = load_vignettes()
PINNED = ("disposition", "red_flags", "recommendations", "safety_net", "data_requested", "data_quality",
          "knowledge_base", "disclaimer")


def test_empty_object_is_a_valid_request(client: FlaskClient) -> None:
    response = client.post("/assess", json={})
    assert response.status_code == 200
    body = response.get_json()
    assert all(key in body for key in PINNED)
    assert body["disposition"]["level"] == "self_care"
    assert uuid.UUID(body["assessment_id"])
    assert body["evaluated_at"].endswith("Z")
    assert len(body["knowledge_base"]["sha256"]) == 64
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Request-ID"]


def test_request_id_is_echoed_when_sane_and_replaced_when_not(client: FlaskClient) -> None:
    assert client.post("/assess", json={}, headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    replaced = client.post("/assess", json={}, headers={"X-Request-ID": "bad id\u00e9" * 20}).headers["X-Request-ID"]
    assert replaced != "bad id" and len(replaced) == 32


def test_a_request_id_with_a_trailing_newline_is_replaced() -> None:
    """Not reachable over HTTP (a header line cannot hold one), but the check must not rely on that."""
    from werkzeug.wrappers import Request

    from service.observability.requests import RequestLog, RequestState

    state = RequestState()
    RequestLog("INFO").before(Request({"HTTP_X_REQUEST_ID": "abc\n"}), state)
    assert state.request_id != "abc\n" and len(state.request_id) == 32


def test_two_answers_differ_only_in_id_and_time(client: FlaskClient) -> None:
    request = {"signs": {"chest_pain": True}}
    first, second = (client.post("/assess", json=request).get_json() for _ in range(2))
    for body in (first, second):
        body.pop("assessment_id"), body.pop("evaluated_at")
    assert first == second


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_public_vignette_over_http(client: FlaskClient, case: dict[str, Any]) -> None:
    response = client.post("/assess", json=case["request"])
    assert response.status_code == case.get("expect_status", 200)
    body = response.get_json()
    assert body["disposition"]["level"] in case["acceptable_levels"]
    rec_ids = {r["id"] for r in body["recommendations"]}
    present = rec_ids | {s["id"] for s in body["safety_net"]} | {"safety_netting"}
    assert set(case["must_include"]) <= present
    assert not set(case["must_not_include"]) & rec_ids
    for flag in body["red_flags"]:
        assert flag["because"] and all(p.startswith("/") for p in flag["because"])


def test_assessment_ids_are_random_version_4_uuids() -> None:
    import uuid

    from service.http.assess import new_assessment_id

    ids = {new_assessment_id() for _ in range(2000)}
    assert len(ids) == 2000
    for value in ids:
        parsed = uuid.UUID(value)
        assert str(parsed) == value and parsed.version == 4 and parsed.variant == uuid.RFC_4122


@pytest.mark.parametrize("name,status", [("\x1e", 200), ("\x85", 200), (" \x1c ", 200), ("\ufeff", 422)],
                         ids=["U+001E", "U+0085", "space-U+001C-space", "U+FEFF"])
def test_blank_means_what_the_spec_pattern_says(client: FlaskClient, name: str, status: int) -> None:
    """ECMA-262 `\\s` (JSON Schema's regex dialect, behind the medication name pattern "\\S") is not
    Python's str.isspace(): U+001C-U+001F and U+0085 are not blank there, U+FEFF is."""
    response = client.post("/assess", json={"medications": [{"name": name}]})
    assert response.status_code == status, response.get_json()
