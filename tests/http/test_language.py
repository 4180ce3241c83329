"""POST /assess in the person's language and region: Accept-Language, Content-Language, Vary, `region`."""
from __future__ import annotations

import string
from typing import Any

import langcodes
import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from service.app import create_app
from service.config import ConfigError, Settings
from service.content.vocabulary import REGIONS
from service.http.language import LanguageNegotiator, negotiator

LOCALES = ("en-GB", "en-US", "es")
CHEST_PAIN = {"signs": {"chest_pain": True}}


def answer(client: FlaskClient, body: dict[str, Any] | None = None, language: str | None = None) -> Any:
    headers = {"Accept-Language": language} if language is not None else {}
    return client.post("/assess", json=body or {}, headers=headers)


def test_the_answer_says_its_language_and_varies_on_accept_language(client: FlaskClient) -> None:
    response = answer(client, language="es")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "es"
    vary = {v.strip() for line in response.headers.getlist("Vary") for v in line.split(",")}
    assert {"Accept", "Accept-Language"} <= vary
    body = response.get_json()
    assert body["knowledge_base"]["language"] == "es" and body["knowledge_base"]["translation_reviewed"] is False
    assert body["disposition"]["title"] == "Puede cuidarse usted mismo"


def test_without_a_header_the_answer_is_british_english_and_region_neutral(client: FlaskClient) -> None:
    response = answer(client, CHEST_PAIN)
    body = response.get_json()
    assert response.headers["Content-Language"] == "en-GB"
    assert body["knowledge_base"]["language"] == "en-GB" and body["knowledge_base"]["region"] is None
    assert body["knowledge_base"]["translation_reviewed"] is True
    assert "(999 in the UK, 911 in the US)" in body["disposition"]["message"]


def test_vary_keeps_the_cors_origin() -> None:
    client = create_app(Settings(cors_origins=frozenset({"https://portal.example.org"}))).test_client()
    response = client.post("/assess", json={}, headers={"Origin": "https://portal.example.org",
                                                        "Accept-Language": "en-US"})
    vary = {v.strip() for line in response.headers.getlist("Vary") for v in line.split(",")}
    assert {"Accept", "Accept-Language", "Origin"} <= vary


@pytest.mark.parametrize(("header", "expected"), [
    ("es-MX", "es"), ("es-419,en;q=0.5", "es"), ("es-ES", "es"), ("en", "en-GB"), ("en-US", "en-US"),
    ("EN-us", "en-US"), ("en_US", "en-US"), ("en-AU", "en-GB"), ("en-NZ", "en-GB"), ("en-PR", "en-US"),
    ("en-Latn-US", "en-US"), ("fr", "en-GB"), ("fr, es;q=0.5", "es"), ("de-DE, en-US;q=0.8, es;q=0.9", "es"),
    ("es;q=0.2, en-US;q=0.9", "en-US"), ("en-US;q=0.5, es;q=0.5", "en-US"), ("es;q=0, *", "en-GB"),
    ("*", "en-GB"), ("", "en-GB"), ("x-klingon", "en-GB"), ("es;q=abc, en-US", "en-US"), ("!!", "en-GB"),
    ("ca", "es"), ("eu-ES", "es"), ("cy", "en-GB"), ("zh-Hant-TW", "en-GB"), ("en-Shaw", "en-GB"),
])
def test_accept_language_is_matched_by_bcp_47_with_fallbacks(client: FlaskClient, header: str, expected: str) -> None:
    response = answer(client, language=header)
    assert response.status_code == 200
    assert response.headers["Content-Language"] == expected
    assert response.get_json()["knowledge_base"]["language"] == expected


NEGOTIATOR = LanguageNegotiator(LOCALES, "en-GB")


@given(region=st.one_of(st.sampled_from(["US", "GB", "AU", "CA", "IN", "PR", "PH", "VI", "GU", "419", "001", "150"]),
                        st.text(string.ascii_uppercase, min_size=2, max_size=2)),
       language=st.sampled_from(["en", "es"]))
def test_a_regional_tag_gets_what_langcodes_chooses(region: str, language: str) -> None:
    tag = f"{language}-{region}"
    assert NEGOTIATOR.match(tag) == langcodes.closest_supported_match(tag, LOCALES, 25)


@given(language=st.text(string.ascii_lowercase, min_size=2, max_size=2).filter(lambda s: s not in ("en", "es")))
def test_a_bare_language_gets_what_langcodes_chooses(language: str) -> None:
    assert NEGOTIATOR.match(language) == langcodes.closest_supported_match(language, LOCALES, 25)


@given(header=st.text(max_size=200))
def test_any_header_gets_one_of_the_locales(header: str) -> None:
    assert NEGOTIATOR.choose(header) in LOCALES


def test_made_up_tags_cannot_grow_memory() -> None:
    fresh = LanguageNegotiator(LOCALES, "en-GB")
    for n in range(2000):
        assert fresh.choose(f"en-GB-x-caller{n}, es-x-{n};q=0.5") == "en-GB"
        assert fresh.choose(f"zz-{n}") == "en-GB"
    assert len(fresh._by_region) == 1  # one (language, region) pair seen: ("en", "GB")


def test_one_negotiator_per_locale_set() -> None:
    assert negotiator(LOCALES, "en-GB") is negotiator(LOCALES, "en-GB")


@pytest.mark.parametrize(("code", "expected"), [
    ("NZ", "Call 111 now. Do not drive yourself."), ("AU", "Call 000 now."), ("US", "Call 911 now."),
    ("IE", "Call 112 or 999 now."), ("FR", "Call 112 now."), ("GB-WLS", "Call 999 now."),
])
def test_the_region_chooses_the_numbers(client: FlaskClient, code: str, expected: str) -> None:
    body = answer(client, {**CHEST_PAIN, "region": code}).get_json()
    assert body["disposition"]["message"].startswith(expected)
    assert body["knowledge_base"]["region"] == code


def test_region_and_language_together(client: FlaskClient) -> None:
    response = answer(client, {"cramp": {"duration_minutes": 15}, "region": "GB-SCT"}, "es-AR")
    body = response.get_json()
    assert response.headers["Content-Language"] == "es"
    assert "NHS 24 (111)" in body["disposition"]["message"] and body["disposition"]["level"] == "urgent"


@pytest.mark.parametrize("region", ["JP", "gb", "GB-XYZ", "UK", "EU", "", 44, None, ["GB"]])
def test_an_unknown_or_malformed_region_is_422_naming_the_field(client: FlaskClient, region: Any) -> None:
    response = answer(client, {"region": region})
    assert response.status_code == 422
    assert [e["pointer"] for e in response.get_json()["errors"]] == ["/region"]


def test_the_default_region_answers_requests_that_send_none() -> None:
    client = create_app(Settings(default_region="GB-WLS")).test_client()
    body = answer(client, {"cramp": {"duration_minutes": 15}}).get_json()
    assert body["knowledge_base"]["region"] == "GB-WLS"
    assert "NHS 111 Wales" in body["disposition"]["message"]
    assert answer(client, {"region": "NZ"}).get_json()["knowledge_base"]["region"] == "NZ"  # the request wins


def test_cramp_default_region_is_read_and_checked() -> None:
    assert Settings.from_env({}).default_region is None
    assert Settings.from_env({"CRAMP_DEFAULT_REGION": "NZ"}).default_region == "NZ"
    assert all(Settings.from_env({"CRAMP_DEFAULT_REGION": code}).default_region == code for code in REGIONS)
    for bad in ("nz", "JP", "GB-XYZ"):
        with pytest.raises(ConfigError, match="CRAMP_DEFAULT_REGION"):
            Settings.from_env({"CRAMP_DEFAULT_REGION": bad})


def test_the_html_fragment_is_in_the_negotiated_language(client: FlaskClient) -> None:
    response = client.post("/assess", json={}, headers={"Accept": "text/html", "Accept-Language": "es"})
    assert response.status_code == 200 and response.headers["Content-Language"] == "es"
    assert '<section class="cramp cramp--self_care" lang="es"' in response.get_data(as_text=True)
