"""The HTML fragment states the same assessment as the JSON answer, in plain words, safely."""
from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from vignette_files import load_vignettes
from html_check import POINTER_TEXT, markup_problems, read, same_statement
from schemas import ASSESS_REQUEST
from service.render import HEADING_LEVELS

CASES = load_vignettes()


@pytest.fixture(scope="module")
def app() -> Flask:
    """One app for the module: these tests only render."""
    from service.app import create_app
    from service.config import Settings

    return create_app(Settings())


def answer_and_html(app: Flask, request: dict[str, Any], heading_level: int = 2) -> tuple[dict[str, Any], str]:
    runtime = app.extensions["cramp"]
    facts = ASSESS_REQUEST.load(request)
    answer = {"assessment_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "evaluated_at": "2026-12-03T10:00:00.000Z",
              "api_version": "1", **runtime.engine.assess(facts)}
    with app.test_request_context():
        return answer, runtime.render.answer.fragment(answer, facts, heading_level)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_public_vignette_says_the_same_in_html(app: Flask, case: dict[str, Any]) -> None:
    answer, html = answer_and_html(app, case["request"])
    assert same_statement(html, answer) == []
    assert markup_problems(html) == []
    page = read(html)
    assert page.sections_at_root == 1
    # Never a JSON pointer in what a person reads: "Because you said" is in plain words.
    assert not POINTER_TEXT.search(page.text), POINTER_TEXT.search(page.text)
    for flag in answer["red_flags"]:
        assert flag["title"] in page.text
    assert answer["disclaimer"] in page.text


def test_the_order_is_the_issues_order(app: Flask) -> None:
    """What to do now, red flags, advice, withheld, safety net, disclaimer, attribution and review dates."""
    request = {"person": {"age": 49}, "cramp": {"locations": ["calf"], "side": "right"},
               "signs": {"swelling_side": "right", "warmth": True}, "context": {"recent_long_travel_hours": 12},
               "asks_about": ["quinine"]}
    answer, html = answer_and_html(app, request)
    assert answer["red_flags"] and answer["recommendations"] and answer["withheld"]
    marks = ["cramp-disposition", "cramp-red-flags", "cramp-advice", "cramp-withheld", "cramp-safety-net",
             "cramp-disclaimer", "cramp-attribution", "Page last reviewed", "Next review due"]
    positions = [html.index(mark) for mark in marks]
    assert positions == sorted(positions)


def test_because_you_said_is_in_plain_words(app: Flask) -> None:
    request = {"person": {"age": 49}, "cramp": {"locations": ["calf"], "side": "right"},
               "signs": {"swelling_side": "right", "warmth": True}, "context": {"recent_long_travel_hours": 12}}
    answer, html = answer_and_html(app, request)
    dvt = next(flag for flag in answer["red_flags"] if flag["id"] == "possible_dvt")
    assert dvt["because"] == ["/cramp/side", "/signs/swelling_side", "/signs/warmth", "/context/recent_long_travel_hours"]
    text = read(html).text
    for line in ("Which side the cramps are on: Right", "Which leg is swollen: Right",
                 "Warm or hot skin over the painful area: Yes", "Longest journey in the last 4 weeks: 12 hours"):
        assert line in text


def test_the_level_is_in_words_not_colour_alone(app: Flask) -> None:
    answer, html = answer_and_html(app, {"signs": {"chest_pain": True, "breathlessness": True}})
    assert answer["disposition"]["level"] == "emergency"
    heading = read(html).headings[0][1]
    assert heading.startswith("Emergency:") and answer["disposition"]["title"] in heading


@pytest.mark.parametrize("level", HEADING_LEVELS)
def test_headings_start_at_the_callers_level(app: Flask, level: int) -> None:
    _, html = answer_and_html(app, {"cramp": {"locations": ["calf"]}, "signs": {"warmth": True, "swelling_side": "left"}},
                              level)
    headings = read(html).headings
    assert headings[0][0] == level
    assert {h for h, _ in headings} == {level, level + 1, level + 2}
    for (before, _), (after, _) in zip(headings, headings[1:]):
        assert after <= before + 1  # never skips a level going down


def test_what_a_person_typed_is_escaped(app: Flask) -> None:
    name = 'atorvastatin <script>alert("x")</script> & <b>80</b>'
    request = {"medications": [{"name": name}], "cramp": {"locations": ["calf", "thigh"]},
               "signs": {"weakness": True}}
    answer, html = answer_and_html(app, request)
    because = [p for item in answer["red_flags"] + answer["recommendations"] for p in item["because"]]
    assert "/medications/0/name" in because, "the case must quote the medicine's name"
    assert "<script>" not in html and "<b>80</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;80&lt;/b&gt;" in html
    assert markup_problems(html) == []


def test_sources_are_links_and_evidence_is_stated(app: Flask) -> None:
    answer, html = answer_and_html(app, CASES[0]["request"])
    page = read(html)
    for recommendation in answer["recommendations"]:
        for source in recommendation["sources"]:
            assert source["url"] in page.links
    assert "Mixed evidence" in page.text or "Weak evidence" in page.text
    assert re.search(r"Page last reviewed: \d{1,2} [A-Z][a-z]+ \d{4}", page.text)
