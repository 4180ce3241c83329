"""The CDS Hooks 2.0 request and feedback envelopes: checked by hand, exactly as schemas/cds-hooks says.

FHIR content inside them is left to service/cds/fhir.py. Unknown members are accepted (the
specification adds optional fields over versions and reserves `extension`); known ones must have
the specified type. Errors name JSON Pointers, never values.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_RESOURCE_TYPE = re.compile(r"^[A-Z][A-Za-z]+$")
MAX_FEEDBACK = 100
OUTCOMES = ("accepted", "overridden")
# Context members each hook defines (CDS Hooks hooks library): name -> (type, required).
CONTEXT: dict[str, dict[str, tuple[type, bool]]] = {
    # patient-view's userId is REQUIRED by the hook, but this service never reads it: a call without one
    # is answered rather than refused (only its type is checked).
    "patient-view": {"patientId": (str, True), "userId": (str, False), "encounterId": (str, False)},
    "order-select": {"patientId": (str, True), "userId": (str, True), "encounterId": (str, False),
                     "selections": (list, True), "draftOrders": (dict, True)},
    "order-sign": {"patientId": (str, True), "userId": (str, True), "encounterId": (str, False),
                   "selections": (list, False), "draftOrders": (dict, True)},  # selections: order-select's, ignored here
}
_AUTHORIZATION = (("access_token", str), ("token_type", str), ("expires_in", int), ("scope", str), ("subject", str))


class EnvelopeError(Exception):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _string(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _integer(value: Any) -> bool:
    """JSON Schema's integer: any number with a whole value (300 and 300.0), never a boolean."""
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


def date_time_ok(value: Any) -> bool:
    """RFC 3339 date-time (JSON Schema's `date-time` format), a real date and time."""
    if not isinstance(value, str):
        return False
    match = _DATE_TIME.match(value)
    if not match:
        return False
    day, hour, minute, second = match.group(1), int(match.group(2)), int(match.group(3)), int(match.group(4))
    try:
        datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}:{min(second, 59):02d}")
    except ValueError:
        return False
    offset = match.group(6)
    return second <= 60 and (len(offset) == 1 or (int(offset[1:3]) <= 23 and int(offset[4:6]) <= 59))


def check_request(body: Any, hooks: tuple[str, ...]) -> dict[str, Any]:
    """The request's context, once the envelope is right for one of `hooks`; else EnvelopeError."""
    errors: list[dict[str, str]] = []

    def bad(pointer: str, detail: str) -> None:
        errors.append({"pointer": pointer, "detail": detail})

    if not isinstance(body, dict):
        raise EnvelopeError([{"pointer": "", "detail": "The request must be a JSON object."}])
    hook = body.get("hook")
    if hook not in hooks:
        bad("/hook", f"Must be {' or '.join(hooks)} for this service.")
    if not isinstance(body.get("hookInstance"), str) or not _UUID.match(body["hookInstance"]):
        bad("/hookInstance", "Must be a UUID.")
    if "fhirServer" in body and not (isinstance(body["fhirServer"], str) and _URI.match(body["fhirServer"])):
        bad("/fhirServer", "Must be a URL.")
    authorization = body.get("fhirAuthorization")
    if authorization is not None or "fhirAuthorization" in body:
        if not isinstance(authorization, dict):
            bad("/fhirAuthorization", "Must be an object.")
        else:
            for name, kind in _AUTHORIZATION:
                value = authorization.get(name)
                if not (_integer(value) if kind is int else _string(value)):
                    bad(f"/fhirAuthorization/{name}", "Missing or of the wrong type.")
            if _string(authorization.get("token_type")) and authorization["token_type"] != "Bearer":
                bad("/fhirAuthorization/token_type", "Must be Bearer.")
            if "patient" in authorization and not _string(authorization["patient"]):
                bad("/fhirAuthorization/patient", "Has the wrong type.")
            if "fhirServer" not in body:
                bad("/fhirServer", "Required when fhirAuthorization is given.")
    if "prefetch" in body:
        if not isinstance(body["prefetch"], dict):
            bad("/prefetch", "Must be an object.")
        else:  # every value a FHIR resource, or null for "no data" (CDS Hooks 2.0), used or not
            for key, value in body["prefetch"].items():
                if value is not None and not (isinstance(value, dict) and isinstance(value.get("resourceType"), str)
                                              and _RESOURCE_TYPE.match(value["resourceType"])):
                    bad(f"/prefetch/{_escape(key)}", "Must be a FHIR resource or null.")
    if "extension" in body and not (isinstance(body["extension"], dict) and body["extension"]):
        bad("/extension", "Must be a non-empty object.")
    context = body.get("context")
    if not isinstance(context, dict):
        bad("/context", "Must be an object.")
    elif hook in hooks:
        for name, (kind, required) in CONTEXT[hook].items():
            if name not in context:
                if required:
                    bad(f"/context/{name}", f"Required by the {hook} hook.")
            elif not isinstance(context[name], kind) or (kind is str and not context[name]):
                bad(f"/context/{name}", "Has the wrong type.")
        orders = context.get("draftOrders")
        if isinstance(orders, dict) and not (isinstance(orders.get("resourceType"), str)
                                             and _RESOURCE_TYPE.match(orders["resourceType"])):
            bad("/context/draftOrders/resourceType", "draftOrders must be a FHIR resource (a Bundle).")
        selections = context.get("selections")
        if isinstance(selections, list) and not all(_string(s) for s in selections):
            bad("/context/selections", "Must be an array of strings.")
    if errors:
        raise EnvelopeError(errors)
    return context  # type: ignore[no-any-return]


def check_feedback(body: Any) -> list[tuple[str, str]]:
    """(card uuid, outcome) for each feedback item; else EnvelopeError naming every bad member."""
    if not isinstance(body, dict) or not isinstance(body.get("feedback"), list):
        raise EnvelopeError([{"pointer": "/feedback", "detail": "Must be an array of feedback objects."}])
    items = body["feedback"]
    errors: list[dict[str, str]] = []
    if not 1 <= len(items) <= MAX_FEEDBACK:
        errors.append({"pointer": "/feedback", "detail": f"Must hold 1 to {MAX_FEEDBACK} items."})
    found = []
    for index, item in enumerate(items[:MAX_FEEDBACK]):
        where = f"/feedback/{index}"
        if not isinstance(item, dict):
            errors.append({"pointer": where, "detail": "Must be an object."})
            continue
        before = len(errors)
        if not _string(item.get("card")):
            errors.append({"pointer": f"{where}/card", "detail": "Must be the card's uuid."})
        outcome = item.get("outcome")
        if outcome not in OUTCOMES:
            errors.append({"pointer": f"{where}/outcome", "detail": "Must be accepted or overridden."})
        if not date_time_ok(item.get("outcomeTimestamp")):
            errors.append({"pointer": f"{where}/outcomeTimestamp", "detail": "Must be an RFC 3339 date-time."})
        errors += _accepted(item, where, outcome == "accepted") + _override(item, where)
        if len(errors) == before:
            found.append((item["card"], outcome))
    if errors:
        raise EnvelopeError(errors)
    return found


def _accepted(item: dict[str, Any], where: str, required: bool) -> list[dict[str, str]]:
    accepted = item.get("acceptedSuggestions")
    if accepted is None and "acceptedSuggestions" not in item:
        return [{"pointer": f"{where}/acceptedSuggestions", "detail": "Required for an accepted outcome."}] if required else []
    if not isinstance(accepted, list) or not accepted or not all(
            isinstance(s, dict) and _string(s.get("id")) for s in accepted):
        return [{"pointer": f"{where}/acceptedSuggestions", "detail": "Must be a non-empty array of {id}."}]
    return []


def _override(item: dict[str, Any], where: str) -> list[dict[str, str]]:
    if "overrideReason" not in item:
        return []
    reason = item["overrideReason"]
    pointer = f"{where}/overrideReason"
    if not isinstance(reason, dict) or not reason:
        return [{"pointer": pointer, "detail": "Must be an object with a reason or a userComment."}]
    problems = []
    if "reason" in reason:
        coding = reason["reason"]
        if not isinstance(coding, dict) or not _string(coding.get("code")) or not _string(coding.get("system")) \
                or ("display" in coding and not _string(coding["display"])):
            problems.append({"pointer": f"{pointer}/reason", "detail": "Must be a Coding with code and system."})
    if "userComment" in reason and not _string(reason["userComment"]):
        problems.append({"pointer": f"{pointer}/userComment", "detail": "Must be a non-empty string."})
    return problems
