"""openapi.yaml is a valid OpenAPI 3.1 document and says exactly what the request schema enforces."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from marshmallow import RAISE, fields
from marshmallow.validate import Length, OneOf, Range
from openapi_spec_validator import validate
from spec_check import assert_response_matches_spec, deref, escape, load_spec, schema_errors

from schemas import ASSESS_REQUEST
from schemas.fields import NotBlank, StrictBoolean, StrictInteger, StrictList, StrictNumber, StrictString

REQUEST_SCHEMA = "/components/schemas/AssessRequest"
ASSESS = "/paths/~1assess/post"
# Keywords that only document; every other keyword must follow from the marshmallow field.
ANNOTATIONS = {"description", "title", "examples", "$comment", "deprecated"}
ASSESS_STATUSES = {"200", "400", "401", "403", "405", "406", "413", "414", "415", "422", "429", "431", "500", "501", "503"}
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


# --------------------------------------------------------------------------- schema <-> spec walk

def _resolve(node: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its `$ref` target merged in (siblings of `$ref` win, as in 2020-12)."""
    if "$ref" not in node:
        return node
    target: Any = spec
    for segment in node["$ref"][2:].split("/"):
        target = target[segment.replace("~1", "/").replace("~0", "~")]
    merged = dict(_resolve(target, spec))
    merged.update({k: v for k, v in node.items() if k != "$ref"})
    return merged


def _expected_keywords(field: fields.Field) -> dict[str, Any]:
    """The JSON Schema validation keywords a marshmallow field means (structure handled by the walk)."""
    if isinstance(field, StrictInteger):
        expected: dict[str, Any] = {"type": "integer"}
    elif isinstance(field, StrictNumber):
        expected = {"type": "number"}
    elif isinstance(field, StrictBoolean):
        expected = {"type": "boolean"}
    elif isinstance(field, StrictString):
        expected = {"type": "string"}
    elif isinstance(field, StrictList):
        expected = {"type": "array", "maxItems": field.max_items}
        if field.unique:
            expected["uniqueItems"] = True
    elif isinstance(field, fields.Nested):
        expected = {"type": "object", "additionalProperties": False}
        required = [name for name, f in field.schema.fields.items() if f.required]
        if required:
            expected["required"] = required
    else:
        raise AssertionError(f"no OpenAPI mapping for {type(field).__name__}")
    for validator in field.validators:
        if isinstance(validator, Range):
            assert validator.min_inclusive and validator.max_inclusive, "exclusive ranges are not mapped"
            if validator.min is not None:
                expected["minimum"] = validator.min
            if validator.max is not None:
                expected["maximum"] = validator.max
        elif isinstance(validator, OneOf):
            expected["enum"] = list(validator.choices)
        elif isinstance(validator, Length):
            assert validator.equal is None, "exact lengths are not mapped"
            if validator.min is not None:
                expected["minLength"] = validator.min
            if validator.max is not None:
                expected["maxLength"] = validator.max
        elif isinstance(validator, NotBlank):
            expected["pattern"] = r"\S"
        else:
            raise AssertionError(f"no OpenAPI mapping for validator {type(validator).__name__}")
    return expected


def compare(field: fields.Field, node: dict[str, Any], spec: dict[str, Any], pointer: str) -> list[str]:
    """Every disagreement between a marshmallow field and its spec node, in both directions."""
    node = _resolve(node, spec)
    problems = []
    if field.allow_none:
        problems.append(f"{pointer}: the schema accepts null; the contract has no nullable fields")
    expected = _expected_keywords(field)
    actual = {k: v for k, v in node.items() if k not in ANNOTATIONS | {"properties", "items"}}
    for key in sorted(expected.keys() | actual.keys()):
        if key not in actual:
            problems.append(f"{pointer}: spec lacks {key}={expected[key]!r}")
        elif key not in expected:
            problems.append(f"{pointer}: spec has {key}={actual[key]!r}, which the schema does not enforce")
        elif expected[key] != actual[key] or type(expected[key]) is not type(actual[key]):
            problems.append(
                f"{pointer}: {key} is {actual[key]!r} in the spec, {expected[key]!r} in the schema"
            )

    if isinstance(field, fields.Nested):
        if field.schema.unknown != RAISE:
            problems.append(f"{pointer}: the schema does not reject unknown fields")
        problems += compare_object(field.schema.fields, node.get("properties", {}), spec, pointer)
    elif isinstance(field, fields.List):
        if "items" not in node:
            problems.append(f"{pointer}: spec lacks items")
        else:
            problems += compare(field.inner, node["items"], spec, f"{pointer}/-")
    return problems


def compare_object(
    schema_fields: dict[str, fields.Field], properties: dict[str, Any], spec: dict[str, Any], pointer: str
) -> list[str]:
    problems = []
    for name in sorted(schema_fields.keys() - properties.keys()):
        problems.append(f"{pointer}/{name}: in the schema, missing from the spec")
    for name in sorted(properties.keys() - schema_fields.keys()):
        problems.append(f"{pointer}/{name}: in the spec, missing from the schema")
    for name in sorted(schema_fields.keys() & properties.keys()):
        child = f"{pointer}/{name}"
        if not str(_resolve(properties[name], spec).get("description", "")).strip():
            problems.append(f"{child}: spec has no description")
        problems += compare(schema_fields[name], properties[name], spec, child)
    return problems


def compare_request(spec: dict[str, Any]) -> list[str]:
    root = _resolve({"$ref": f"#{REQUEST_SCHEMA}"}, spec)
    problems = []
    if root.get("type") != "object" or root.get("additionalProperties") is not False:
        problems.append("root: spec must be an object with additionalProperties: false")
    if "required" in root:
        problems.append("root: spec must not require any field")
    extra = set(root) - ANNOTATIONS - {"type", "additionalProperties", "properties"}
    if extra:
        problems.append(f"root: spec has keywords the schema does not enforce: {sorted(extra)}")
    return problems + compare_object(ASSESS_REQUEST.fields, root.get("properties", {}), spec, "")


# --------------------------------------------------------------------------- the document itself

def test_spec_is_a_valid_openapi_3_1_document() -> None:
    spec = load_spec()
    assert spec["openapi"] == "3.1.0"
    validate(spec)


def test_spec_has_no_yaml_slips() -> None:
    """An unquoted comma in a YAML flow mapping silently makes a key with a null value."""
    slips = []
    NULL_ALLOWED = {"act_within", "const", "region"}  # self-care's act_within, a region-neutral answer's region

    def walk(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if value is None and key not in NULL_ALLOWED:
                    slips.append(f"{pointer}/{key}")
                walk(value, f"{pointer}/{escape(str(key))}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{pointer}/{index}")

    walk(load_spec(), "")
    assert slips == []


def test_request_schema_and_spec_agree_field_by_field() -> None:
    assert compare_request(load_spec()) == []


MUTATIONS = [
    (lambda s: s["Person"]["properties"]["age"].update(maximum=130), "/person/age: maximum"),
    (lambda s: s["Person"]["properties"].pop("sex"), "/person/sex: in the schema, missing"),
    (lambda s: s["Signs"]["properties"].update(fevr={"type": "boolean", "description": "x"}),
     "/signs/fevr: in the spec, missing"),
    (lambda s: s["Cramp"]["properties"]["side"]["enum"].pop(), "/cramp/side: enum"),
    (lambda s: s["Cramp"]["properties"]["timing"].pop("uniqueItems"),
     "/cramp/timing: spec lacks uniqueItems"),
    (lambda s: s["Context"]["properties"]["toxin_exposure"].update(maxItems=4),
     "/context/toxin_exposure: maxItems"),
    (lambda s: s["Wound"].update(additionalProperties=True), "/context/wound: additionalProperties"),
    (lambda s: s["Medication"].pop("required"), "/medications/-: spec lacks required"),
    (lambda s: s["Medication"]["properties"]["name"].update(maxLength=200), "/medications/-/name: maxLength"),
    (lambda s: s["Signs"]["properties"]["heart_rate"].update(type="number"), "/signs/heart_rate: type"),
    (lambda s: s["Signs"]["properties"]["fever"].update(type=["boolean", "null"]), "/signs/fever: type"),
    (lambda s: s["Context"]["properties"]["smoker"].update(default=False),
     "/context/smoker: spec has default"),
    (lambda s: s["Person"]["properties"]["age"].pop("description"), "/person/age: spec has no description"),
    (lambda s: s["AssessRequest"].update(required=["person"]), "root: spec must not require"),
]


@pytest.mark.parametrize(("mutation", "expected"), MUTATIONS, ids=[e for _, e in MUTATIONS])
def test_the_walk_catches_each_kind_of_disagreement(mutation: Any, expected: str) -> None:
    spec = copy.deepcopy(load_spec())
    mutation(spec["components"]["schemas"])
    problems = compare_request(spec)
    assert any(p.startswith(expected) for p in problems), problems


def test_the_walk_catches_schema_side_changes_too() -> None:
    spec = load_spec()
    root = spec["components"]["schemas"]["AssessRequest"]["properties"]
    extra = compare_object({**ASSESS_REQUEST.fields, "extra": StrictBoolean()}, root, spec, "")
    assert extra == ["/extra: in the schema, missing from the spec"]
    age = spec["components"]["schemas"]["Person"]["properties"]["age"]
    assert compare(StrictInteger(validate=Range(0, 130)), age, spec, "/person/age") == [
        "/person/age: maximum is 120 in the spec, 130 in the schema"
    ]
    assert compare(StrictNumber(validate=Range(0, 120)), age, spec, "/person/age") == [
        "/person/age: type is 'integer' in the spec, 'number' in the schema"
    ]
    assert compare(StrictInteger(validate=Range(0, 120), allow_none=True), age, spec, "/person/age") == [
        "/person/age: the schema accepts null; the contract has no nullable fields"
    ]


def test_assess_documents_every_status_it_can_return() -> None:
    responses = load_spec()["paths"]["/assess"]["post"]["responses"]
    assert set(responses) == ASSESS_STATUSES


# The HTML interface answers bad input and failures in HTML (never JSON there): POST /assess asked for
# text/html in either type, the /embed pages in HTML only. Everything else is problem+json.
HTML_REFUSALS = {"400", "413", "415", "422", "500"}
HTML_INTERFACE = {
    ("post", "/assess"): ["application/problem+json", "text/html"],
    ("get", "/embed"): ["text/html"],
    ("post", "/embed"): ["text/html"],
}


def test_every_response_documents_x_request_id_and_errors_are_problem_json() -> None:
    spec = load_spec()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                response, _ = deref(response, "")
                where = f"{method.upper()} {path} {status}"
                header, _ = deref(response["headers"]["X-Request-ID"], "")
                assert header["required"] is True, where
                if status == "304":
                    assert "content" not in response, where  # a conditional GET's answer has no body
                elif not status.startswith("2"):
                    html = HTML_INTERFACE.get((method, path)) if status in HTML_REFUSALS else None
                    assert list(response["content"]) == (html or ["application/problem+json"]), where
                if status == "405":
                    assert deref(response["headers"]["Allow"], "")[0]["required"] is True, where


def test_metrics_are_documented_as_prometheus_text_0_0_4() -> None:
    content = load_spec()["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert list(content) == ["text/plain; version=0.0.4"]


def test_response_topic_enums_match_the_contract_vocabulary() -> None:
    vocabulary = pytest.importorskip("service.content.vocabulary")
    schemas = load_spec()["components"]["schemas"]
    recommendable = set(vocabulary.TOPIC_IDS) - set(vocabulary.NEVER_RECOMMENDED)
    assert set(schemas["Recommendation"]["properties"]["id"]["enum"]) == recommendable
    assert "quinine" not in schemas["Recommendation"]["properties"]["id"]["enum"]
    assert set(schemas["Withheld"]["properties"]["id"]["enum"]) == set(vocabulary.TOPIC_IDS)
    assert schemas["Level"]["enum"] == list(reversed(vocabulary.LEVELS))
    by_category = {
        rule["if"]["properties"]["category"]["const"]: set(rule["then"]["properties"]["id"]["enum"])
        for rule in schemas["Recommendation"]["allOf"]
    }
    assert by_category == {c: set(ids) for c, ids in vocabulary.TOPIC_CATEGORIES.items() if c != "never"}


# --------------------------------------------------------------------------- examples

def _request_examples() -> list[tuple[str, Any]]:
    body = load_spec()["paths"]["/assess"]["post"]["requestBody"]
    examples = body["content"]["application/json"]["examples"]
    return [(name, example["value"]) for name, example in examples.items()]


def test_request_examples_include_a_self_care_and_an_emergency_case() -> None:
    assert {"self_care", "emergency"} <= {name for name, _ in _request_examples()}


@pytest.mark.parametrize(("name", "example"), _request_examples(), ids=[n for n, _ in _request_examples()])
def test_request_examples_load_cleanly_and_validate(name: str, example: Any) -> None:
    assert ASSESS_REQUEST.load(example) == example
    assert schema_errors(REQUEST_SCHEMA, example) == []


def _response_examples() -> list[tuple[str, str, Any]]:
    """(where, schema pointer, example value) for every example of a response or of components."""
    spec = load_spec()
    found = []
    responses: list[tuple[str, Any]] = [
        (f"/components/responses/{escape(name)}", r) for name, r in spec["components"]["responses"].items()
    ]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if "$ref" not in response:
                    responses.append((f"/paths/{escape(path)}/{method}/responses/{status}", response))
    for pointer, response in responses:
        for media, content in (response.get("content") or {}).items():
            schema = f"{pointer}/content/{escape(media)}/schema"
            if "example" in content:
                found.append((f"{pointer} {media}", schema, content["example"]))
            for name, example in (content.get("examples") or {}).items():
                example, _ = deref(example, "")
                found.append((f"{pointer} {media} {name}", schema, example["value"]))
    return found


@pytest.mark.parametrize(
    ("where", "schema", "example"), _response_examples(), ids=[w for w, _, _ in _response_examples()]
)
def test_response_examples_match_their_schemas(where: str, schema: str, example: Any) -> None:
    assert schema_errors(schema, example) == []


def test_response_schemas_reject_what_the_contract_forbids() -> None:
    """The response schema is strict enough to catch an engine bug, not just decoration."""
    example = load_spec()["components"]["examples"]["SelfCareAssessment"]["value"]
    schema = "/components/schemas/AssessmentResponse"

    def broken(change: Any) -> list[str]:
        doc = copy.deepcopy(example)
        change(doc)
        return schema_errors(schema, doc)

    assert broken(lambda d: d["recommendations"][0].update(id="quinine"))
    assert broken(lambda d: d["recommendations"][0].update(category="medicines"))
    assert broken(lambda d: d.update(safety_net=[]))
    assert broken(lambda d: d.pop("withheld"))
    assert broken(lambda d: d["disposition"].update(rank=4))
    assert broken(lambda d: d["disposition"].update(act_within="P3D"))
    assert broken(lambda d: d["knowledge_base"].update(sha256="abc"))
    assert broken(lambda d: d["recommendations"][0].update(sources=[]))
    assert broken(lambda d: d.update(assessment_id="not-a-uuid"))


# --------------------------------------------------------------------------- clinical cases

def _vignettes() -> list[dict[str, Any]]:
    path = FIXTURES / "vignettes-public.json"
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", _vignettes(), ids=lambda c: c["id"])
def test_public_clinical_cases_are_valid_requests_for_both(case: dict[str, Any]) -> None:
    assert ASSESS_REQUEST.load(case["request"]) == case["request"]
    assert schema_errors(REQUEST_SCHEMA, case["request"]) == []


# --------------------------------------------------------------------------- the response checker

RID = {"X-Request-ID": "abc123"}
ANSWERED = {**RID, "Content-Language": "en-GB"}  # an assessment also says its language
PROBLEM = "application/problem+json"


def _problem(status: int, **extra: Any) -> bytes:
    body = {"type": "about:blank", "title": "t", "status": status, "detail": "d", **extra}
    return json.dumps(body).encode()


def _self_care() -> dict[str, Any]:
    return copy.deepcopy(load_spec()["components"]["examples"]["SelfCareAssessment"]["value"])


def test_the_checker_accepts_documented_responses() -> None:
    ok = json.dumps(_self_care()).encode()
    assert_response_matches_spec("POST", "/assess", 200, "application/json", ok, ANSWERED)
    assert_response_matches_spec("GET", "/livez?x=1", 200, "application/json", b'{"status":"ok"}', RID)
    assert_response_matches_spec("HEAD", "/livez", 200, "application/json", b"", RID)
    assert_response_matches_spec("GET", "/nowhere", 404, PROBLEM, _problem(404), RID)
    assert_response_matches_spec("GET", "/assess", 405, PROBLEM, _problem(405), {**RID, "Allow": "OPTIONS, POST"})
    allow = {**RID, "Allow": "GET, HEAD, OPTIONS"}
    assert_response_matches_spec("DELETE", "/livez", 405, PROBLEM, _problem(405), allow)
    metrics = "text/plain; version=0.0.4; charset=utf-8"
    assert_response_matches_spec("GET", "/metrics", 200, metrics, b"# x", RID)
    assert_response_matches_spec("GET", "/docs", 200, "text/html; charset=utf-8", b"<html></html>", RID)
    spec_bytes = (ROOT / "openapi.yaml").read_bytes()
    assert_response_matches_spec("GET", "/openapi.yaml", 200, "application/yaml", spec_bytes, RID)
    invalid = _problem(422, errors=[{"pointer": "/person/age", "detail": "Not a valid integer."}])
    invalid = invalid.replace(b"about:blank", b"urn:cramp-advice:problem:validation")
    assert_response_matches_spec("POST", "/assess", 422, PROBLEM, invalid, [("x-request-id", "abc123")])


@pytest.mark.parametrize(
    ("call", "complaint"),
    [
        (("POST", "/assess", 404, PROBLEM, _problem(404), RID), "status 404 is not documented"),
        (("GET", "/nowhere", 200, "application/json", b"{}", RID), "must answer 404"),
        (("PUT", "/assess", 404, PROBLEM, _problem(404), RID), "must answer 405"),
        (("GET", "/assess", 405, PROBLEM, _problem(405), {**RID, "Allow": "GET"}),
         "lacks documented methods"),
        (("GET", "/assess", 405, PROBLEM, _problem(405), RID), "required header Allow is missing"),
        (("GET", "/livez", 200, "application/json", b'{"status":"ok"}', {}), "required header X-Request-ID"),
        (("POST", "/assess", 200, "application/json", json.dumps(_self_care()).encode(), RID),
         "required header Content-Language is missing"),
        (("GET", "/livez", 200, "text/plain", b"ok", RID), "content type 'text/plain' is not documented"),
        (("GET", "/livez", 200, "application/json", b'{"status":"up"}', RID), "body does not match"),
        (("GET", "/livez", 200, "application/json", b"{", RID), "body is not JSON"),
        (("HEAD", "/livez", 200, "application/json", b"{}", RID), "HEAD must not carry a body"),
        (("GET", "/metrics", 200, "text/plain; version=1.0.0", b"# x", RID), "is not documented"),
        (("POST", "/assess", 500, PROBLEM, _problem(500), RID), "body does not match"),
        (("POST", "/assess", 413, PROBLEM, _problem(400), RID), "problem status 400 differs"),
        (("POST", "/assess", 415, PROBLEM, _problem(415, request_id="other"), RID), "request_id differs"),
        (("POST", "/assess", 422, PROBLEM, _problem(422), RID), "body does not match"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_the_checker_rejects_what_the_spec_does_not_document(call: tuple, complaint: str) -> None:
    with pytest.raises(AssertionError, match=complaint):
        assert_response_matches_spec(*call)


def test_the_checker_rejects_an_undocumented_response_field() -> None:
    body = _self_care()
    body["debug"] = "x"
    encoded = json.dumps(body).encode()
    with pytest.raises(AssertionError, match="Additional properties"):
        assert_response_matches_spec("POST", "/assess", 200, "application/json", encoded, ANSWERED)
