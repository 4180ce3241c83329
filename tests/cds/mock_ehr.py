"""A mock EHR: reads discovery, fills prefetch templates from a FHIR fixture, calls services, sends feedback.

Its FHIR "server" is the fixture Bundle and a search of only what CDS Hooks' prefetch query
restrictions allow (a read by id; a search by patient, token equality with comma-separated values,
_sort and _count), enough to answer the templates this service announces. What it sends and what it
gets back are checked against the CDS Hooks 2.0 JSON Schemas (schemas/cds-hooks/).
"""
from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
FHIR_FIXTURES = ROOT / "tests" / "fixtures" / "fhir"
SCHEMAS = ROOT / "schemas" / "cds-hooks"
_TOKEN = re.compile(r"\{\{\s*context\.([A-Za-z]+)\s*\}\}")
# FHIR search parameters the templates use -> how a resource is matched.
_STATUS = {"clinical-status": lambda r: [c.get("code") for c in r.get("clinicalStatus", {}).get("coding", [])],
           "status": lambda r: [r.get("status")]}


def schema(name: str) -> Draft202012Validator:
    document = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(document, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(name: str, instance: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in schema(name).iter_errors(instance)]


def no_null_or_empty(node: Any, path: str = "", allow_empty: frozenset[str] = frozenset({"/cards"})) -> list[str]:
    """CDS Hooks 2.0: no member null or empty ("", [], {}), except an empty cards array."""
    found = []
    if node is None or (node in ("", [], {}) and path not in allow_empty):
        found.append(path or "(root)")
    if isinstance(node, dict):
        for key, value in node.items():
            found += no_null_or_empty(value, f"{path}/{key}", allow_empty)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += no_null_or_empty(value, f"{path}/{index}", allow_empty)
    return found


class FhirFixture:
    def __init__(self, name: str = "chart.json") -> None:
        bundle = json.loads((FHIR_FIXTURES / name).read_text(encoding="utf-8"))
        self.resources = [entry["resource"] for entry in bundle["entry"]]

    def query(self, relative: str) -> Any:
        """The result of a relative FHIR read or search, or None when there is no data (CDS Hooks: null)."""
        path, _, query = relative.partition("?")
        if "/" in path:
            rtype, rid = path.split("/", 1)
            return next((r for r in self.resources if r["resourceType"] == rtype and r.get("id") == rid), None)
        matches = [r for r in self.resources if r["resourceType"] == path]
        count = None
        for name, value in parse_qsl(query):
            if name == "patient":
                matches = [r for r in matches if r.get("subject", {}).get("reference") == f"Patient/{value}"]
            elif name in _STATUS:
                matches = [r for r in matches if set(_STATUS[name](r)) & set(value.split(","))]
            elif name == "code":
                wanted = {tuple(v.split("|", 1)) if "|" in v else ("", v) for v in value.split(",")}
                matches = [r for r in matches if any((c.get("system"), c.get("code")) in wanted or ("", c.get("code")) in wanted
                                                     for c in r.get("code", {}).get("coding", []))]
            elif name == "_sort" and value == "-date":
                matches.sort(key=lambda r: r.get("effectiveDateTime", ""), reverse=True)
            elif name == "_count":
                count = int(value)
            else:
                raise AssertionError(f"the mock EHR does not support the search parameter {name!r}")
        matches = matches[:count] if count is not None else matches
        if not matches:
            return None
        return {"resourceType": "Bundle", "type": "searchset", "total": len(matches),
                "entry": [{"fullUrl": f"https://ehr.example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r}
                          for r in matches]}


def fill(templates: dict[str, str], context: dict[str, Any], fixture: FhirFixture) -> dict[str, Any]:
    """Replace prefetch tokens with context values and run each query (CDS Hooks 2.0 "Prefetch Template")."""
    prefetch = {}
    for key, template in templates.items():
        def token(match: re.Match[str]) -> str:
            return str(context[match.group(1)])
        prefetch[key] = fixture.query(_TOKEN.sub(token, template))
    return prefetch


Send = Callable[..., tuple[int, Any, dict[str, str]]]  # (method, path, body, headers=None)


class MockEhr:
    """Drives a CDS service through `send(method, path, body) -> (status, json, headers)`."""

    def __init__(self, send: Send, patient_id: str = "example-patient-1") -> None:
        self.send, self.patient_id = send, patient_id
        self.fixture = FhirFixture()
        self.sent: list[dict[str, Any]] = []
        self.hooks: dict[str, list[str]] = {}

    def speaks(self, language: str) -> MockEhr:
        """The fixture's patient now prefers `language` (Patient.communication, a BCP 47 code)."""
        patient = next(r for r in self.fixture.resources if r["resourceType"] == "Patient" and r["id"] == self.patient_id)
        patient["communication"] = [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": language}]},
                                     "preferred": True}]
        return self

    def discover(self) -> dict[str, Any]:
        """Each service by id (its first entry); `self.hooks[id]` lists every hook it is listed under."""
        status, body, _ = self.send("GET", "/cds-services", None)
        assert status == 200, body
        assert schema_errors("discovery", body) == []
        pairs = [(service["id"], service["hook"]) for service in body["services"]]
        assert len(pairs) == len(set(pairs)), "an id may repeat only for different hooks"
        self.hooks, services = {}, {}
        for service in body["services"]:
            self.hooks.setdefault(service["id"], []).append(service["hook"])
            services.setdefault(service["id"], service)
        return services

    def call(self, service: dict[str, Any], hook: str | None = None, context: dict[str, Any] | None = None
             ) -> tuple[int, Any, dict[str, str]]:
        context = context or {"userId": "Practitioner/gp-1", "patientId": self.patient_id}
        request = {"hook": hook or service["hook"], "hookInstance": str(uuid.uuid4()), "context": context}
        if "prefetch" in service:
            request["prefetch"] = fill(service["prefetch"], context, self.fixture)
        assert schema_errors("request", request) == []
        self.sent.append(request)
        status, body, headers = self.send("POST", f"/cds-services/{service['id']}", request)
        if status == 200:
            assert schema_errors("response", body) == [], schema_errors("response", body)
            assert no_null_or_empty(body) == []
        return status, body, headers

    def feedback(self, service_id: str, items: list[dict[str, Any]]) -> tuple[int, Any, dict[str, str]]:
        body = {"feedback": items}
        assert schema_errors("feedback", body) == []
        return self.send("POST", f"/cds-services/{service_id}/feedback", body)


def draft_orders() -> dict[str, Any]:
    return json.loads((FHIR_FIXTURES / "draft-orders.json").read_text(encoding="utf-8"))


def client_sender(client: Any) -> Send:
    """send() over a Flask test client (the spec-checking one, so openapi.yaml is checked too)."""
    def send(method: str, path: str, body: dict[str, Any] | None,
             headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
        response = client.open(path, method=method, json=body, headers=headers or {})
        return response.status_code, response.get_json(silent=True), dict(response.headers)
    return send

