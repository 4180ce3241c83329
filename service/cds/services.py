"""The two CDS services, discovery and feedback: pure Python over the engine, lexicon and content.

The HTTP layer (service/http/cds.py) reads bodies, checks tokens and turns CdsError into problem+json;
everything about CDS Hooks itself is here. This service never calls a FHIR server: what it needs comes
in the prefetch or the context, and a needed prefetch key that is missing is 412 even when the request
offers fhirServer and fhirAuthorization (CDS Hooks 2.0, "Prefetch Template").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from service.advice import Engine
from service.cds import fhir
from service.cds.cards import CardRenderer
from service.cds.chart import Chart, ChartReader, concept_text
from service.cds.content import CARD_KINDS, CdsContent
from service.cds.ids import kind_index
from service.cds.requests import EnvelopeError, check_feedback, check_request
from service.content import KnowledgeBase

REVIEW, QUININE = "leg-cramp-review", "quinine-for-cramps"
# Prefetch key -> (resource types it holds, required). Required keys missing -> 412.
REVIEW_PREFETCH: dict[str, tuple[frozenset[str], bool]] = {
    "patient": (frozenset({"Patient"}), True),
    "conditions": (frozenset({"Condition"}), True),
    "medications": (frozenset({"MedicationRequest"}), True),
    "statements": (frozenset({"MedicationStatement"}), False),
    "observations": (frozenset({"Observation"}), False),
}
MEDICATION_REQUEST = frozenset({"MedicationRequest"})


@dataclass
class CdsError(Exception):
    """A request the service will not answer with cards: 400 (bad input) or 412 (missing prefetch)."""

    status: int
    detail: str
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Answer:
    body: dict[str, Any]
    kinds: tuple[str, ...]  # card kinds, for the metrics
    languages: tuple[str, ...]  # the patient's languages, preferred first (for the language choice)


class CdsServices:
    def __init__(self, kb: KnowledgeBase, engine: Engine, content: CdsContent, language: str = "en-GB",
                 kb_reviewed: bool = True) -> None:
        """Services answering in `language` (a content locale); `kb_reviewed`: its edition's translation_reviewed."""
        self.kb, self.engine, self.content = kb, engine, content
        self.reader = ChartReader(content.codes, engine.lexicon)
        self.verdicts = fhir.Verdicts()  # valid FHIR checks this process has seen (digests only)
        self.cards = CardRenderer(kb, engine.lexicon, content, language, content.translation_reviewed and kb_reviewed)
        # One entry per hook a service answers: CDS Hooks 2.0 lets a server list the same id for
        # different hooks, and an EHR registers each entry for its hook.
        self.discovery = {"services": [self._describe(s, hook) for s in content.services.values() for hook in s.hooks]}

    # --- discovery ------------------------------------------------------------------------------------

    def _describe(self, service: Any, hook: str) -> dict[str, Any]:
        described = {"hook": hook, "title": service.title, "description": service.description,
                     "id": service.id, "usageRequirements": service.usage_requirements}
        if service.id == REVIEW:
            described["prefetch"] = self.prefetch_templates()
        return described

    def prefetch_templates(self) -> dict[str, str]:
        loinc = self.content.codes.systems["loinc"]
        codes = ",".join(f"{loinc}|{code}" for code in self.content.codes.labs)
        patient = "{{context.patientId}}"
        return {
            "patient": f"Patient/{patient}",
            "conditions": f"Condition?patient={patient}&clinical-status=active",
            "medications": f"MedicationRequest?patient={patient}&status=active",
            "statements": f"MedicationStatement?patient={patient}&status=active",
            "observations": f"Observation?patient={patient}&code={codes}&_sort=-date&_count=100",
        }

    # --- leg-cramp-review -----------------------------------------------------------------------------

    def review(self, body: Any, today: date, questionnaire: str | None) -> Answer:
        return self.review_cards(self.read_chart(body, today), questionnaire)

    def read_chart(self, body: Any, today: date) -> Chart:
        """The checked request's chart (language-independent: the cards are rendered separately)."""
        context = _envelope(body, self.content.services[REVIEW].hooks)
        prefetch = dict(body.get("prefetch") or {})  # a copy: keys the EHR could not fetch are dropped
        # What the EHR could not fetch counts as not sent: a required key is then 412, an optional one
        # unknown (never "none on record").
        unobtainable: dict[str, str] = {}
        for key, (_, required) in REVIEW_PREFETCH.items():
            if key in prefetch and fhir.fetch_failed(prefetch[key]):
                del prefetch[key]
                if required:
                    unobtainable[key] = "The EHR sent an OperationOutcome: it could not fetch this data."
            elif key not in prefetch:
                if required:
                    unobtainable[key] = "Missing."
            elif fhir.has_next_page(prefetch[key]):
                unobtainable[key] = "Has a next page; send every result at once."
        if unobtainable:
            raise CdsError(412, "Prefetch data this service needs was not sent, could not be fetched by the EHR, "
                                "or was only a first page; this service does not query FHIR servers.",
                           [{"pointer": f"/prefetch/{key}", "detail": detail} for key, detail in unobtainable.items()])
        chart, resources = Chart(), self._resources(prefetch, context["patientId"])
        if "observations" in prefetch:
            chart.labs = {}
        for resource in resources:
            rtype = resource["resourceType"]
            if rtype == "Patient":
                self.reader.patient(chart, resource, today)
            elif rtype == "Condition":
                self.reader.condition(chart, resource)
            elif rtype == "Observation":
                self.reader.observation(chart, resource)
            else:
                self.reader.medicine(chart, resource)
        return chart

    def review_cards(self, chart: Chart, questionnaire: str | None) -> Answer:
        """The cards for a chart, in this instance's language: none without a cramp problem."""
        if not chart.cramp_problem:
            return Answer({"cards": []}, (), tuple(chart.languages))
        assessment = self.engine.assess(self.reader.facts(chart))
        cards = self.cards.review(assessment, chart, questionnaire)
        return Answer({"cards": cards}, _kinds(cards), tuple(chart.languages))

    def _resources(self, prefetch: dict[str, Any], patient_id: str) -> list[dict[str, Any]]:
        """Every resource the review uses, validated; any fault in any of them is one 400.

        A resource of the expected type that the pre-read (ChartReader.uses) finds cannot change the
        answer is not validated and not read further; it is still refused when it is about another
        patient, since a search mixing patients is a fault worth stopping for.
        """
        errors, found = fhir.FhirErrors(), []
        validator = fhir.Validator(errors, self.verdicts)
        for key, (expected, _) in REVIEW_PREFETCH.items():
            value = prefetch.get(key)
            if value is None:  # absent, or null: the client has no data for it
                continue
            for resource, pointer in fhir.entries(value, f"/prefetch/{key}", errors):
                rtype = resource.get("resourceType")
                if rtype in fhir.PASSED_OVER - expected:
                    continue
                if rtype in expected and not self.reader.uses(resource):
                    _same_patient(resource, patient_id, pointer, errors)
                    continue
                if validator.validate(resource, pointer, expected):
                    _same_patient(resource, patient_id, pointer, errors)
                    found.append(resource)
        if errors.errors:
            raise CdsError(400, "FHIR content in the request is not valid FHIR R4 where this service reads it; "
                                "see errors.", errors.errors)
        return found

    # --- quinine-for-cramps ---------------------------------------------------------------------------

    def quinine(self, body: Any) -> Answer:
        context = _envelope(body, self.content.services[QUININE].hooks)
        selected = set(context.get("selections", ())) if body["hook"] == "order-select" else None
        errors, cards = fhir.FhirErrors(), []
        validator = fhir.Validator(errors, self.verdicts)
        for resource, pointer in fhir.entries(context["draftOrders"], "/context/draftOrders", errors):
            if resource.get("resourceType") != "MedicationRequest":
                continue  # other draft orders (labs, diets) are not this service's concern
            reference = fhir.label(resource)
            if selected is not None and reference not in selected:
                continue
            if not validator.validate(resource, pointer, MEDICATION_REQUEST):
                continue
            _same_patient(resource, context["patientId"], pointer, errors)
            if self._is_quinine(resource):
                name = concept_text(resource.get("medicationCodeableConcept"))  # "": the card says "quinine"
                cards.append(self.cards.quinine_order(name, reference))
        if errors.errors:
            raise CdsError(400, "A draft order is not valid FHIR R4 where this service reads it; see errors.",
                           errors.errors)
        return Answer({"cards": cards}, _kinds(cards), ())

    def _is_quinine(self, order: dict[str, Any]) -> bool:
        chart = Chart()
        self.reader.medicine(chart, {**order, "status": "active"})  # a draft is read like a current one
        return bool(chart.medicines) and "quinine" in self.engine.lexicon.classify(chart.medicines[0].engine_name)

    # --- feedback -------------------------------------------------------------------------------------

    def feedback(self, body: Any) -> list[tuple[str, str]]:
        """(card kind, outcome) per feedback item; a card uuid this service did not make is "unknown"."""
        try:
            items = check_feedback(body)
        except EnvelopeError as err:
            raise CdsError(400, "The feedback does not follow CDS Hooks 2.0; see errors.", err.errors) from None
        counted = []
        for card, outcome in items:
            index = kind_index(card)
            counted.append((CARD_KINDS[index] if index is not None and index < len(CARD_KINDS) else "unknown", outcome))
        return counted


def _envelope(body: Any, hooks: tuple[str, ...]) -> dict[str, Any]:
    try:
        return check_request(body, hooks)
    except EnvelopeError as err:
        raise CdsError(400, "The request does not follow CDS Hooks 2.0 for this service; see errors.",
                       err.errors) from None


def _same_patient(resource: dict[str, Any], patient_id: str, pointer: str, errors: fhir.FhirErrors) -> None:
    """A resource about another patient than the context's is refused, never silently used."""
    if resource["resourceType"] == "Patient":
        if resource.get("id") not in (None, patient_id):
            errors.add(pointer + "/id", "Is not the patient in context.patientId.", "Patient")
        return
    subject = resource.get("subject")
    reference = subject.get("reference") if isinstance(subject, dict) else None
    if isinstance(reference, str) and reference.startswith(("Patient/", "http")) and "Patient/" in reference \
            and reference.rsplit("Patient/", 1)[1] != patient_id:
        errors.add(pointer + "/subject/reference", "Refers to another patient than context.patientId.",
                   fhir.label(resource))


def _kinds(cards: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(card["source"]["topic"]["code"] for card in cards)
