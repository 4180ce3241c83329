"""POST /assess with Accept: text/html: the same assessment as an HTML fragment; JSON stays the default;
refusals of an HTML request are HTML; HTML and form requests count in metrics and logs like JSON ones."""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from prometheus_client import REGISTRY

from html_check import markup_problems, read, same_statement

HTML = {"Accept": "text/html"}
DVT = {"person": {"age": 49}, "cramp": {"locations": ["calf"], "side": "right"},
       "signs": {"swelling_side": "right", "warmth": True}, "context": {"recent_long_travel_hours": 12}}


def vary(response: Any) -> set[str]:
    """The names the Vary header lines list, however they are split into lines."""
    return {name.strip() for line in response.headers.get_all("Vary") for name in line.split(",")}


@pytest.fixture(scope="module")
def app(module_app: Flask) -> Flask:
    """One application for the module; conftest's `client` checks every response against openapi.yaml."""
    return module_app


@pytest.mark.parametrize("accept,mimetype", [
    (None, "application/json"), ("*/*", "application/json"), ("application/json", "application/json"),
    ("text/html", "text/html"), ("text/html, application/json", "application/json"),
    ("text/html, application/json;q=0.9", "text/html"), ("text/*", "text/html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
])
def test_json_is_the_default_and_html_is_asked_for(client: FlaskClient, accept: str | None, mimetype: str) -> None:
    response = client.post("/assess", json=DVT, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == mimetype
    assert "Accept" in vary(response)


def test_the_fragment_says_what_the_json_says(client: FlaskClient) -> None:
    answer = client.post("/assess", json=DVT).get_json()
    response = client.post("/assess", json=DVT, headers=HTML)
    html = response.get_data(as_text=True)
    assert html.startswith("<section class=\"cramp ") and html.rstrip().endswith("</section>")
    assert same_statement(html, answer) == []
    assert markup_problems(html) == []
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("level", [2, 3, 4])
def test_heading_level(client: FlaskClient, level: int) -> None:
    html = client.post(f"/assess?heading_level={level}", json=DVT, headers=HTML).get_data(as_text=True)
    assert read(html).headings[0][0] == level


@pytest.mark.parametrize("query", ["heading_level=1", "heading_level=5", "heading_level=two", "heading_level=",
                                   "heading_level=2&heading_level=3"])
def test_a_bad_heading_level_is_refused_in_either_type(client: FlaskClient, query: str) -> None:
    as_json = client.post(f"/assess?{query}", json=DVT)
    assert as_json.status_code == 400 and as_json.mimetype == "application/problem+json"
    assert as_json.get_json()["detail"] == "heading_level must be 2, 3 or 4."
    as_html = client.post(f"/assess?{query}", json=DVT, headers=HTML)
    assert as_html.status_code == 400 and as_html.mimetype == "text/html"
    assert "heading_level must be 2, 3 or 4." in as_html.get_data(as_text=True)


def test_invalid_answers_get_an_html_refusal_naming_fields_not_values(client: FlaskClient) -> None:
    body = {"person": {"age": 1300}, "signs": {"chest_pain": "ZQXJ-value", "fevr": True}}
    problem = client.post("/assess", json=body).get_json()
    response = client.post("/assess", json=body, headers=HTML)
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert "Accept" in vary(response)
    html = response.get_data(as_text=True)
    assert markup_problems(html) == []
    text = read(html).text
    assert "1300" not in text and "ZQXJ" not in text
    for error in problem["errors"]:
        assert error["detail"] in text
    assert "Age: Must be greater than or equal to 0" in text and "Chest pain: Not a valid boolean." in text
    assert "emergency number" in text


@pytest.mark.parametrize("data,content_type,status", [
    (b"{", "application/json", 400), (b"{}", "text/plain", 415), (json.dumps({"medications": [{"name": "x" * 90}] * 1000}),
                                                                  "application/json", 413),
])
def test_bad_bodies_get_html_refusals_when_html_was_asked_for(client: FlaskClient, data: Any, content_type: str,
                                                              status: int) -> None:
    response = client.post("/assess", data=data, content_type=content_type, headers=HTML)
    assert response.status_code == status and response.mimetype == "text/html"
    assert "cramp-problem" in response.get_data(as_text=True)


def test_an_accept_that_allows_neither_is_406_problem_json(client: FlaskClient) -> None:
    response = client.post("/assess", json={}, headers={"Accept": "application/xml"})
    assert response.status_code == 406 and response.mimetype == "application/problem+json"


def test_a_failure_of_an_html_request_is_html_with_the_emergency_advice(app: Flask,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = app.extensions["cramp"]
    monkeypatch.setattr(runtime.engine, "assess", lambda facts: 1 / 0)
    response = app.test_client().post("/assess", json={}, headers=HTML)
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert runtime.kb.emergency_fallback in response.get_data(as_text=True)


# --------------------------------------------------------------------------- metrics and logs

def sample(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_html_and_form_requests_count_like_json(client: FlaskClient, app: Flask) -> None:
    from schemas import ASSESS_REQUEST

    form = app.extensions["cramp"].render.form.encode(ASSESS_REQUEST.load(DVT))
    urgent = {"level": "urgent"}
    before = {
        "assessments": sample("cramp_assessments_total", urgent),
        "flags": sample("cramp_red_flags_total", {"rule": "possible_dvt"}),
        "embed": sample("cramp_http_requests_total", {"route": "/embed", "method": "POST", "status": "200"}),
        "assess": sample("cramp_http_requests_total", {"route": "/assess", "method": "POST", "status": "200"}),
        "invalid": sample("cramp_validation_failures_total", {"pointer": "/person/age"}),
        "unknown": sample("cramp_validation_failures_total", {"pointer": "/signs/_unknown"}),
    }
    assert client.post("/assess", json=DVT, headers=HTML).status_code == 200
    assert client.post("/embed", data=MultiDict(form)).status_code == 200
    assert client.post("/embed", data=MultiDict(form), headers={"X-Test-Traffic": "1"}).status_code == 200  # not counted
    assert client.post("/embed", data={"person.age": "130", "signs.fevr": "1"}).status_code == 422
    assert sample("cramp_assessments_total", urgent) - before["assessments"] == 2
    assert sample("cramp_red_flags_total", {"rule": "possible_dvt"}) - before["flags"] == 2
    assert sample("cramp_http_requests_total", {"route": "/embed", "method": "POST", "status": "200"}) - before["embed"] == 2
    assert sample("cramp_http_requests_total", {"route": "/assess", "method": "POST", "status": "200"}) - before["assess"] == 1
    assert sample("cramp_validation_failures_total", {"pointer": "/person/age"}) - before["invalid"] == 1
    assert sample("cramp_validation_failures_total", {"pointer": "/signs/_unknown"}) - before["unknown"] == 1


def test_the_log_line_names_route_format_and_fields_never_values(client: FlaskClient,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    client.post("/embed", data={"person.age": "131", "medications.0.name": "ZQXJ7 pill", "signs.ZQXJ8": "yes",
                                "medications.0.recent_change": "ZQXJ9"})
    client.post("/assess", json={"medications": [{"name": "ZQXJ10 statin"}]}, headers=HTML)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["event"] == "request"]
    assert [(r["route"], r["status"], r["format"]) for r in requests] == [("/embed", 422, "html"), ("/assess", 200, "html")]
    assert requests[0]["invalid_fields"] == ["/medications/-/recent_change", "/person/age", "/signs/_unknown"]
    assert "ZQXJ" not in json.dumps(lines)
