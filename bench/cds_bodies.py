"""Realistic leg-cramp-review calls: 20 active conditions, 15 medicines, 10 recent observations each.

Shaped like an EHR's search results (meta, categories, dosage, reference ranges, local codings beside
the standard ones), about 48 KB of JSON. Codes are ICD-10, ATC and LOINC codes from the content
mapping plus local ones; medicines without an ATC code are recognised by name, as in real records.

`review_body()` is one patient (chart 0), the same bytes every call. `review_templates()` are CHARTS
charts (each 20 conditions and 15 medicines drawn from larger pools, always with the cramp problem)
whose patient-specific parts are markers, `@@name@@`, that bench/cds_review.py's wrk script fills in
per call: the patient id (in every subject and resource id), birth date and gender, the hook instance,
and each observation's value and date. So every call can be a new patient whose coded concepts are the
ones an EHR's terminology keeps sending, and whose values, dates and ids are their own.
"""
from __future__ import annotations

import json
import random
import uuid
import zlib
from typing import Any

PATIENT = "bench-patient-1"
CHARTS = 16
_ICD10 = "http://hl7.org/fhir/sid/icd-10"
_LOCAL = "http://ehr.example.org/fhir/CodeSystem/local"

CONDITIONS = [
    ("R25.2", "Night leg cramps"), ("N18.3", "Chronic kidney disease stage 3"), ("E11.9", "Type 2 diabetes"),
    ("I10", "Essential hypertension"), ("I48.9", "Atrial fibrillation"), ("E78.0", "Hypercholesterolaemia"),
    ("M17.1", "Osteoarthritis of knee"), ("K21.9", "Gastro-oesophageal reflux"), ("J45.9", "Asthma"),
    ("E03.9", "Hypothyroidism"), ("M81.0", "Osteoporosis"), ("H26.9", "Cataract"), ("G47.0", "Insomnia"),
    ("F32.9", "Depressive episode"), ("I83.9", "Varicose veins of lower limb"), ("N40", "Benign prostatic hyperplasia"),
    ("L40.0", "Psoriasis"), ("M54.5", "Low back pain"), ("D50.9", "Iron deficiency anaemia"), ("Z87.891", "Ex-smoker"),
]
MORE_CONDITIONS = [
    ("I50.9", "Heart failure"), ("I25.1", "Ischaemic heart disease"), ("J44.9", "COPD"), ("G62.9", "Polyneuropathy"),
    ("M48.06", "Lumbar spinal stenosis"), ("E66.9", "Obesity"), ("K57.3", "Diverticular disease"), ("G43.9", "Migraine"),
    ("M10.9", "Gout"), ("N39.0", "Urinary tract infection"), ("H40.1", "Glaucoma"), ("F41.1", "Generalised anxiety disorder"),
]
MEDICINES = [
    ("C03CA01", "Furosemide 40mg tablets"), ("C10AA05", "Atorvastatin 20mg tablets"), ("C09AA05", "Ramipril 5mg capsules"),
    ("C03DA01", "Spironolactone 25mg tablets"), ("C08CA01", "Amlodipine 10mg tablets"), ("B01AF02", "Apixaban 5mg tablets"),
    ("", "Metformin 500mg modified-release tablets"), ("", "Levothyroxine 75 microgram tablets"),
    ("", "Seretide 250 Evohaler"), ("", "Salbutamol 100micrograms/dose inhaler"), ("", "Omeprazole 20mg capsules"),
    ("", "Sertraline 50mg tablets"), ("", "Alendronic acid 70mg tablets"), ("A12BA01", "Sando-K effervescent tablets"),
    ("M01AE02", "Naproxen 250mg tablets"),
]
MORE_MEDICINES = [
    ("C07AB07", "Bisoprolol 2.5mg tablets"), ("C03AA03", "Bendroflumethiazide 2.5mg tablets"),
    ("C09CA01", "Losartan 50mg tablets"), ("C10AA01", "Simvastatin 40mg tablets"), ("", "Paracetamol 500mg tablets"),
    ("", "Lansoprazole 30mg capsules"), ("", "Gabapentin 300mg capsules"), ("", "Tiotropium 18microgram inhalation powder"),
    ("N06AB04", "Citalopram 20mg tablets"), ("", "Adcal-D3 chewable tablets"),
]
OBSERVATIONS = [
    ("2823-3", "Potassium", 5.4, "mmol/L"), ("19123-9", "Magnesium", 0.72, "mmol/L"), ("17861-6", "Calcium", 2.31, "mmol/L"),
    ("2160-0", "Creatinine", 128, "umol/L"), ("33914-3", "eGFR", 46, "mL/min/1.73m2"), ("2157-6", "Creatine kinase", 180, "U/L"),
    ("3016-3", "TSH", 2.1, "mU/L"), ("4548-4", "HbA1c", 7.1, "%"), ("2823-3", "Potassium", 5.1, "mmol/L"),
    ("2160-0", "Creatinine", 121, "umol/L"),
]
# Markers a template carries for what wrk fills in per call (see the module docstring).
PATIENT_MARK, BORN_MARK, GENDER_MARK, HOOK_MARK = "@@patient@@", "@@born@@", "@@gender@@", "@@hook@@"


def value_mark(index: int) -> str:
    return f"@@value{index}@@"


def date_mark(index: int) -> str:
    return f"@@date{index}@@"


def _meta() -> dict[str, Any]:
    return {"versionId": "3", "lastUpdated": "2026-11-20T09:14:03.120Z", "source": "#ehr-prod"}


def _concept(system: str, code: str, text: str) -> dict[str, Any]:
    codings = [{"system": _LOCAL, "code": f"L{zlib.crc32(text.encode()) % 100000}", "display": text}]
    if code:
        codings.insert(0, {"system": system, "code": code, "display": text})
    return {"coding": codings, "text": text}


def condition(index: int, code: str, text: str, patient: str = PATIENT, rid: str | None = None) -> dict[str, Any]:
    return {
        "resourceType": "Condition", "id": rid or f"cond-{index}", "meta": _meta(),
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
        "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}]},
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": "problem-list-item"}]}],
        "code": _concept(_ICD10, code, text),
        "subject": {"reference": f"Patient/{patient}"},
        "onsetDateTime": f"20{10 + index % 15}-0{1 + index % 9}-15", "recordedDate": "2024-03-02T10:20:00Z",
        "recorder": {"reference": "Practitioner/gp-7", "display": "Dr A Example"},
    }


def medication_request(index: int, code: str, text: str, patient: str = PATIENT, rid: str | None = None) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest", "id": rid or f"med-{index}", "meta": _meta(), "status": "active",
        "intent": "order",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/medicationrequest-category", "code": "community"}]}],
        "medicationCodeableConcept": _concept("http://www.whocc.no/atc", code, text),
        "subject": {"reference": f"Patient/{patient}"}, "authoredOn": "2026-06-01",
        "requester": {"reference": "Practitioner/gp-7", "display": "Dr A Example"},
        "dosageInstruction": [{
            "sequence": 1, "text": "One to be taken each day",
            "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
            "route": {"coding": [{"system": "http://snomed.info/sct", "code": "26643006", "display": "Oral"}]},
            "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}],
        }],
        "dispenseRequest": {"numberOfRepeatsAllowed": 5, "quantity": {"value": 28, "unit": "tablet"},
                            "expectedSupplyDuration": {"value": 28, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"}},
    }


def observation(index: int, code: str, text: str, value: Any, unit: str, patient: str = PATIENT,
                rid: str | None = None, when: str | None = None) -> dict[str, Any]:
    return {
        "resourceType": "Observation", "id": rid or f"obs-{index}", "meta": _meta(), "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": text}], "text": text},
        "subject": {"reference": f"Patient/{patient}"},
        "effectiveDateTime": when or f"2026-1{index % 2}-0{1 + index % 9}T08:30:00Z", "issued": "2026-11-02T12:00:00Z",
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
        "referenceRange": [{"low": {"value": 0, "unit": unit}, "high": {"value": 10, "unit": unit}}],
    }


def _bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"fullUrl": f"https://ehr.example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r,
                       "search": {"mode": "match"}} for r in resources]}


def review_request() -> dict[str, Any]:
    """Chart 0 for the one patient PATIENT."""
    return {
        "hook": "patient-view", "hookInstance": str(uuid.UUID(int=42)),
        "context": {"userId": "Practitioner/gp-7", "patientId": PATIENT},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": PATIENT, "meta": _meta(), "gender": "female",
                        "birthDate": "1948-04-12", "communication": [{"language": {"coding": [
                            {"system": "urn:ietf:bcp:47", "code": "en-GB"}]}, "preferred": True}]},
            "conditions": _bundle([condition(i, c, t) for i, (c, t) in enumerate(CONDITIONS)]),
            "medications": _bundle([medication_request(i, c, t) for i, (c, t) in enumerate(MEDICINES)]),
            "statements": None,
            "observations": _bundle([observation(i, *o) for i, o in enumerate(OBSERVATIONS)]),
        },
    }


def review_body() -> bytes:
    return json.dumps(review_request(), separators=(",", ":")).encode()


def chart(number: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Chart `number`'s conditions and medicines: chart 0 is CONDITIONS and MEDICINES; the others keep the
    cramp problem and draw the rest from both pools (the same draw every run)."""
    if number == 0:
        return CONDITIONS, MEDICINES
    draw = random.Random(number)
    conditions = [CONDITIONS[0]] + draw.sample(CONDITIONS[1:] + MORE_CONDITIONS, len(CONDITIONS) - 1)
    return conditions, draw.sample(MEDICINES + MORE_MEDICINES, len(MEDICINES))


def review_template(number: int) -> str:
    """Chart `number` as JSON text with the per-call markers in place of the patient's own data."""
    conditions, medicines = chart(number)
    patient = PATIENT_MARK

    def rid(kind: str, index: int) -> str:
        return f"{patient}-{kind}-{index}"

    request = {
        "hook": "patient-view", "hookInstance": HOOK_MARK,
        "context": {"userId": "Practitioner/gp-7", "patientId": patient},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": patient, "meta": _meta(), "gender": GENDER_MARK,
                        "birthDate": BORN_MARK, "communication": [{"language": {"coding": [
                            {"system": "urn:ietf:bcp:47", "code": "en-GB"}]}, "preferred": True}]},
            "conditions": _bundle([condition(i, c, t, patient, rid("cond", i)) for i, (c, t) in enumerate(conditions)]),
            "medications": _bundle([medication_request(i, c, t, patient, rid("med", i))
                                    for i, (c, t) in enumerate(medicines)]),
            "statements": None,
            "observations": _bundle([observation(i, code, text, value_mark(i), unit, patient, rid("obs", i), date_mark(i))
                                     for i, (code, text, _, unit) in enumerate(OBSERVATIONS)]),
        },
    }
    text = json.dumps(request, separators=(",", ":"))
    for index in range(len(OBSERVATIONS)):  # values are JSON numbers: the marker replaces the quoted string
        text = text.replace(f'"{value_mark(index)}"', value_mark(index))
    return text


def review_templates() -> list[str]:
    return [review_template(number) for number in range(CHARTS)]
