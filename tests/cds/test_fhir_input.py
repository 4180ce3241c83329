"""FHIR R4 in: invalid content is 400 naming resource and path; missing prefetch is 412 (CDS Hooks 2.0)."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from flask.testing import FlaskClient
from mock_ehr import FhirFixture, MockEhr, client_sender, draft_orders, fill


@pytest.fixture
def ehr(client: FlaskClient) -> MockEhr:
    """A mock EHR talking to a fresh app through the spec-checking test client."""
    return MockEhr(client_sender(client))


REVIEW = "/cds-services/leg-cramp-review"
CONTEXT = {"userId": "Practitioner/gp-1", "patientId": "example-patient-1"}


def review_request(ehr: MockEhr) -> dict[str, Any]:
    templates = ehr.discover()["leg-cramp-review"]["prefetch"]
    return {"hook": "patient-view", "hookInstance": "0e4c8f64-2ad5-4a31-9d7a-3b0c7c1d2e11", "context": dict(CONTEXT),
            "prefetch": fill(templates, CONTEXT, FhirFixture())}


def _entry(request: dict[str, Any], key: str, index: int) -> dict[str, Any]:
    return request["prefetch"][key]["entry"][index]["resource"]


BREAKAGES = [
    ("conditions", 0, lambda r: r["code"]["coding"][0].update(system=5),
     "/prefetch/conditions/entry/0/resource/code/coding/0/system", "Condition/cond-1"),
    ("conditions", 1, lambda r: r.pop("subject"), "/prefetch/conditions/entry/1/resource/subject", "Condition/cond-2"),
    ("medications", 0, lambda r: r["medicationCodeableConcept"].update(coding="C03CA01"),
     "/prefetch/medications/entry/0/resource/medicationCodeableConcept/coding", "MedicationRequest/request-1"),
    ("medications", 1, lambda r: r.update(medicationReference={"reference": "Medication/m1"}),
     "/prefetch/medications/entry/1/resource", "MedicationRequest/request-2"),
    ("observations", 0, lambda r: r.update(effectiveDateTime="last Tuesday"),
     "/prefetch/observations/entry/0/resource/effectiveDateTime", "Observation/obs-2"),
    ("observations", 1, lambda r: r["code"]["coding"].append(None),
     "/prefetch/observations/entry/1/resource/code/coding", "Observation/obs-3"),
    ("conditions", 2, lambda r: r.update(resourceType="Observation"),
     "/prefetch/conditions/entry/2/resource/resourceType", "Observation/cond-3"),
    ("conditions", 3, lambda r: r.update(subject={"reference": "Patient/someone-else"}),
     "/prefetch/conditions/entry/3/resource/subject/reference", "Condition/cond-4"),
]


@pytest.mark.parametrize(("key", "index", "breakage", "pointer", "resource"), BREAKAGES,
                         ids=[b[3].rsplit("resource", 1)[-1] or b[3] for b in BREAKAGES])
def test_invalid_fhir_is_400_naming_resource_and_path(ehr: MockEhr, key: str, index: int, breakage: Any,
                                                       pointer: str, resource: str) -> None:
    request = review_request(ehr)
    breakage(_entry(request, key, index))
    status, body, _ = ehr.send("POST", REVIEW, request)
    assert status == 400, body
    assert body["type"] == "urn:cramp-advice:problem:cds-request"
    assert {"pointer": pointer, "resource": resource} in [
        {"pointer": e["pointer"], "resource": e.get("resource")} for e in body["errors"]], body["errors"]


def test_error_details_never_repeat_the_value(ehr: MockEhr) -> None:
    request = review_request(ehr)
    _entry(request, "conditions", 0)["code"]["coding"][0]["code"] = "  SECRET  VALUE "
    _entry(request, "observations", 0)["effectiveDateTime"] = "SECRET-DATE"
    status, body, _ = ehr.send("POST", REVIEW, request)
    assert status == 400 and "SECRET" not in str(body)


def test_elements_the_service_does_not_read_are_not_validated(ehr: MockEhr) -> None:
    request = review_request(ehr)
    _entry(request, "medications", 0)["dosageInstruction"] = "not even an array"
    status, _, _ = ehr.send("POST", REVIEW, request)
    assert status == 200


@pytest.mark.parametrize("missing", ["patient", "conditions", "medications"])
@pytest.mark.parametrize("with_fhir_server", [False, True])
def test_a_missing_required_prefetch_key_is_412(ehr: MockEhr, missing: str, with_fhir_server: bool) -> None:
    request = review_request(ehr)
    del request["prefetch"][missing]
    if with_fhir_server:  # this service never queries the EHR's FHIR server, even when it may
        request["fhirServer"] = "https://ehr.example.org/fhir"
        request["fhirAuthorization"] = {"access_token": "opaque", "token_type": "Bearer", "expires_in": 300,
                                        "scope": "patient/*.read", "subject": "cramp-cds"}
    status, body, _ = ehr.send("POST", REVIEW, request)
    assert status == 412 and body["type"] == "urn:cramp-advice:problem:cds-prefetch"
    assert body["errors"] == [{"pointer": f"/prefetch/{missing}", "detail": "Missing."}]


def test_optional_keys_may_be_missing_or_null(ehr: MockEhr) -> None:
    request = review_request(ehr)
    del request["prefetch"]["observations"]
    request["prefetch"]["statements"] = None
    status, body, _ = ehr.send("POST", REVIEW, request)
    assert status == 200
    check = body["cards"][-1]
    assert "Results were not sent with this request." in check["detail"]
    request["prefetch"]["conditions"] = None  # null: no conditions at all, so no cramp problem
    assert ehr.send("POST", REVIEW, request)[:2] == (200, {"cards": []})


def test_a_paged_search_is_412(ehr: MockEhr) -> None:
    request = review_request(ehr)
    request["prefetch"]["medications"]["link"] = [{"relation": "next", "url": "https://ehr.example.org/fhir/page2"}]
    status, body, _ = ehr.send("POST", REVIEW, request)
    assert status == 412 and body["errors"][0]["pointer"] == "/prefetch/medications"


def _outcome(severity: str) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [{"severity": severity, "code": "exception"}]}


@pytest.mark.parametrize("key", ["patient", "conditions", "medications"])
def test_a_required_key_the_ehr_could_not_fetch_is_412(ehr: MockEhr, key: str) -> None:
    """CDS Hooks 2.0: an OperationOutcome in place of prefetch data says the client could not fetch it."""
    request = review_request(ehr)
    request["prefetch"][key] = _outcome("error")
    status, body, _ = ehr.send("POST", REVIEW, request)
    assert status == 412 and body["type"] == "urn:cramp-advice:problem:cds-prefetch"
    assert body["errors"] == [{"pointer": f"/prefetch/{key}",
                               "detail": "The EHR sent an OperationOutcome: it could not fetch this data."}]


@pytest.mark.parametrize(("severity", "status"), [("fatal", 412), ("error", 412), ("warning", 200), ("information", 200)])
def test_a_search_that_failed_part_way_is_412(ehr: MockEhr, severity: str, status: int) -> None:
    """An error outcome among a search's entries means some results may be missing: not "none on record"."""
    request = review_request(ehr)
    request["prefetch"]["medications"]["entry"].append({"resource": _outcome(severity), "search": {"mode": "outcome"}})
    assert ehr.send("POST", REVIEW, request)[0] == status


def test_optional_data_the_ehr_could_not_fetch_is_unknown_not_none(ehr: MockEhr) -> None:
    request = review_request(ehr)
    request["prefetch"]["observations"] = _outcome("error")
    request["prefetch"]["statements"] = _outcome("fatal")
    status, body, _ = ehr.send("POST", REVIEW, request)
    assert status == 200
    assert "Results were not sent with this request." in body["cards"][-1]["detail"]


@pytest.mark.parametrize(("change", "pointer"), [
    (lambda r: r.update(hook="order-sign"), "/hook"),
    (lambda r: r.update(hookInstance="not-a-uuid"), "/hookInstance"),
    (lambda r: r["context"].pop("patientId"), "/context/patientId"),
    (lambda r: r.update(prefetch=[]), "/prefetch"),
    (lambda r: r.update(fhirAuthorization={"access_token": "x"}), "/fhirAuthorization/token_type"),
    (lambda r: r["context"].update(userId=7), "/context/userId"),
    (lambda r: r.update(fhirServer="https://ehr.example.org/fhir", fhirAuthorization={
        "access_token": "x", "token_type": "Bearer", "expires_in": 300, "scope": "patient/*.read", "subject": "s",
        "patient": 7}), "/fhirAuthorization/patient"),
])
def test_an_envelope_breaking_cds_hooks_is_400(ehr: MockEhr, change: Any, pointer: str) -> None:
    request = review_request(ehr)
    change(request)
    status, body, _ = ehr.send("POST", REVIEW, request)
    assert status == 400 and pointer in [e["pointer"] for e in body["errors"]]


def test_a_broken_draft_order_is_400(ehr: MockEhr) -> None:
    orders = draft_orders()
    orders["entry"][0]["resource"]["status"] = 7
    request = {"hook": "order-sign", "hookInstance": "0e4c8f64-2ad5-4a31-9d7a-3b0c7c1d2e12",
               "context": {**CONTEXT, "draftOrders": orders}}
    status, body, _ = ehr.send("POST", "/cds-services/quinine-for-cramps", request)
    assert status == 400
    assert body["errors"][0] == {"pointer": "/context/draftOrders/entry/0/resource/status",
                                 "detail": body["errors"][0]["detail"], "resource": "MedicationRequest/draft-quinine"}


def test_a_quinine_order_known_only_by_name_or_only_by_atc_code(ehr: MockEhr) -> None:
    by_name = {"resourceType": "MedicationRequest", "id": "d1", "status": "draft", "intent": "order",
               "medicationCodeableConcept": {"text": "Qualaquin 324 mg capsules"},
               "subject": {"reference": "Patient/example-patient-1"}}
    by_code = copy.deepcopy(by_name)
    by_code.update(id="d2", medicationCodeableConcept={"coding": [{"system": "http://www.whocc.no/atc", "code": "P01BC01"}]})
    tonic = copy.deepcopy(by_name)
    tonic.update(id="d3", medicationCodeableConcept={"text": "Losartan potassium 50mg"})
    orders = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in (by_name, by_code, tonic)]}
    request = {"hook": "order-sign", "hookInstance": "0e4c8f64-2ad5-4a31-9d7a-3b0c7c1d2e13",
               "context": {**CONTEXT, "draftOrders": orders}}
    status, body, _ = ehr.send("POST", "/cds-services/quinine-for-cramps", request)
    assert status == 200
    assert [c["suggestions"][0]["actions"][0]["resourceId"] for c in body["cards"]] == [
        "MedicationRequest/d1", "MedicationRequest/d2"]


# --- The pre-read: only resources that can change the answer are validated (service/cds/fhir.py) -----

def _add(request: dict[str, Any], key: str, resource: dict[str, Any]) -> None:
    request["prefetch"][key]["entry"].append({"resource": resource})


def _cataract(**changes: Any) -> dict[str, Any]:
    """A Condition this service maps to nothing (ICD-10 H26.9, no cramp words): it cannot change the answer."""
    return {"resourceType": "Condition", "id": "cond-x", "subject": {"reference": "Patient/example-patient-1"},
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "H26.9"}], "text": "Cataract"},
            **changes}


UNUSED = [
    ("conditions", _cataract(clinicalStatus="active", onsetDateTime="last spring")),
    ("medications", {"resourceType": "MedicationRequest", "id": "request-x", "status": "stopped", "intent": 5,
                     "medicationCodeableConcept": {"coding": "C03CA01"}, "subject": {"reference": "Patient/example-patient-1"}}),
    ("observations", {"resourceType": "Observation", "id": "obs-x", "status": "final",
                      "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},  # glucose: not asked for
                      "valueQuantity": {"value": "high"}, "subject": {"reference": "Patient/example-patient-1"}}),
    ("observations", {"resourceType": "Observation", "id": "obs-y", "status": "preliminary",  # not a result yet
                      "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3"}]},
                      "effectiveDateTime": "yesterday", "subject": {"reference": "Patient/example-patient-1"}}),
]


@pytest.mark.parametrize(("key", "resource"), UNUSED, ids=[r["id"] for _, r in UNUSED])
def test_a_malformed_resource_the_answer_cannot_use_is_ignored(ehr: MockEhr, key: str, resource: dict[str, Any]) -> None:
    request = review_request(ehr)
    status, before, _ = ehr.send("POST", REVIEW, request)
    _add(request, key, resource)
    status, after, _ = ehr.send("POST", REVIEW, request)
    assert status == 200, after
    assert [(c["summary"], c["detail"]) for c in after["cards"]] == [
        (c["summary"], c["detail"]) for c in before["cards"]], "an unused resource changes nothing"


USED = [
    ("conditions", _cataract(code={"coding": {"system": "http://hl7.org/fhir/sid/icd-10", "code": "H26.9"}}),
     "/code/coding", "Condition/cond-x"),  # the pre-read cannot read its code: used, so validated
    ("conditions", _cataract(code={"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "R25.2"}]},
                             clinicalStatus="active"), "/clinicalStatus", "Condition/cond-x"),
    ("medications", {"resourceType": "MedicationRequest", "id": "request-x", "status": 7, "intent": "order",
                     "medicationCodeableConcept": {"text": "Furosemide"}, "subject": {"reference": "Patient/example-patient-1"}},
     "/status", "MedicationRequest/request-x"),
    ("observations", {"resourceType": "Observation", "id": "obs-x", "status": "final",
                      "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3"}]},
                      "valueQuantity": {"value": "high"}, "subject": {"reference": "Patient/example-patient-1"}},
     "/valueQuantity/value", "Observation/obs-x"),
]


@pytest.mark.parametrize(("key", "resource", "path", "name"), USED, ids=[u[2] for u in USED])
def test_a_malformed_resource_the_answer_uses_is_400_naming_resource_and_path(
        ehr: MockEhr, key: str, resource: dict[str, Any], path: str, name: str) -> None:
    request = review_request(ehr)
    _add(request, key, resource)
    status, body, _ = ehr.send("POST", REVIEW, request)
    index = len(request["prefetch"][key]["entry"]) - 1
    assert status == 400, body
    assert {"pointer": f"/prefetch/{key}/entry/{index}/resource{path}", "resource": name} in [
        {"pointer": e["pointer"], "resource": e.get("resource")} for e in body["errors"]], body["errors"]


def test_an_unused_resource_about_another_patient_is_still_refused(ehr: MockEhr) -> None:
    request = review_request(ehr)
    _add(request, "conditions", _cataract(subject={"reference": "Patient/someone-else"}))
    status, body, _ = ehr.send("POST", REVIEW, request)
    assert status == 400 and body["errors"][0]["pointer"].endswith("/resource/subject/reference")


def test_a_wrong_resource_type_is_refused_before_the_pre_read(ehr: MockEhr) -> None:
    request = review_request(ehr)
    _add(request, "conditions", {**_cataract(), "resourceType": "Procedure"})
    status, body, _ = ehr.send("POST", REVIEW, request)
    assert status == 400 and body["errors"][0]["pointer"].endswith("/resource/resourceType")
