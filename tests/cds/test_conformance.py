"""CDS Hooks 2.0 conformance, as a mock EHR sees it: discovery, prefetch, calls, cards, feedback, metrics."""
from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from mock_ehr import MockEhr, client_sender, draft_orders, fill, no_null_or_empty, schema_errors
from prometheus_client import REGISTRY

from service.cds.content import CARD_KINDS
from service.cds.ids import kind_index


@pytest.fixture
def ehr(client: FlaskClient) -> MockEhr:
    """A mock EHR talking to a fresh app through the spec-checking test client."""
    return MockEhr(client_sender(client))


ALLOWED_TOKENS = {"{{context.patientId}}", "{{context.encounterId}}", "{{context.userId}}"}
INDICATORS = {"info": 0, "warning": 1, "critical": 2}


SOURCES_HEADING = {"en-GB": "**Sources**", "en-US": "**Sources**", "es": "**Fuentes**"}


def check_card(card: dict[str, Any], language: str = "en-GB") -> None:
    """Every card: as CDS Hooks 2.0 demands, and as this service promises."""
    assert len(card["summary"]) < 140
    assert card["indicator"] in INDICATORS
    assert uuid.UUID(card["uuid"]).version == 8 and kind_index(card["uuid"]) is not None
    assert card["source"]["label"] and card["source"]["url"].startswith("https://")
    assert card["source"]["topic"]["code"] in CARD_KINDS
    assert SOURCES_HEADING[language] in card["detail"], "every card cites its guidance sources"
    assert card["extension"]["cramp-advice"]["language"] == language
    for link in card.get("links", ()):
        assert link["type"] == "absolute" and link["url"].startswith(("http://", "https://"))
        assert "?" not in link["url"] and "patient" not in link["url"].lower(), "no patient data in a link"
    if "suggestions" in card:
        assert card["selectionBehavior"] in ("at-most-one", "any")
    assert no_null_or_empty(card) == []


def test_discovery_announces_both_services_with_prefetch_templates(ehr: MockEhr) -> None:
    services = ehr.discover()
    assert set(services) == {"leg-cramp-review", "quinine-for-cramps"}
    assert services["leg-cramp-review"]["hook"] == "patient-view"
    assert services["quinine-for-cramps"]["hook"] == "order-select"
    assert ehr.hooks == {"leg-cramp-review": ["patient-view"], "quinine-for-cramps": ["order-select", "order-sign"]}
    templates = services["leg-cramp-review"]["prefetch"]
    assert set(templates) == {"patient", "conditions", "medications", "statements", "observations"}
    for template in templates.values():
        assert set(re.findall(r"\{\{[^}]*\}\}", template)) <= ALLOWED_TOKENS
    assert "prefetch" not in services["quinine-for-cramps"]
    assert all(s["usageRequirements"] for s in services.values())


def test_review_from_a_filled_prefetch(ehr: MockEhr, app: Flask) -> None:
    services = ehr.discover()
    status, body, headers = ehr.call(services["leg-cramp-review"])
    assert status == 200 and headers["Content-Language"] == "en-GB"
    kinds = [card["source"]["topic"]["code"] for card in body["cards"]]
    assert kinds == ["cramp_medicines", "potassium_magnesium_caution", "nsaid_caution", "quinine_on_record",
                     "what_to_check"]
    for card in body["cards"]:
        check_card(card)
    by_kind = dict(zip(kinds, body["cards"]))
    medicines = by_kind["cramp_medicines"]["detail"]
    assert "Furosemide" in medicines and "weak (adjusted sequence ratio 1.20" in medicines
    assert "Atorvastatin" in medicines and "call 111" in medicines, "the statin exception (S31) is stated"
    assert "Amoxicillin" not in medicines, "a completed prescription is not a current medicine"
    assert by_kind["potassium_magnesium_caution"]["indicator"] == "warning"  # G5: doctor_soon
    caution = by_kind["potassium_magnesium_caution"]["detail"]
    assert "Sando-K" in caution and "Magnesium oxide" in caution and "Ramipril" in caution
    check = by_kind["what_to_check"]
    assert "Potassium: 5.2 mmol/L (2026-11-20)" in check["detail"], "the most recent result"
    assert "Glucose" not in check["detail"], "a result the prefetch did not ask for is not shown"
    assert "Asthma" not in check["detail"], "a resolved condition is not recorded as current"
    if any(rule.rule == "/embed" for rule in app.url_map.iter_rules()):  # the questionnaire (issue 14)
        assert check["links"] == [{"label": check["links"][0]["label"], "url": "http://localhost/embed",
                                   "type": "absolute"}]
    else:
        assert "links" not in check, "no link to a page this app does not serve"


def test_no_cramp_problem_no_cards(ehr: MockEhr) -> None:
    ehr.fixture.resources = [r for r in ehr.fixture.resources if r.get("id") != "cond-1"]
    status, body, _ = ehr.call(ehr.discover()["leg-cramp-review"])
    assert (status, body) == (200, {"cards": []})


def test_quinine_order_on_select_and_sign(ehr: MockEhr) -> None:
    service = ehr.discover()["quinine-for-cramps"]
    context = {"userId": "Practitioner/gp-1", "patientId": "example-patient-1", "draftOrders": draft_orders(),
               "selections": ["MedicationRequest/draft-quinine"]}
    for hook in ehr.hooks["quinine-for-cramps"]:  # every hook discovery lists it under
        status, body, _ = ehr.call(service, hook, dict(context))
        assert status == 200
        [card] = body["cards"]
        check_card(card)
        assert card["indicator"] == "critical" and card["selectionBehavior"] == "at-most-one"
        [suggestion] = card["suggestions"]
        assert suggestion["actions"] == [{"type": "delete", "description": suggestion["actions"][0]["description"],
                                          "resourceId": "MedicationRequest/draft-quinine"}]
        assert card["overrideReasons"] and all(r["display"] and r["system"] and r["code"] for r in card["overrideReasons"])
        assert "MHRA" in card["detail"] and "FDA" in card["detail"]
    status, body, _ = ehr.call(service, "order-select", {**context, "selections": ["MedicationRequest/draft-paracetamol"]})
    assert (status, body) == (200, {"cards": []}), "order-select looks at the selected orders only"


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_feedback_is_counted_by_service_card_kind_and_outcome(ehr: MockEhr) -> None:
    services = ehr.discover()
    _, review, _ = ehr.call(services["leg-cramp-review"])
    context = {"userId": "Practitioner/gp-1", "patientId": "example-patient-1", "draftOrders": draft_orders(),
               "selections": ["MedicationRequest/draft-quinine"]}
    _, order, _ = ehr.call(services["quinine-for-cramps"], "order-select", context)
    card = order["cards"][0]
    before = {
        "accepted": _sample("cramp_cds_feedback_total", service="quinine-for-cramps", card="quinine_order", outcome="accepted"),
        "overridden": _sample("cramp_cds_feedback_total", service="leg-cramp-review", card="what_to_check", outcome="overridden"),
        "unknown": _sample("cramp_cds_feedback_total", service="leg-cramp-review", card="unknown", outcome="overridden"),
    }
    status, body, _ = ehr.feedback("quinine-for-cramps", [{
        "card": card["uuid"], "outcome": "accepted", "acceptedSuggestions": [{"id": card["suggestions"][0]["uuid"]}],
        "outcomeTimestamp": "2026-12-03T10:00:00Z"}])
    assert (status, body) == (200, {"received": 1})
    check = next(c for c in review["cards"] if c["source"]["topic"]["code"] == "what_to_check")
    status, body, _ = ehr.feedback("leg-cramp-review", [
        {"card": check["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-12-03T10:01:00+01:00",
         "overrideReason": {"reason": {"system": "https://ehr.example.org/reasons", "code": "seen"},
                            "userComment": "Free text a clinician typed about the patient"}},
        {"card": str(uuid.uuid4()), "outcome": "overridden", "outcomeTimestamp": "2026-12-03T10:02:00Z"}])
    assert (status, body) == (200, {"received": 2})
    assert _sample("cramp_cds_feedback_total", service="quinine-for-cramps", card="quinine_order",
                   outcome="accepted") == before["accepted"] + 1
    assert _sample("cramp_cds_feedback_total", service="leg-cramp-review", card="what_to_check",
                   outcome="overridden") == before["overridden"] + 1
    assert _sample("cramp_cds_feedback_total", service="leg-cramp-review", card="unknown",
                   outcome="overridden") == before["unknown"] + 1
    assert _sample("cramp_cds_cards_total", service="leg-cramp-review", card="what_to_check") >= 1


def test_feedback_breaking_the_specification_is_refused(ehr: MockEhr) -> None:
    for items, pointer in (
        ([{"card": "x", "outcome": "accepted", "outcomeTimestamp": "2026-12-03T10:00:00Z"}], "/feedback/0/acceptedSuggestions"),
        ([{"card": "x", "outcome": "ignored", "outcomeTimestamp": "2026-12-03T10:00:00Z"}], "/feedback/0/outcome"),
        ([{"card": "x", "outcome": "overridden", "outcomeTimestamp": "yesterday"}], "/feedback/0/outcomeTimestamp"),
        ([], "/feedback"),
    ):
        status, body, _ = ehr.send("POST", "/cds-services/leg-cramp-review/feedback", {"feedback": items})
        assert status == 400 and pointer in [e["pointer"] for e in body["errors"]]


def _language_case(ehr: MockEhr, patient_language: str | None, accept: str | None) -> str:
    request = {"hook": "patient-view", "hookInstance": str(uuid.uuid4()), "context": {"patientId": "example-patient-1"},
               "prefetch": {}}
    request["prefetch"] = fill(ehr.discover()["leg-cramp-review"]["prefetch"], request["context"], ehr.fixture)
    patient = request["prefetch"]["patient"]
    if patient_language is None:
        patient.pop("communication", None)
    else:
        patient["communication"] = [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": patient_language}]},
                                     "preferred": True}]
    status, body, headers = ehr.send("POST", "/cds-services/leg-cramp-review", request,
                                     {"Accept-Language": accept} if accept else None)
    assert status == 200 and body["cards"]
    assert "Accept-Language" in headers.get("Vary", "")
    return headers["Content-Language"]


def test_the_patients_language_first_then_accept_language(ehr: MockEhr, app: Flask) -> None:
    offered = tuple(app.extensions["cramp_cds"].by_language)
    assert offered[0] == "en-GB"
    assert _language_case(ehr, None, None) == "en-GB"
    assert _language_case(ehr, "es", None) == "es"
    assert _language_case(ehr, "es-MX", "en-GB") == "es", "a regional tag of an offered language"
    assert _language_case(ehr, None, "es") == "es", "Accept-Language when the record has no language"
    assert _language_case(ehr, "fr", "es-ES, en;q=0.5") == "es", "an unoffered patient language falls to the header"
    assert _language_case(ehr, "fr", None) == "en-GB", "nothing offered: the default, never a mix"
    if "en-US" in offered:
        assert _language_case(ehr, None, "en-US") == "en-US"
        assert _language_case(ehr, "en-US", "en-GB;q=1") == "en-US", "the patient's language wins"
        assert _language_case(ehr, "es-MX", "en-US") == "es", "the patient's language wins over the header"
        assert _language_case(ehr, "de", "en-US") == "en-US", "an unoffered patient language falls to the header"


def test_a_spanish_patient_gets_spanish_cards_marked_unreviewed(client: FlaskClient, app: Flask) -> None:
    """The mock EHR's patient prefers Spanish: every card in Spanish, valid, and saying it awaits review."""
    ehr = MockEhr(client_sender(client)).speaks("es")
    status, body, headers = ehr.call(ehr.discover()["leg-cramp-review"])  # checked against the schemas
    assert status == 200 and headers["Content-Language"] == "es"
    content = app.extensions["cramp_cds"].by_language["es"].content
    english = app.extensions["cramp_cds"].by_language["en-GB"].content
    kinds = [card["source"]["topic"]["code"] for card in body["cards"]]
    assert kinds == ["cramp_medicines", "potassium_magnesium_caution", "nsaid_caution", "quinine_on_record",
                     "what_to_check"]
    for card in body["cards"]:
        check_card(card, "es")
        kind = card["source"]["topic"]["code"]
        assert card["source"]["topic"]["display"] == content.cards[kind].topic
        assert card["extension"]["cramp-advice"]["translation_reviewed"] is False
        assert card["detail"].endswith(content.words["unreviewed"]), "the clinician is told, on every card"
        for statement in content.cards[kind].statements:
            assert statement.text in card["detail"]
        for statement in english.cards[kind].statements:
            assert statement.text not in card["detail"], "no English statement in a Spanish card"
    by_kind = dict(zip(kinds, body["cards"]))
    assert by_kind["cramp_medicines"]["summary"].startswith("2 medicamentos actuales") or \
        "medicamentos actuales" in by_kind["cramp_medicines"]["summary"]
    assert "Diuréticos del asa: débil (razón de secuencia ajustada 1.20" in by_kind["cramp_medicines"]["detail"]
    assert "Potasio: 5.2 mmol/L (2026-11-20)" in by_kind["what_to_check"]["detail"]
    if "links" in by_kind["what_to_check"]:
        assert by_kind["what_to_check"]["links"][0]["label"] == content.cards["what_to_check"].extra["link_label"]
    status, body, _ = ehr.feedback("leg-cramp-review", [
        {"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-12-03T10:00:00Z"} for card in body["cards"]])
    assert (status, body) == (200, {"received": 5})


def test_a_quinine_order_in_spanish_by_accept_language(ehr: MockEhr, app: Flask) -> None:
    service = ehr.discover()["quinine-for-cramps"]
    context = {"userId": "Practitioner/gp-1", "patientId": "example-patient-1", "draftOrders": draft_orders()}
    request = {"hook": "order-sign", "hookInstance": str(uuid.uuid4()), "context": context}
    status, body, headers = ehr.send("POST", f"/cds-services/{service['id']}", request, {"Accept-Language": "es"})
    assert status == 200 and headers["Content-Language"] == "es"
    assert schema_errors("response", body) == [] and no_null_or_empty(body) == []
    [card] = body["cards"]
    check_card(card, "es")
    content = app.extensions["cramp_cds"].by_language["es"].content
    assert card["summary"] == content.cards["quinine_order"].summary_one
    assert card["suggestions"][0]["label"] == "Eliminar la prescripción de quinina en borrador"
    assert [r["display"] for r in card["overrideReasons"]] == [r["display"] for r in content.override_reasons]
    assert all(r["system"] and r["code"] for r in card["overrideReasons"])
