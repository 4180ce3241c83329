"""Every error is precise RFC 9457 problem+json: never HTML, never a stack trace, never a 500 for bad input."""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from service.advice import Engine
from service.content import load_editions

PROBLEM = "application/problem+json"


def post_raw(client: FlaskClient, data: bytes | str, content_type: str = "application/json", **kw: Any):
    return client.post("/assess", data=data, content_type=content_type, **kw)


def assert_problem(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


@pytest.mark.parametrize("data", [b"{", b"not json", b"{\"a\": }", b"", b"   ", b"[1,2", b"{'a': 1}"])
def test_malformed_json_is_400(client: FlaskClient, data: bytes) -> None:
    body = assert_problem(post_raw(client, data), 400)
    assert body["type"] == "urn:cramp-advice:problem:malformed-json"


@pytest.mark.parametrize("data,why", [
    (b"\xef\xbb\xbf{}", "byte order mark"),
    (b"{\"person\": {\"age\": NaN}}", "NaN"),
    (b"{\"person\": {\"age\": Infinity}}", "NaN"),
    (b"{\"cramp\": {\"duration_minutes\": 1e400}}", "too large"),
    (b"{\"person\": {}, \"person\": {}}", "repeats a key"),
    (b"{\"a\": \"\xff\xfe\"}", "UTF-8"),
    (b"[" * 5000 + b"]" * 5000, "nested"),
])
def test_hostile_json_is_a_precise_400(client: FlaskClient, data: bytes, why: str) -> None:
    assert why in assert_problem(post_raw(client, data), 400)["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml",
                                          "application/json; charset=latin-1"])
def test_wrong_content_type_is_415(client: FlaskClient, content_type: str) -> None:
    assert_problem(post_raw(client, b"{}", content_type), 415)


def test_missing_content_type_is_415(client: FlaskClient) -> None:
    assert_problem(client.post("/assess", data=b"{}"), 415)


def test_oversized_body_is_413(client: FlaskClient) -> None:
    huge = json.dumps({"medications": [{"name": "x" * 90}] * 1000})
    assert_problem(post_raw(client, huge), 413)


def test_accept_that_rules_out_json_and_html_is_406(client: FlaskClient) -> None:
    assert_problem(client.post("/assess", json={}, headers={"Accept": "application/xml"}), 406)


def test_unknown_route_is_404_problem(client: FlaskClient) -> None:
    assert_problem(client.get("/nope"), 404)


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.get("/assess")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("request_body,pointer", [
    ({"nope": 1}, "/nope"),
    ({"person": {"age": 130}}, "/person/age"),
    ({"person": {"age": "5"}}, "/person/age"),
    ({"person": {"age": 5.5}}, "/person/age"),
    ({"person": {"age": True}}, "/person/age"),
    ({"person": {"pregnant": 0}}, "/person/pregnant"),
    ({"cramp": {"duration_minutes": -1}}, "/cramp/duration_minutes"),
    ({"cramp": {"pain_severity": 11}}, "/cramp/pain_severity"),
    ({"cramp": {"locations": ["knee"]}}, "/cramp/locations/0"),
    ({"signs": {"Chest_Pain": True}}, "/signs/Chest_Pain"),
    ({"context": {"wound": {"present": True, "depth": 3}}}, "/context/wound/depth"),
    ({"medications": [{"name": "a"}, {"dose": "5mg"}]}, "/medications/1/name"),
    ({"medications": [{"name": "x"}] * 51}, "/medications"),
    ({"cramp": {"locations": [1] * 10_000}}, "/cramp/locations"),
    ({"asks_about": ["quinine"] * 2}, "/asks_about/1"),
    ({"person": None}, "/person"),
])
def test_schema_violation_is_422_naming_the_field(client: FlaskClient, request_body: Any, pointer: str) -> None:
    body = assert_problem(client.post("/assess", json=request_body), 422)
    assert body["type"] == "urn:cramp-advice:problem:validation"
    assert pointer in {e["pointer"] for e in body["errors"]}, body["errors"]


@pytest.mark.parametrize("raw", [b"[]", b'"x"', b"1", b"null", b"[[[[{}]]]]", b"true"])
def test_non_object_body_is_422_at_the_root(client: FlaskClient, raw: bytes) -> None:
    body = assert_problem(post_raw(client, raw), 422)
    assert "" in {e["pointer"] for e in body["errors"]}


def test_huge_array_gets_one_short_error(client: FlaskClient) -> None:
    response = client.post("/assess", json={"cramp": {"timing": [0] * 10_000}})
    body = assert_problem(response, 422)
    assert len(body["errors"]) == 1 and len(response.data) < 2_000


def test_deeply_nested_junk_is_422(client: FlaskClient) -> None:
    junk: Any = {}
    for _ in range(200):
        junk = {"x": junk}
    body = assert_problem(client.post("/assess", json={"person": junk}), 422)
    assert body["errors"][0]["pointer"].startswith("/person")


def test_error_details_never_echo_the_value(client: FlaskClient) -> None:
    marker = "ZQXJ-marker-7781"
    response = client.post("/assess", json={"person": {"sex": marker, "age": marker}, marker: marker,
                                            "medications": [{"name": marker * 10}]})
    assert response.status_code == 422
    assert marker not in response.get_data(as_text=True).replace(f"/{marker}", "")


def test_unhandled_exception_is_500_with_emergency_advice(client: FlaskClient,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_: Any) -> None:
        raise RuntimeError("secret age 42")

    monkeypatch.setattr(Engine, "assess", explode)  # every language's and region's engine
    response = client.post("/assess", json={})
    body = assert_problem(response, 500)
    assert "emergency" in body["emergency_advice"].lower()
    assert "secret" not in response.get_data(as_text=True)
    # In the caller's language, like the answer it replaces.
    spanish = assert_problem(client.post("/assess", json={}, headers={"Accept-Language": "es"}), 500)
    assert spanish["emergency_advice"] == load_editions().edition("es", None).kb.emergency_fallback


def test_surrogate_hidden_behind_a_huge_integer_is_still_400(client: FlaskClient) -> None:
    raw = b'{"person": {"age": ' + b"9" * 30 + b'}, "\\udc00": true}'
    assert_problem(post_raw(client, raw), 400)


def test_a_failure_after_the_view_is_the_internal_problem_with_emergency_advice(app: Flask) -> None:
    """Flask wraps an exception from an after-request hook in a plain InternalServerError; it must still
    leave as the documented internal problem, carrying the emergency advice, and log only its type."""
    @app.after_request
    def _fail(response: Response) -> Response:
        raise RuntimeError("a value from the request")

    app.testing = False  # testing mode would re-raise instead of answering
    response = app.test_client().post("/assess", json={})
    assert response.status_code == 500
    body = response.get_json()
    assert body["type"] == "urn:cramp-advice:problem:internal"
    assert body["emergency_advice"]
    assert "a value from the request" not in response.get_data(as_text=True)
