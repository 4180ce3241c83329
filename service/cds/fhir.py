"""FHIR R4 in: resources from prefetch and context, checked with fhir.resources before anything is read.

fhir.resources 8 ships FHIR R5 by default and R4B (4.3.0) as its `R4B` sub-package; since its 7.0 it
has no separate R4 package. R4B changed none of the resources read here (Patient, Condition,
MedicationRequest, MedicationStatement, Observation are R4's), so R4 content validates as R4B.

What is validated: for every resource, the elements this service reads (`READ`), with the resource
type, id and the elements FHIR requires, through the library's models. Each complex element read (a
CodeableConcept, a Reference...) is validated by the library's model for its type, and the resource
then by its own model holding validated elements of those types (pydantic does not revalidate an
instance of the field's type, and no FHIR rule of these resources compares one element's content
with another's: the resource model checks presence, primitives, cardinality and choice types), and
its `id` by the library's own type for it. So identical elements, and resources alike but for their
ids and complex contents, are validated once per request: 20 Conditions share one resource-level
check. The verdict is the library's either way, at a fraction of the cost. An
element the service never reads (a dosage, a note, an extension) is neither read nor validated: a
CDS service is a consumer, the EHR is the record's keeper. The library checks structure, JSON types,
cardinality, choice-type [x] rules and the FHIR primitive formats; it does not check codes against
value sets. Error details are fixed texts chosen by error type, never the submitted value.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
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
_IDS = {rtype: TypeAdapter(model.model_fields["id"].annotation) for rtype, model in MODELS.items()}


def _stand_in(model: type[BaseModel]) -> BaseModel:
    if model not in _STAND_INS:
        _STAND_INS[model] = model.model_validate(_STAND_IN_DATA[model])
    return _STAND_INS[model]


Problems = list[tuple[tuple[Any, ...], str]]


class Validator:
    """Validates resources for one request, remembering each distinct element's verdict meanwhile."""

    def __init__(self, errors: FhirErrors) -> None:
        self.errors = errors
        self._seen: dict[tuple[Any, bytes], tuple[Any, Problems]] = {}

    def _check(self, kind: Any, value: Any, validate: Any) -> Problems:
        """The library's verdict on a value ([] when valid), once per distinct value in this request."""
        try:
            key = (kind, orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=_by_type))
        except (orjson.JSONEncodeError, TypeError):  # not encodable here (a huge integer): just validate
            key = None
        if key is not None and key in self._seen:
            return self._seen[key][1]
        try:
            validate(value)
            problems: Problems = []
        except ValidationError as err:
            problems = [(item["loc"], _detail(item)) for item in err.errors()]
        if key is not None:
            self._seen[key] = (None, problems)
        return problems

    def _element(self, model: type[BaseModel], value: Any) -> Problems:
        return self._check(model, value, model.model_validate)

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
        where, complex_elements, ok = label(resource), ELEMENTS[rtype], True
        shell: dict[str, Any] = {}
        if "id" in resource:
            ok = self._report(self._check(("id", rtype), resource["id"], _IDS[rtype].validate_python),
                              f"{pointer}/id", where)
        for key, value in resource.items():
            if key not in READ[rtype] and key != "resourceType":
                continue
            spec = complex_elements.get(key)
            if spec is None or value is None:
                shell[key] = value
                continue
            model, many = spec
            if many and isinstance(value, list):
                items = []
                for index, item in enumerate(value):
                    if item is None:
                        errors.add(f"{pointer}/{key}/{index}", "null is not allowed in a FHIR array.", where)
                        ok = False
                        continue
                    problems = self._element(model, item)
                    ok = self._report(problems, f"{pointer}/{key}/{index}", where) and ok
                    items.append(_stand_in(model))
                shell[key] = items
            else:
                problems = self._element(model, value)
                ok = self._report(problems, f"{pointer}/{key}", where) and ok
                shell[key] = _stand_in(model) if not problems or many else value
        if not ok:
            return False
        return self._report(self._check(MODELS[rtype], shell, MODELS[rtype].model_validate), pointer, where)

    def _report(self, problems: list[tuple[tuple[Any, ...], str]], pointer: str, where: str) -> bool:
        for loc, detail in problems:
            path = "".join("/" + _escape(s) for s in loc if s != "root" and s != "resource_type")
            self.errors.add(pointer + path, detail, where)
        return not problems


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
    """A searchset with a "next" link is only a first page (CDS Hooks forbids paged prefetch)."""
    if not isinstance(value, dict) or value.get("resourceType") != "Bundle":
        return False
    links = value.get("link")
    return isinstance(links, list) and any(isinstance(link, dict) and link.get("relation") == "next" for link in links)
