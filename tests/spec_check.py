"""Check real HTTP responses against openapi.yaml, so the document cannot drift from the service.

`assert_response_matches_spec` checks one response: the status is documented for that operation, the
content type is one the operation documents for that status, required headers are present and well
formed, and a JSON body validates against the documented JSON Schema (Draft 2020-12, with
`#/components/...` references resolved inside the OpenAPI document). `SpecCheckingClient` runs it on
every response of a Flask test client. The document is parsed once per test session.

Conventions the document states and this module enforces:
- a path that is not in the document answers 404 (components/responses/NotFound);
- a documented path called with a method it does not document answers 405 with an Allow header
  that lists at least the documented methods;
- HEAD is answered like GET, with the same status, headers and content type but no body;
- a problem+json body's `status` equals the HTTP status, and its `request_id` (when present) equals
  the X-Request-ID header.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[1] / "openapi.yaml"
BASE_URI = "urn:cramp-advice:openapi.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@functools.cache
def load_spec() -> dict[str, Any]:
    """The parsed OpenAPI document (cached: parse once, share everywhere; do not mutate)."""
    with SPEC_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@functools.cache
def _registry() -> Registry:
    return Registry().with_resource(BASE_URI, DRAFT202012.create_resource(load_spec()))


def escape(segment: str) -> str:
    """One RFC 6901 pointer segment."""
    return segment.replace("~", "~0").replace("/", "~1")


def resolve_pointer(pointer: str) -> Any:
    """The node of the OpenAPI document at a JSON Pointer ("" is the whole document)."""
    node: Any = load_spec()
    for segment in pointer.split("/")[1:]:
        segment = segment.replace("~1", "/").replace("~0", "~")
        node = node[int(segment)] if isinstance(node, list) else node[segment]
    return node


def deref(node: Any, pointer: str) -> tuple[Any, str]:
    """Follow OpenAPI `$ref`s (local only) to the object they name, with its pointer."""
    seen = set()
    while isinstance(node, Mapping) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local references are supported, got {ref!r}"
        assert ref not in seen, f"reference cycle at {ref!r}"
        seen.add(ref)
        pointer = ref[1:]
        node = resolve_pointer(pointer)
    return node, pointer


@functools.cache
def schema_validator(pointer: str) -> Draft202012Validator:
    """A validator for the JSON Schema at `pointer` in the document (cached per pointer)."""
    return Draft202012Validator(
        {"$ref": f"{BASE_URI}#{quote(pointer, safe='/~+')}"},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def schema_errors(pointer: str, instance: Any) -> list[str]:
    """Every way `instance` breaks the schema at `pointer`, as readable lines (empty when valid)."""
    errors = sorted(schema_validator(pointer).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"  at {e.json_path}: {e.message}" for e in errors]


def _media_type(value: str) -> tuple[str, dict[str, str]]:
    base, *params = value.split(";")
    parsed = {}
    for param in params:
        name, _, val = param.strip().partition("=")
        parsed[name.strip().lower()] = val.strip().strip('"').lower()
    return base.strip().lower(), parsed


def _match_media(actual: str, documented: Iterable[str]) -> str | None:
    """The documented media type that `actual` satisfies: same type, and every documented parameter."""
    base, params = _media_type(actual)
    for candidate in documented:
        want_base, want_params = _media_type(candidate)
        if want_base == base and all(params.get(k) == v for k, v in want_params.items()):
            return candidate
    return None


def _lower_headers(headers: Any) -> dict[str, str]:
    items = headers.items() if hasattr(headers, "items") else headers
    return {str(name).lower(): str(value) for name, value in items}


def _documented_methods(path_item: Mapping[str, Any]) -> set[str]:
    methods = {m.upper() for m in HTTP_METHODS if m in path_item}
    if "GET" in methods:
        methods.add("HEAD")
    return methods


def _find_response(method: str, path: str, status: int, fail: Any) -> tuple[dict[str, Any], str, set[str]]:
    """The documented response object for this call, its pointer, and the methods Allow must list."""
    paths = load_spec()["paths"]
    if path not in paths:
        if status != 404:
            fail(f"path {path!r} is not in openapi.yaml, so it must answer 404")
        return (*deref({"$ref": "#/components/responses/NotFound"}, ""), set())
    item = paths[path]
    op_method = "get" if method == "head" and "head" not in item else method
    if op_method not in item:
        if status != 405:
            fail(f"{method.upper()} is not documented for {path!r}, so it must answer 405")
        any_op = next(m for m in HTTP_METHODS if m in item)
        pointer = f"/paths/{escape(path)}/{any_op}/responses/405"
        if "405" not in item[any_op]["responses"]:
            fail(f"{path!r} documents no 405 response")
        return (*deref(item[any_op]["responses"]["405"], pointer), _documented_methods(item))
    responses = item[op_method]["responses"]
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key in responses:
            pointer = f"/paths/{escape(path)}/{op_method}/responses/{key}"
            return (*deref(responses[key], pointer), _documented_methods(item) if status == 405 else set())
    fail(f"status {status} is not documented for {op_method.upper()} {path} "
         f"(documented: {sorted(responses)})")
    raise AssertionError  # unreachable: fail raises


def assert_response_matches_spec(
    method: str,
    path: str,
    status: int,
    content_type: str | None,
    body: bytes | None,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> None:
    """Fail (AssertionError) unless this response is one openapi.yaml documents for the call."""
    method = method.lower()
    path = path.split("?", 1)[0]
    where = f"{method.upper()} {path} -> {status}"

    def fail(message: str) -> None:
        raise AssertionError(f"{where}: {message}")

    response, pointer, allow_must_list = _find_response(method, path, status, fail)
    lowered = _lower_headers(headers)

    for name, header in (response.get("headers") or {}).items():
        header, _ = deref(header, "")
        value = lowered.get(name.lower())
        if value is None:
            if header.get("required"):
                fail(f"required header {name} is missing")
            continue
        problems = list(Draft202012Validator(header.get("schema", {})).iter_errors(value))
        if problems:
            fail(f"header {name} is not as documented: {problems[0].message}")
    if allow_must_list:
        allowed = {m.strip().upper() for m in lowered.get("allow", "").split(",") if m.strip()}
        missing = allow_must_list - allowed
        if missing:
            fail(f"Allow header {lowered.get('allow')!r} lacks documented methods {sorted(missing)}")

    content = response.get("content") or {}
    body = body or b""
    if not content:
        if body:
            fail("documented without a body, but a body was sent")
        return
    media = _match_media(content_type or "", content)
    if media is None:
        fail(f"content type {content_type!r} is not documented (documented: {sorted(content)})")
    if method == "head":
        if body:
            fail("HEAD must not carry a body")
        return
    base, _ = _media_type(media)
    if base == "application/yaml":
        try:
            document = yaml.safe_load(body)
        except yaml.YAMLError:
            fail(f"{media} body is not YAML")
    elif base == "application/json" or base.endswith("+json"):
        try:
            document = json.loads(body)
        except ValueError:
            fail(f"{media} body is not JSON")
    else:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            fail(f"{media} body is not UTF-8 text")
        return
    schema_pointer = f"{pointer}/content/{escape(media)}/schema"
    errors = schema_errors(schema_pointer, document)
    if errors:
        fail(f"body does not match {schema_pointer}:\n" + "\n".join(errors))
    if base == "application/problem+json":
        if document.get("status") != status:
            fail(f"problem status {document.get('status')!r} differs from the HTTP status")
        request_id = lowered.get("x-request-id")
        if "request_id" in document and request_id is not None and document["request_id"] != request_id:
            fail("problem request_id differs from the X-Request-ID header")


class SpecCheckingClient(FlaskClient):
    """A Flask test client that checks every response it returns against openapi.yaml."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = super().open(*args, **kwargs)
        request = response.request
        assert_response_matches_spec(
            request.method,
            request.path,
            response.status_code,
            response.headers.get("Content-Type"),
            response.get_data(),
            response.headers,
        )
        return response
