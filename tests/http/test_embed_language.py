"""The HTML interface in the person's language and region (issue 15 part 3): /embed and the HTML fragment of
POST /assess use the same editions as the JSON answer, so every page is wholly in one language, says so
(`lang`, Content-Language), names only its region's numbers, and keeps the language and region through the
follow-up. Every response is checked against openapi.yaml (SpecCheckingClient)."""
from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from html_check import markup_problems, read
from schemas import ASSESS_REQUEST
from service.content import load_editions
from vignette_files import load_vignettes

EDITIONS = load_editions()
LANGUAGES = EDITIONS.languages
CODES = sorted(EDITIONS.regions.by_code)
SOURCE = EDITIONS.default.kb
CASES = load_vignettes()
# Words of the source language long enough to be unmistakable in another language's page.
ENGLISH = sorted({t for t in [*SOURCE.presentation.page.values(), *SOURCE.presentation.answers.values(),
                              *(g.title for g in SOURCE.presentation.groups),
                              *(f.question for f in SOURCE.fields.values())]
                  if len(t) >= 12 and "{" not in t and t != SOURCE.presentation.page["service_name"]})


@pytest.fixture(scope="module")
def app(module_app: Flask) -> Flask:
    """One application for the module; conftest's `client` checks every response against openapi.yaml."""
    return module_app


def page_of(response: Any, status: int = 200) -> tuple[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    html = response.get_data(as_text=True)
    assert markup_problems(html) == []
    return html, read(html)


def html_lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', html)
    assert found
    return found.group(1)


def form_of(app: Flask, request: dict[str, Any], language: str) -> MultiDict:
    edition = app.extensions["cramp"].localised.answerer(language, None).edition
    return MultiDict(app.extensions["cramp"].render.edition(edition).form.encode(ASSESS_REQUEST.load(request)))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", [None, *CODES])
def test_every_language_and_region_renders_the_questionnaire(client: FlaskClient, language: str,
                                                             code: str | None) -> None:
    query = f"?lang={language}" + (f"&region={code}" if code else "")
    html, page = page_of(client.get("/embed" + query))
    assert html_lang(html) == language
    assert page.forms[0]["action"] == "/embed" + query  # the form keeps the language and region


@pytest.mark.parametrize("language", LANGUAGES)
def test_lang_and_accept_language_choose_the_pages_language(client: FlaskClient, language: str) -> None:
    for response in (client.get(f"/embed?lang={language}"), client.get("/embed", headers={"Accept-Language": language})):
        html, _ = page_of(response)
        assert html_lang(html) == language
        assert response.headers["Content-Language"] == language
        assert "Accept-Language" in response.headers["Vary"]
    # ?lang wins over the browser's Accept-Language; a tag no locale is near leaves it to Accept-Language.
    other = "es" if language != "es" else "en-GB"
    html, _ = page_of(client.get(f"/embed?lang={language}", headers={"Accept-Language": other}))
    assert html_lang(html) == language
    html, _ = page_of(client.get("/embed?lang=zz", headers={"Accept-Language": language}))
    assert html_lang(html) == language


def test_the_spanish_pages_have_no_english_words_left(client: FlaskClient, app: Flask) -> None:
    pages = [client.get("/embed?lang=es").get_data(as_text=True)]
    # The error state: every kind of message at once.
    bad = [("person.age", "abc"), ("cramp.duration_minutes", "-3"), ("signs.fever", "maybe"), ("cramp.side", "up"),
           ("medications.0.name", "x" * 300), ("signs.fevr", "yes")]
    response = client.post("/embed?lang=es", data=MultiDict(bad))
    pages.append(page_of(response, 422)[0])
    # A result with a follow-up form, and one with every part of the answer.
    for case in CASES:
        pages.append(client.post("/embed?lang=es", data=form_of(app, case["request"], "es")).get_data(as_text=True))
    text = "\n".join(read(html).text for html in pages)
    left = [words for words in ENGLISH if words in text]
    assert left == []


def test_spanish_error_messages_in_the_summary_and_inline(client: FlaskClient) -> None:
    html, page = page_of(client.post("/embed?lang=es", data={"person.age": "130"}), 422)
    assert html_lang(html) == "es"
    [(href, text)] = page.error_summary
    assert href == "#cramp-f-person-age"
    assert "120" in text and "Must be" not in text
    assert 'lang="en-GB"' not in html  # every message had its translation


def test_the_spanish_form_reads_a_decimal_comma(client: FlaskClient) -> None:
    html, page = page_of(client.post("/embed?lang=es", data={"cramp.duration_minutes": "0,5", "person.age": "40"}))
    hidden = {i["name"]: i["value"] for i in page.inputs if i.get("type") == "hidden"}
    assert hidden["cramp.duration_minutes"] == "0.5"  # read as the number, carried on as JSON writes it


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("index", range(len(CASES)))
def test_every_vignette_gets_the_same_level_and_ids_in_html_in_every_language(
        client: FlaskClient, app: Flask, language: str, index: int) -> None:
    request = CASES[index]["request"]
    answer = client.post("/assess", json=request, headers={"Accept-Language": language}).get_json()
    html, page = page_of(client.post(f"/embed?lang={language}", data=form_of(app, request, language)))
    assert html_lang(html) == language
    assert page.level == answer["disposition"]["level"]
    for part in ("red_flags", "recommendations", "withheld", "safety_net"):
        assert page.ids[part] == [item["id"] for item in answer[part]], part
    fragment = client.post("/assess", json=request, headers={"Accept": "text/html", "Accept-Language": language})
    assert fragment.headers["Content-Language"] == language
    assert f'lang="{language}"' in fragment.get_data(as_text=True)[:200]


def test_the_region_in_the_frames_url_names_its_numbers_and_holds_through_the_follow_up(
        client: FlaskClient) -> None:
    chest_pain = {"signs.chest_pain": "yes"}
    html, page = page_of(client.post("/embed?lang=es&region=NZ", data=chest_pain))
    assert "111" in read(html).text and "999" not in read(html).text and "911" not in read(html).text
    assert "/embed?lang=es&region=NZ" in page.links  # "start again" keeps them
    html, page = page_of(client.post("/embed?lang=es&region=NZ", data={"person.age": "45"}))
    assert [f["action"] for f in page.forms] == ["/embed?lang=es&region=NZ"]  # the follow-up form
    hidden = {i["name"]: i["value"] for i in page.inputs if i.get("type") == "hidden"}
    assert hidden.get("region") == "NZ"
    # A region answered in the form wins over the frame's.
    html, _ = page_of(client.post("/embed?region=NZ", data={**chest_pain, "region": "US"}))
    assert "911" in read(html).text and "111" not in read(html).text


def test_an_unknown_region_in_the_frames_url_is_a_page_saying_so(client: FlaskClient) -> None:
    for response in (client.get("/embed?region=XX&lang=es"), client.post("/embed?region=gb", data={})):
        html, page = page_of(response, 400)
        assert "XX" not in page.text and "gb" not in page.text  # never the value
        assert "cramp-callout--emergency" in html
    html, _ = page_of(client.get("/embed?region=XX&lang=es"), 400)
    assert html_lang(html) == "es"
    assert 'lang="en-GB"' not in html  # the refusal's words are the page's language


def test_an_html_refusal_of_post_assess_is_in_the_negotiated_language(client: FlaskClient) -> None:
    response = client.post("/assess", json={"person": {"age": 500}},
                           headers={"Accept": "text/html", "Accept-Language": "es"})
    assert response.status_code == 422
    assert response.headers["Content-Language"] == "es"
    html = response.get_data(as_text=True)
    assert 'lang="es"' in html and "Must be" not in html and "120" in html
