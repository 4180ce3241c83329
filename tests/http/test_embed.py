"""/embed through Flask's test client: the questionnaire, the result and its follow-up, the error states,
framing, the stylesheet. Every response is checked against openapi.yaml (SpecCheckingClient)."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from vignette_files import load_vignettes
from html_check import markup_problems, read, same_statement
from service.app import create_app
from service.config import ConfigError, Settings

CASES = load_vignettes()
HTML = "text/html"


@pytest.fixture(scope="module")
def app(module_app: Flask) -> Flask:
    """One application for the module; conftest's `client` checks every response against openapi.yaml."""
    return module_app


def form_of(app: Flask, request: dict[str, Any]) -> list[tuple[str, str]]:
    from schemas import ASSESS_REQUEST

    return app.extensions["cramp"].render.form.encode(ASSESS_REQUEST.load(request))


def assert_page(response: Any, status: int) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == HTML
    assert "Set-Cookie" not in response.headers
    html = response.get_data(as_text=True)
    assert html.startswith("<!DOCTYPE html>")
    assert markup_problems(html) == []
    return read(html)


# --------------------------------------------------------------------------- the questionnaire

def test_the_questionnaire_is_a_plain_form(client: FlaskClient, app: Flask) -> None:
    response = client.get("/embed")
    page = assert_page(response, 200)
    assert page.forms == [{"class": "cramp-form", "method": "post", "action": "/embed", "novalidate": ""}]
    groups = [title for level, title in page.headings if level == 2]
    assert groups == [g.title for g in app.extensions["cramp"].kb.presentation.groups]
    # "I don't know" sends nothing: absent means unknown, never "no".
    chest = [i for i in page.inputs if i.get("name") == "signs.chest_pain"]
    assert [i["value"] for i in chest] == ["yes", "no", ""]
    assert "I don't know" in page.text
    assert any(i.get("name") == "conditions" and i["value"] == "none" for i in page.inputs)
    assert page.stylesheets and page.stylesheets[0].startswith("/embed/cramp-advice.css?v=")
    assert not page.error_summary


def test_every_question_has_a_label_or_legend(client: FlaskClient) -> None:
    html = client.get("/embed").get_data(as_text=True)
    ids = re.findall(r'<input class="[^"]*" id="([^"]+)"', html)
    assert ids
    for element_id in ids:
        assert f'for="{element_id}"' in html, element_id


def test_head_is_answered_like_get(client: FlaskClient) -> None:
    response = client.head("/embed")
    assert response.status_code == 200 and response.mimetype == HTML and not response.get_data()


# --------------------------------------------------------------------------- framing and policy

def test_the_pages_policy_allows_this_origin_only(client: FlaskClient) -> None:
    csp = client.get("/embed").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives == {"default-src": "'none'", "style-src": "'self'", "form-action": "'self'",
                          "frame-ancestors": "'self'", "base-uri": "'none'"}
    assert "unsafe-inline" not in csp and "script-src" not in csp


def test_frame_ancestors_come_from_the_setting() -> None:
    settings = Settings.from_env({"CRAMP_EMBED_ORIGINS": "https://portal.example.org, https://nhs.example:8443"})
    app = create_app(settings)
    for path in ("/embed",):
        csp = app.test_client().get(path).headers["Content-Security-Policy"]
        assert "frame-ancestors 'self' https://nhs.example:8443 https://portal.example.org;" in csp
    result = app.test_client().post("/embed", data={})
    assert "https://portal.example.org" in result.headers["Content-Security-Policy"]


@pytest.mark.parametrize("value", ["portal.example.org", "https://portal.example.org/path", "*", "'self'"])
def test_a_bad_embed_origin_stops_start_up_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="CRAMP_EMBED_ORIGINS"):
        Settings.from_env({"CRAMP_EMBED_ORIGINS": value})


def test_the_json_api_still_may_not_be_framed(client: FlaskClient) -> None:
    assert "frame-ancestors 'none'" in client.post("/assess", json={}).headers["Content-Security-Policy"]


# --------------------------------------------------------------------------- the result

@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_the_form_path_and_the_json_path_say_the_same(client: FlaskClient, app: Flask, case: dict[str, Any]) -> None:
    answer = client.post("/assess", json=case["request"]).get_json()
    response = client.post("/embed", data=MultiDict(form_of(app, case["request"])))
    page = assert_page(response, 200)
    html = response.get_data(as_text=True)
    assert same_statement(html, answer) == []
    assert page.headings[0] == (1, "Your advice about leg cramps")
    assert page.headings[1][0] == 2  # the answer's top heading fits under the page's h1


def test_the_follow_up_carries_earlier_answers_and_asks_what_was_requested(client: FlaskClient, app: Flask) -> None:
    request = {"person": {"age": 45}, "cramp": {"locations": ["calf"], "side": "right"}}
    answer = client.post("/assess", json=request).get_json()
    page = assert_page(client.post("/embed", data=MultiDict(form_of(app, request))), 200)
    hidden = [(i["name"], i["value"]) for i in page.inputs if i.get("type") == "hidden"]
    assert hidden == form_of(app, request)
    asked = {i["name"] for i in page.inputs if i.get("type") != "hidden"}
    requested = {item["field"][1:].replace("/", ".") for item in answer["data_requested"]}
    assert {name for name in asked if not name.startswith("medications.")} <= requested | {"medications"}
    assert requested <= asked | {"medications"}
    for item in answer["data_requested"]:
        assert item["question"] in page.text


def test_answering_the_follow_up_reassesses_with_every_answer(client: FlaskClient, app: Flask) -> None:
    earlier = {"person": {"age": 45}, "cramp": {"locations": ["calf"], "side": "right"}}
    later = {**earlier, "signs": {"chest_pain": True, "breathlessness": True}}
    followup = form_of(app, earlier) + [("signs.chest_pain", "yes"), ("signs.breathlessness", "yes"),
                                        ("signs.swelling", "")]  # "I don't know": left out
    response = client.post("/embed", data=MultiDict(followup))
    assert_page(response, 200)
    assert same_statement(response.get_data(as_text=True), client.post("/assess", json=later).get_json()) == []


# --------------------------------------------------------------------------- invalid answers

BAD = [("person.age", "130"), ("signs.chest_pain", "maybe"), ("cramp.locations", "calf"), ("cramp.locations", "knee"),
       ("signs.warmth", "yes"), ("medications.1.recent_change", "started"), ("medications.1.name", "  "),
       ("medications.0.name", "ramipril"),
       ("conditions", "ckd")]
BAD_JSON = {"person": {"age": 130}, "signs": {"chest_pain": "maybe", "warmth": True},
            "cramp": {"locations": ["calf", "knee"]},
            "medications": [{"name": "ramipril"}, {"name": "  ", "recent_change": "started"}], "conditions": ["ckd"]}


def test_invalid_answers_get_the_form_again_with_every_answer_kept(client: FlaskClient) -> None:
    response = client.post("/embed", data=MultiDict(BAD))
    page = assert_page(response, 422)
    assert page.headings[0] == (2, "There is a problem")  # the error summary comes first
    assert response.get_data(as_text=True).count('role="alert"') == 1
    # Each summary item links to a control on the page.
    assert page.error_summary and all(href and href[1:] in page.element_ids for href, _ in page.error_summary)
    # Same details as the JSON problem for the same facts, each with its field named.
    problem = client.post("/assess", json=BAD_JSON).get_json()
    texts = [text for _, text in page.error_summary]
    assert len(texts) == len(problem["errors"])
    for error in problem["errors"]:
        assert any(text.endswith(error["detail"]) for text in texts), error
    assert "Age: Must be greater than or equal to 0 and less than or equal to 120." in texts
    assert "Medicine 2, name of the medicine: Must not be blank." in texts
    # Every answer kept, the invalid ones too.
    values = {(i["name"], i["value"]) for i in page.inputs if i.get("type") == "text"}
    assert ("person.age", "130") in values and ("medications.0.name", "ramipril") in values
    checked = {(i["name"], i["value"]) for i in page.inputs if "checked" in i}
    assert {("signs.warmth", "yes"), ("cramp.locations", "calf"), ("conditions", "ckd"),
            ("medications.1.recent_change", "started")} <= checked
    assert "Error: " in page.text


def test_an_answer_the_questionnaire_does_not_show_is_kept_hidden_or_shown_when_wrong(client: FlaskClient) -> None:
    page = assert_page(client.post("/embed", data=MultiDict([("signs.heart_rate", "300"), ("signs.shivering", "yes")])), 422)
    hidden = {(i["name"], i["value"]) for i in page.inputs if i.get("type") == "hidden"}
    assert ("signs.shivering", "yes") in hidden
    shown = {(i["name"], i["value"]) for i in page.inputs if i.get("type") == "text"}
    assert ("signs.heart_rate", "300") in shown
    assert ("Other answers") in [title for _, title in page.headings]


def test_an_unknown_field_is_named_and_not_carried_on(client: FlaskClient) -> None:
    page = assert_page(client.post("/embed", data=MultiDict([("signs.fevr", "yes")])), 422)
    assert page.error_summary == [(None, "An answer this form does not ask for (signs.fevr): Unknown field.")]
    assert not any(i.get("name") == "signs.fevr" for i in page.inputs)


# --------------------------------------------------------------------------- other refusals: HTML, never JSON, never 500

FORM_NAMES = st.sampled_from(["person.age", "signs.chest_pain", "cramp.locations", "conditions", "medications",
                              "medications.0.name", "medications.1.recent_change", "medications.x.name",
                              "medications.99.name", "region", "signs", "", ".", "a.b.c"])
FORM_VALUES = st.one_of(st.sampled_from(["", "yes", "no", "none", "calf", "45", "-1", "1e999", "nan", " "]),
                        st.text(max_size=30))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(st.one_of(FORM_NAMES, st.text(max_size=20)), FORM_VALUES), max_size=12))
def test_any_form_gets_a_page_never_a_failure(client: FlaskClient, pairs: list[tuple[str, str]]) -> None:
    response = client.post("/embed", data=MultiDict(pairs))
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]
    assert response.mimetype == HTML and "Set-Cookie" not in response.headers
    if response.status_code == 422:
        assert read(response.get_data(as_text=True)).error_summary


def test_a_body_that_is_not_a_form_gets_an_html_page(client: FlaskClient) -> None:
    page = assert_page(client.post("/embed", json={"person": {"age": 45}}), 415)
    assert "Start again" in page.text
    assert "emergency number" in page.text


def test_a_body_too_large_gets_an_html_page(client: FlaskClient) -> None:
    page = assert_page(client.post("/embed", data={"medications.0.name": "x" * 40_000}), 413)
    assert "emergency number" in page.text


def test_a_failure_on_an_embed_page_is_an_html_page_with_the_emergency_advice(app: Flask,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = app.extensions["cramp"]

    def broken(facts: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("engine failure")

    monkeypatch.setattr(runtime.engine, "assess", broken)
    page = assert_page(app.test_client().post("/embed", data={"signs.chest_pain": "no"}), 500)
    assert runtime.kb.emergency_fallback in page.text


def test_a_method_the_page_does_not_take_is_still_a_problem(client: FlaskClient) -> None:
    response = client.put("/embed")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"


# --------------------------------------------------------------------------- the stylesheet

def test_the_stylesheet_is_long_cached_versioned_and_themable(client: FlaskClient) -> None:
    link = read(client.get("/embed").get_data(as_text=True)).stylesheets[0]
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    css = response.get_data(as_text=True)
    version = dict(parse_qsl(urlsplit(link).query))["v"]
    assert response.headers["ETag"].strip('"').startswith(version)
    for needed in ("--cramp-", "@media print", "@media (forced-colors: active)", "@media (prefers-reduced-motion: reduce)"):
        assert needed in css
    assert not re.search(r"url\(|@import", css), "the stylesheet loads nothing from anywhere"
    selectors = re.findall(r"\.([a-zA-Z][\w-]*)", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    assert all(s.startswith("cramp") for s in selectors if not s[0].isdigit())
    again = client.get(link, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()


def test_nothing_sets_a_cookie(client: FlaskClient, app: Flask) -> None:
    responses = [client.get("/embed"), client.post("/embed", data=MultiDict(BAD)), client.post("/embed", data={}),
                 client.get("/embed/cramp-advice.css"), client.post("/assess", json={}, headers={"Accept": HTML})]
    assert all("Set-Cookie" not in r.headers for r in responses)
