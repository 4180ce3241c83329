"""Cards in every language they are offered in: every card kind renders, valid, in that language only."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from mock_ehr import no_null_or_empty, schema_errors

from service.cds.content import CARD_KINDS
from service.cds.services import CdsServices

PATIENT = "p"
ICD10, ATC = "http://hl7.org/fhir/sid/icd-10", "http://www.whocc.no/atc"


def _condition(rid: str, code: str, text: str | None) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [{"system": ICD10, "code": code}]}
    if text:
        concept["text"] = text
    return {"resourceType": "Condition", "id": rid, "code": concept, "subject": {"reference": f"Patient/{PATIENT}"}}


def _medicine(rid: str, text: str | None, atc: str | None = None) -> dict[str, Any]:
    resource = {"resourceType": "MedicationRequest", "id": rid, "status": "active", "intent": "order",
                "subject": {"reference": f"Patient/{PATIENT}"}}
    concept: dict[str, Any] = {"coding": [{"system": ATC, "code": atc}]} if atc else {}
    if text is not None:
        concept["text"] = text
    resource["medicationCodeableConcept"] = concept
    return resource


def _bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


# One chart that raises every card kind of leg-cramp-review: medicines linked to cramps, a potassium
# product with kidney disease, an NSAID, quinine, what to check, and a guidance finding no card
# covers (cramps on dialysis). A condition and a medicine coded only (no text, no display) make the
# cards use their own words for record data without a name.
REVIEW = {
    "hook": "patient-view", "hookInstance": "0e4c8f64-2ad5-4a31-9d7a-3b0c7c1d2e21", "context": {"patientId": PATIENT},
    "prefetch": {
        "patient": {"resourceType": "Patient", "id": PATIENT, "gender": "female", "birthDate": "1950-01-01"},
        "conditions": _bundle([_condition("c1", "R25.2", "Night leg cramps"), _condition("c2", "N18.4", None),
                               _condition("c3", "Z99.2", "Haemodialysis")]),
        "medications": _bundle([_medicine("m1", "Furosemide 40mg tablets", "C03CA01"),
                                _medicine("m2", "Sando-K effervescent tablets"), _medicine("m3", "Naproxen 250mg tablets"),
                                _medicine("m4", "Quinine sulfate 200mg tablets"), _medicine("m5", None, "C03DA01")]),
        "observations": None,
    },
}
DRAFT = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
    "resourceType": "MedicationRequest", "id": "d1", "status": "draft", "intent": "order",
    "medicationCodeableConcept": {"coding": [{"system": ATC, "code": "P01BC01"}]},  # a name nowhere: the card's own word
    "subject": {"reference": f"Patient/{PATIENT}"}}}]}
ORDER = {"hook": "order-sign", "hookInstance": "0e4c8f64-2ad5-4a31-9d7a-3b0c7c1d2e22",
         "context": {"patientId": PATIENT, "userId": "Practitioner/1", "draftOrders": DRAFT}}


def _offered(app: Flask) -> dict[str, CdsServices]:
    return dict(app.extensions["cramp_cds"].by_language)


def test_spanish_is_offered_beside_english(app: Flask) -> None:
    offered = _offered(app)
    assert next(iter(offered)) == "en-GB" and "es" in offered
    assert offered["es"].content.language == "es" and offered["en-GB"].content.language == "en"


@pytest.mark.parametrize("language", ["en-GB", "en-US", "es"])
def test_every_card_kind_renders_in_every_offered_language(app: Flask, language: str) -> None:
    offered = _offered(app)
    if language not in offered:
        pytest.skip(f"{language} is not a content locale here")
    services = offered[language]
    content = services.content
    cards = services.review(REVIEW, date(2026, 12, 3), "https://cds.example.org/embed").body["cards"]
    cards += services.quinine(ORDER).body["cards"]
    assert sorted({c["source"]["topic"]["code"] for c in cards}) == sorted(CARD_KINDS)
    body = {"cards": cards}
    assert schema_errors("response", body) == [] and no_null_or_empty(body) == []
    reviewed = content.translation_reviewed and services.cards._footer == ""
    for card in cards:
        kind = card["source"]["topic"]["code"]
        assert len(card["summary"]) < 140
        assert card["source"]["topic"]["display"] == content.cards[kind].topic
        assert f"**{content.words['sources']}**" in card["detail"]
        assert card["extension"] == {"cramp-advice": {"language": language, "translation_reviewed": reviewed}}
        assert card["detail"].endswith(content.words["unreviewed"]) is not reviewed
        for statement in content.cards[kind].statements:
            assert statement.text in card["detail"]
    details = "\n".join(card["detail"] for card in cards)
    assert content.words["unnamed_medicine"] in details and content.words["unnamed_condition"] in details
    assert f"- {content.words['quinine']}" in details, "a draft quinine order without a name"
    order = next(card for card in cards if card["source"]["topic"]["code"] == "quinine_order")
    assert order["suggestions"][0]["label"] == content.cards["quinine_order"].extra["suggestion"]


def test_spanish_cards_carry_no_english_statement(app: Flask) -> None:
    offered = _offered(app)
    english, spanish = offered["en-GB"].content, offered["es"]
    cards = spanish.review(REVIEW, date(2026, 12, 3), "https://cds.example.org/embed").body["cards"]
    cards += spanish.quinine(ORDER).body["cards"]
    text = "\n".join(c["summary"] + "\n" + c["detail"] + "\n" + c["source"]["topic"]["display"] for c in cards)
    for card in english.cards.values():
        for wording in (card.topic, card.heading, *(s.text for s in card.statements)):
            assert not wording or wording not in text, wording
    for word in ("Sources", "Recorded in this chart", "Loop diuretics", "adjusted sequence ratio", "(no value)"):
        assert word not in text
    links = [link for c in cards for link in c.get("links", ())]
    assert [link["label"] for link in links] == [spanish.content.cards["what_to_check"].extra["link_label"]]
