"""FHIR R4 in: resources from prefetch and context, checked with fhir.resources before anything is read.

fhir.resources 8 ships FHIR R5 by default and R4B (4.3.0) as its `R4B` sub-package; since its 7.0 it
has no separate R4 package. R4B changed none of the resources read here (Patient, Condition,
MedicationRequest, MedicationStatement, Observation are R4's), so R4 content validates as R4B.

Which resources are validated: the ones whose content the answer uses. A CDS service is a consumer;
the EHR is the record's keeper. A resource the service does not read is not validated. Before
validation, leg-cramp-review pre-reads each resource of an expected type (service/cds/chart.py,
ChartReader.uses) at its resourceType, status and code only, against the content's code maps: a
Condition is used when its code is a cramp problem or a condition of codes.toml; a MedicationRequest
or MedicationStatement when its status is current (active, on-hold, intended); an Observation when
its status is a result (final, amended, corrected) and its code a LOINC code of codes.toml; the
Patient always. Anything the pre-read cannot read plainly (a status or code of the wrong JSON type, a
null in a coding array) counts as used, so the library reports it. So an unused resource may be
malformed anywhere without a 400, while any fault in a used one is a 400 naming the resource and the
JSON Pointer. Every resource is still refused when it has the wrong resourceType or is about another
patient than the context's. quinine-for-cramps validates every draft MedicationRequest it looks at.

What is validated of a used resource: the elements this service reads (`READ`), with the resource
type, id and the elements FHIR requires, through the library's models. Each complex element read (a
CodeableConcept, a Reference...) is validated by the library's model for its type, each primitive
read (a status, a date) and the `id` by the library's type for that field (the one the resource model
validates it with), and the resource then by its own model holding stand-ins for them: validated
instances for the complex ones (pydantic does not revalidate an instance of the field's type), a
fixed valid value for the primitives. No FHIR rule of these resources compares one element's content
with another's: the resource model checks presence, cardinality and choice types, which the stand-ins
keep. The verdict is the library's either way, at a fraction of the cost. An element the service
never reads (a dosage, a note, an extension) is neither read nor validated. The library checks
structure, JSON types, cardinality, choice-type [x] rules and the FHIR primitive formats; it does not
check codes against value sets. Error details are fixed texts chosen by error type, never the
submitted value.

What is remembered: the library's verdict depends only on the JSON it is given, so each distinct
check runs once per request, and a check that passed is remembered by the process (`Verdicts`: a
16-byte digest per check, most recently used kept, never the content) and not run again: coded
concepts and resource shells (which hold stand-ins, so they are the same for every patient) recur
across patients. A resource whose whole read part but its subject passed before needs only its id and
subject checked. What identifies the patient is never remembered beyond its request: References (a
subject names the patient), and the Patient's birth date and gender (its shell holds stand-ins).
"""
from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import Any

import orjson
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient, PatientCommunication
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.reference import Reference
from pydantic import BaseModel, TypeAdapter, ValidationError

MODELS = {
    "Patient": Patient, "Condition": Condition, "MedicationRequest": MedicationRequest,
    "MedicationStatement": MedicationStatement, "Observation": Observation,
}
# The elements each resource type is read for (besides resourceType and id). Required elements are
# read too, so that their absence is reported rather than half a resource being used.
READ: dict[str, tuple[str, ...]] = {
    "Patient": ("birthDate", "gender", "communication"),
    "Condition": ("clinicalStatus", "verificationStatus", "code", "subject"),
    "MedicationRequest": ("status", "intent", "medicationCodeableConcept", "medicationReference", "subject"),
    "MedicationStatement": ("status", "medicationCodeableConcept", "medicationReference", "subject"),
    "Observation": ("status", "code", "subject", "effectiveDateTime", "effectivePeriod", "effectiveInstant",
                    "issued", "valueQuantity", "valueCodeableConcept", "valueString", "interpretation"),
}
# The complex elements read, by resource type: element -> (library model, is a list).
ELEMENTS: dict[str, dict[str, tuple[type[BaseModel], bool]]] = {
    "Patient": {"communication": (PatientCommunication, True)},
    "Condition": {"clinicalStatus": (CodeableConcept, False), "verificationStatus": (CodeableConcept, False),
                  "code": (CodeableConcept, False), "subject": (Reference, False)},
    "MedicationRequest": {"medicationCodeableConcept": (CodeableConcept, False),
                          "medicationReference": (Reference, False), "subject": (Reference, False)},
    "Observation": {"code": (CodeableConcept, False), "subject": (Reference, False), "effectivePeriod": (Period, False),
                    "valueQuantity": (Quantity, False), "valueCodeableConcept": (CodeableConcept, False),
                    "interpretation": (CodeableConcept, True)},
}
ELEMENTS["MedicationStatement"] = ELEMENTS["MedicationRequest"]
# Resources a search may carry besides its matches (an _include, an OperationOutcome): skipped.
PASSED_OVER = frozenset({"OperationOutcome", "Medication", "Patient", "Encounter", "Practitioner"})
MAX_ERRORS = 20
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_TYPE_ERRORS = frozenset({
    "string_type", "int_type", "int_parsing", "bool_type", "bool_parsing", "float_type", "float_parsing",
    "list_type", "dict_type", "model_type", "model_attributes_type", "model_validation_format", "decimal_type",
    "decimal_parsing",
})


@dataclass
class FhirErrors(Exception):
    """Problems found in the FHIR content, each {pointer, detail[, resource]}; safe to show the caller."""

    errors: list[dict[str, str]] = field(default_factory=list)

    def add(self, pointer: str, detail: str, resource: str | None = None) -> None:
        if len(self.errors) < MAX_ERRORS:
            item = {"pointer": pointer, "detail": detail}
            if resource:
                item["resource"] = resource
            self.errors.append(item)


def label(resource: dict[str, Any]) -> str:
    """"Condition/123" (or just the type when the id is missing or not a FHIR id)."""
    rtype = resource.get("resourceType")
    rtype = rtype if isinstance(rtype, str) and rtype.isalpha() and len(rtype) <= 64 else "resource"
    rid = resource.get("id")
    return f"{rtype}/{rid}" if isinstance(rid, str) and _ID.match(rid) else rtype


def _escape(segment: Any) -> str:
    return str(segment).replace("~", "~0").replace("/", "~1")


def _detail(error: Any) -> str:
    kind, message = error["type"], str(error.get("msg", ""))
    if kind == "missing" or message.startswith("Value error, Expect any of"):
        return "Required by FHIR R4 and missing (for a choice element [x], one of its types)."
    if message.startswith("Value error, Any of one field"):
        return "Only one type of a choice element [x] may be given."
    if message.startswith("None is not allowed"):
        return "null is not allowed in a FHIR array."
    if kind in _TYPE_ERRORS:
        return "Has the wrong JSON type for this FHIR element."
    if kind in ("string_pattern_mismatch", "value_error", "string_too_short"):
        return "Is not in the FHIR format for this element."
    if kind == "extra_forbidden":
        return "Is not an element of this FHIR type."
    if kind == "fhir-validation-wrong-resource-type":
        return "Has the wrong resourceType here."
    return "Is not valid FHIR R4 here."


# One valid instance per element model: what a resource-level check holds in place of each element,
# once the element itself has been validated (built on first use).
_STAND_INS: dict[type[BaseModel], BaseModel] = {}
_STAND_IN_DATA: dict[type[BaseModel], dict[str, Any]] = {
    CodeableConcept: {"text": "x"}, Reference: {"reference": "x"}, Period: {"start": "2000-01-01"},
    Quantity: {"value": 1}, PatientCommunication: {"language": {"text": "x"}},
}
# A valid value of each primitive element read, which a resource-level check holds in its place once
# the element itself has been validated by the library's type for that field (the type the resource
# model validates it with: the same verdicts, found with the element's path). The check then depends
# on which elements are there, not on their values, so it is the same for every patient.
PRIMITIVE_STAND_INS: dict[str, str] = {
    "birthDate": "2000-01-01", "gender": "x", "status": "x", "intent": "x", "effectiveDateTime": "2000-01-01",
    "effectiveInstant": "2000-01-01T00:00:00Z", "issued": "2000-01-01T00:00:00Z", "valueString": "x",
}
_PRIMITIVES = {(rtype, key): TypeAdapter(MODELS[rtype].model_fields[key].annotation)
               for rtype, keys in READ.items() for key in keys if key not in ELEMENTS.get(rtype, {})}
_IDS = {rtype: TypeAdapter(model.model_fields["id"].annotation) for rtype, model in MODELS.items()}
# Per model: what its verdicts' digests start with (the model's name and a NUL, which JSON text never
# holds, so equal JSON checked by different models never shares a digest), and whether a valid verdict
# may be remembered across requests: not for a Reference (it names the patient).
_KINDS: dict[type[BaseModel], tuple[bytes, bool]] = {
    model: (model.__name__.encode() + b"\0", model is not Reference) for model in (*MODELS.values(), *_STAND_IN_DATA)}
_PARTS = {rtype: f"read part of {rtype}".encode() + b"\0" for rtype in MODELS}


def _stand_in(model: type[BaseModel]) -> BaseModel:
    if model not in _STAND_INS:
        _STAND_INS[model] = model.model_validate(_STAND_IN_DATA[model])
    return _STAND_INS[model]


Problems = list[tuple[tuple[Any, ...], str]]
VERDICTS_KEPT = 8192  # valid verdicts a process remembers: 16-byte digests, well under 2 MB in all


class Verdicts:
    """Digests of the checks the library has passed in this process, most recently used kept.

    The library's verdict depends on nothing but the JSON it is given, so what was valid once is valid
    again, and a chart's coded concepts, statuses and resource shells recur across patients and across
    a day's chart openings. Only a 16-byte BLAKE2b digest of what was checked is kept, never the
    content, only in memory, never logged or exported; and only for what is about the clinical
    concept, not the person (see Validator). Invalid verdicts are not remembered across requests.
    """

    def __init__(self, limit: int = VERDICTS_KEPT) -> None:
        self.limit = limit
        self._valid: OrderedDict[bytes, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._valid)

    def known(self, digest: bytes) -> bool:
        try:
            self._valid.move_to_end(digest)  # one call: safe against another thread's eviction
        except KeyError:
            return False
        return True

    def add(self, digest: bytes) -> None:
        self._valid[digest] = None
        if len(self._valid) > self.limit:
            try:
                self._valid.popitem(last=False)
            except KeyError:  # another thread emptied it meanwhile
                pass


class Validator:
    """Validates resources for one request: each distinct check once per request, and not at all when
    the process's `verdicts` know it passed before. References (they name the patient) and the
    Patient's read part are never remembered beyond the request (`_KINDS`, `_shared_part`)."""

    def __init__(self, errors: FhirErrors, verdicts: Verdicts | None = None) -> None:
        self.errors = errors
        self.verdicts = verdicts if verdicts is not None else Verdicts()
        self._seen: dict[bytes, Problems] = {}

    def _check(self, model: type[BaseModel], value: Any) -> Problems:
        """The library's verdict on a value ([] when valid), found once, then remembered."""
        kind, shared = _KINDS[model]
        try:
            digest = blake2b(kind + orjson.dumps(value, default=_by_type), digest_size=16).digest()
        except (orjson.JSONEncodeError, TypeError):  # not encodable here (a huge integer): just validate
            digest = None
        if digest is not None:
            if digest in self._seen:
                return self._seen[digest]
            if shared and self.verdicts.known(digest):
                return []
        try:
            model.model_validate(value)
            problems: Problems = []
        except ValidationError as err:
            problems = [(item["loc"], _detail(item)) for item in err.errors()]
        if digest is not None:
            self._seen[digest] = problems
            if shared and not problems:
                self.verdicts.add(digest)
        return problems

    def _id(self, rtype: str, value: Any) -> Problems:
        """An id, checked by the library's own id type every time (cheaper than remembering it)."""
        return _type_check(_IDS[rtype], value)

    def validate(self, resource: Any, pointer: str, expected: frozenset[str]) -> bool:
        """Check one resource's read elements; record problems under `pointer` (its JSON Pointer)."""
        errors = self.errors
        if not isinstance(resource, dict):
            errors.add(pointer, "A FHIR resource must be a JSON object.")
            return False
        rtype = resource.get("resourceType")
        if rtype not in expected:
            errors.add(pointer + "/resourceType", f"Expected {' or '.join(sorted(expected))}.", label(resource))
            return False
        problems = self._id(rtype, resource["id"]) if "id" in resource else []
        ok = self._report(problems, f"{pointer}/id", resource) if problems else True
        # The whole read part but the subject's content, as one digest: when it passed before (in this
        # process), only the id and the subject are left to check.
        part = _shared_part(rtype, resource)
        if part is not None and self.verdicts.known(part):
            problems = self._check(Reference, resource["subject"]) if resource.get("subject") is not None else []
            return (not problems or self._report(problems, f"{pointer}/subject", resource)) and ok
        ok = self._elements(resource, rtype, pointer) and ok
        if ok and part is not None:
            self.verdicts.add(part)
        return ok

    def _elements(self, resource: dict[str, Any], rtype: str, pointer: str) -> bool:
        """Each complex element read, then the resource's shell holding stand-ins for them."""
        errors, complex_elements, ok = self.errors, ELEMENTS[rtype], True
        shell: dict[str, Any] = {"resourceType": rtype}
        for key in READ[rtype]:
            if key not in resource:
                continue
            value, spec = resource[key], complex_elements.get(key)
            if value is None:
                shell[key] = value
                continue
            if spec is None:  # a primitive: its field's type, then a stand-in
                problems = _type_check(_PRIMITIVES[(rtype, key)], value)
                if problems:
                    ok = self._report(problems, f"{pointer}/{key}", resource)
                shell[key] = value if problems else PRIMITIVE_STAND_INS[key]
                continue
            model, many = spec
            if many and isinstance(value, list):
                items = []
                for index, item in enumerate(value):
                    if item is None:
                        errors.add(f"{pointer}/{key}/{index}", "null is not allowed in a FHIR array.", label(resource))
                        ok = False
                        continue
                    problems = self._check(model, item)
                    if problems:  # pointers are only built for a fault
                        ok = self._report(problems, f"{pointer}/{key}/{index}", resource)
                    items.append(_stand_in(model))
                shell[key] = items
            else:
                problems = self._check(model, value)
                if problems:
                    ok = self._report(problems, f"{pointer}/{key}", resource)
                shell[key] = _stand_in(model) if not problems or many else value
        if not ok:
            return False
        return self._report(self._check(MODELS[rtype], shell), pointer, resource)

    def _report(self, problems: list[tuple[tuple[Any, ...], str]], pointer: str, resource: dict[str, Any]) -> bool:
        """Record `problems` under `pointer`, naming the resource; True when there are none."""
        for loc, detail in problems:
            path = "".join("/" + _escape(s) for s in loc if s != "root" and s != "resource_type")
            self.errors.add(pointer + path, detail, label(resource))
        return not problems


def _type_check(adapter: TypeAdapter[Any], value: Any) -> Problems:
    try:
        adapter.validate_python(value)
    except ValidationError as err:
        return [(item["loc"], _detail(item)) for item in err.errors()]
    return []


def _shared_part(rtype: str, resource: dict[str, Any]) -> bytes | None:
    """The digest of what a resource's verdict depends on besides its id and its subject's content
    (whether it has a subject does count), or None for the Patient, whose own data is never remembered."""
    if rtype == "Patient":
        return None
    part = {key: resource[key] for key in READ[rtype] if key in resource}
    if "subject" in part:
        part["subject"] = part["subject"] is not None
    try:
        return blake2b(_PARTS[rtype] + orjson.dumps(part), digest_size=16).digest()
    except (orjson.JSONEncodeError, TypeError):  # a huge integer: checked element by element
        return None


def _by_type(value: Any) -> str:
    """Stand-in instances in a resource-level check are keyed by their type: their content is checked."""
    return f"<{type(value).__name__}>"


def entries(value: Any, pointer: str, errors: FhirErrors) -> Iterator[tuple[dict[str, Any], str]]:
    """(resource, pointer) for a prefetch value: a resource, or a Bundle's entry resources."""
    if not isinstance(value, dict):
        errors.add(pointer, "A prefetch value must be a FHIR resource (or null when there is no data).")
        return
    if value.get("resourceType") != "Bundle":
        yield value, pointer
        return
    items = value.get("entry", [])
    if not isinstance(items, list):
        errors.add(pointer + "/entry", "Bundle.entry must be an array.", "Bundle")
        return
    for index, item in enumerate(items):
        where = f"{pointer}/entry/{index}"
        if not isinstance(item, dict) or not isinstance(item.get("resource"), dict):
            errors.add(where, "A Bundle entry must be an object holding a resource.", "Bundle")
            continue
        yield item["resource"], where + "/resource"


def has_next_page(value: Any) -> bool:
    """A searchset with a "next" link is only a first page. CDS Hooks 2.0 lets a client paginate
    prefetch and expects the service to fetch the rest; this service queries no FHIR server, so a first
    page is data it cannot complete (services.py answers 412, as for a key it cannot obtain)."""
    if not isinstance(value, dict) or value.get("resourceType") != "Bundle":
        return False
    links = value.get("link")
    return isinstance(links, list) and any(isinstance(link, dict) and link.get("relation") == "next" for link in links)


FAILED_SEVERITIES = frozenset({"error", "fatal"})


def fetch_failed(value: Any) -> bool:
    """Whether a prefetch value says the EHR could not fetch it. CDS Hooks 2.0: "If the CDS Client
    encounters errors prefetching the requested data, OperationOutcome(s) SHOULD be used to communicate
    those errors", and services "SHOULD check any prefetched data for the existence of OperationOutcomes".
    So: an OperationOutcome in place of the data, or a search Bundle holding one with an error or fatal
    issue (a search that failed part-way). An informational or warning outcome in a Bundle is not."""
    if not isinstance(value, dict):
        return False
    if value.get("resourceType") == "OperationOutcome":
        return True
    items = value.get("entry") if value.get("resourceType") == "Bundle" else None
    return isinstance(items, list) and any(
        isinstance(item, dict) and _reports_failure(item.get("resource")) for item in items)


def _reports_failure(resource: Any) -> bool:
    if not isinstance(resource, dict) or resource.get("resourceType") != "OperationOutcome":
        return False
    issues = resource.get("issue")
    return isinstance(issues, list) and any(
        isinstance(issue, dict) and issue.get("severity") in FAILED_SEVERITIES for issue in issues)
