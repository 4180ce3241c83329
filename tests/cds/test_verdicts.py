"""The memory of valid FHIR checks (service/cds/fhir.py): it saves work, never changes a verdict, keeps
nothing that names the patient, and stays bounded."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from mock_ehr import FhirFixture
from test_fhir_input import BREAKAGES as RESOURCE_BREAKAGES

from service.cds import fhir

EXPECTED = {"Patient": frozenset({"Patient"}), "Condition": frozenset({"Condition"}),
            "MedicationRequest": frozenset({"MedicationRequest"}), "MedicationStatement": frozenset({"MedicationStatement"}),
            "Observation": frozenset({"Observation"})}


def _check(resources: list[dict[str, Any]], verdicts: fhir.Verdicts) -> list[dict[str, str]]:
    errors = fhir.FhirErrors()
    validator = fhir.Validator(errors, verdicts)
    for index, resource in enumerate(resources):
        validator.validate(resource, f"/r/{index}", EXPECTED.get(resource.get("resourceType"), frozenset({"Patient"})))
    return errors.errors


def _fixture() -> list[dict[str, Any]]:
    return copy.deepcopy(FhirFixture().resources)


def _condition(patient: str, code: str = "N18.3") -> dict[str, Any]:
    return {"resourceType": "Condition", "id": f"c-{patient}", "subject": {"reference": f"Patient/{patient}"},
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": code}], "text": "CKD"}}


@pytest.mark.parametrize("breakage", [b[2] for b in RESOURCE_BREAKAGES], ids=[b[3] for b in RESOURCE_BREAKAGES])
def test_a_warm_memory_gives_the_verdicts_a_cold_one_gives(breakage: Any) -> None:
    warm = fhir.Verdicts()
    assert _check(_fixture(), warm) == [] and len(warm) > 0
    broken = _fixture()
    by_type: dict[str, list[dict[str, Any]]] = {}
    for resource in broken:
        by_type.setdefault(resource["resourceType"], []).append(resource)
    for resources in by_type.values():  # break the first resource of each type the breakage can take
        try:
            breakage(resources[0])
        except (KeyError, IndexError, TypeError, AttributeError):
            continue
    assert _check(broken, warm) == _check(copy.deepcopy(broken), fhir.Verdicts())


def test_a_known_resource_still_has_its_id_and_subject_checked() -> None:
    verdicts = fhir.Verdicts()
    assert _check([_condition("a")], verdicts) == []
    wrong = _condition("b")
    wrong["subject"] = "Patient/b"
    wrong["id"] = "not an id!"
    pointers = [e["pointer"] for e in _check([wrong], verdicts)]
    assert "/r/0/subject" in pointers and "/r/0/id" in pointers


def test_nothing_naming_the_patient_is_remembered() -> None:
    verdicts = fhir.Verdicts()
    _check([_condition("first")], verdicts)
    remembered = len(verdicts)
    _check([_condition(f"patient-{n}") for n in range(50)], verdicts)
    assert len(verdicts) == remembered, "another patient's reference adds nothing to the memory"
    patients = [{"resourceType": "Patient", "id": f"p{n}", "birthDate": f"19{n + 10}-01-01", "gender": "female"}
                for n in range(50)]
    _check(patients[:1], verdicts)
    remembered = len(verdicts)  # the Patient's shell, holding stand-ins for its birth date and gender
    _check(patients[1:], verdicts)
    assert len(verdicts) == remembered, "nor does a Patient's birth date"


def test_a_primitive_is_checked_by_its_own_type_with_the_resource_models_verdict() -> None:
    for rtype, key, value in (("Patient", "birthDate", "1948-13-40"), ("Patient", "gender", 5),
                              ("Observation", "effectiveDateTime", "last Tuesday"), ("Observation", "issued", "2026-11-02"),
                              ("MedicationRequest", "status", "")):
        resource = {"resourceType": rtype, key: value}
        errors = _check([resource], fhir.Verdicts())
        assert f"/r/0/{key}" in [e["pointer"] for e in errors], (rtype, key, errors)
    minimal = {"Patient": {}, "Condition": {"subject": {"reference": "Patient/p"}},
               "MedicationRequest": {"status": "active", "intent": "order", "medicationCodeableConcept": {"text": "x"},
                                     "subject": {"reference": "Patient/p"}},
               "MedicationStatement": {"status": "active", "medicationCodeableConcept": {"text": "x"},
                                       "subject": {"reference": "Patient/p"}},
               "Observation": {"status": "final", "code": {"text": "x"}}}
    for rtype, base in minimal.items():
        assert _check([{"resourceType": rtype, **base}], fhir.Verdicts()) == []
        for key, value in fhir.PRIMITIVE_STAND_INS.items():  # every stand-in valid wherever it stands in
            if key in fhir.READ[rtype] and key not in fhir.ELEMENTS.get(rtype, {}):
                assert _check([{"resourceType": rtype, **base, key: value}], fhir.Verdicts()) == [], (rtype, key)


def test_invalid_verdicts_are_not_remembered() -> None:
    verdicts = fhir.Verdicts()
    bad = _condition("a")
    bad["code"]["coding"][0]["system"] = 5
    assert _check([bad], verdicts) and len(verdicts) == 0
    assert _check([copy.deepcopy(bad)], verdicts), "found again, not remembered as valid"


def test_the_memory_is_bounded_and_keeps_the_most_recently_used() -> None:
    verdicts = fhir.Verdicts(limit=3)
    for digest in (b"a", b"b", b"c"):
        verdicts.add(digest)
    assert verdicts.known(b"a")  # used: now the most recent
    verdicts.add(b"d")
    assert len(verdicts) == 3 and not verdicts.known(b"b") and verdicts.known(b"a") and verdicts.known(b"d")
