"""POST /assess: strict JSON in, validated facts to the engine, the engine's assessment out as JSON, or
as an HTML fragment for `Accept: text/html` (service/render/html.py). Both say the same assessment."""
from __future__ import annotations

import uuid
from functools import partial
from typing import Any, Mapping

import orjson
from flask import Blueprint, Response, current_app, g, request
from marshmallow import ValidationError

from schemas import ASSESS_REQUEST, validation_errors
from service.clock import utc_millis
from service.http.jsonbody import BodyError, read_json
from service.http.language import add_vary
from service.http.negotiation import BAD_HEADING_LEVEL, HTML, heading_level, not_acceptable, representation
from service.http.problems import MALFORMED_JSON, VALIDATION, refusal
from service.localised import Answerer

blueprint = Blueprint("assess", __name__)
API_VERSION = "1"
MAX_ERRORS = 100  # a body of 3,000 unknown keys gets a bounded answer, not one error per key
HTML_TYPE = "text/html; charset=utf-8"


@blueprint.post("/assess")
def assess() -> Response:
    runtime = current_app.extensions["cramp"]
    state = g.cramp
    kind = state.representation = representation(request)
    if kind is None:
        return _varies(not_acceptable())
    level = heading_level(request)
    language = runtime.localised.languages.choose(request.headers.get("Accept-Language"))
    if kind == HTML:
        state.html_errors = partial(_html_refusal, runtime, language, level or 2)
    if level is None:
        return _varies(refusal(400, "Bad Request", BAD_HEADING_LEVEL))
    try:
        body = read_json(request, runtime.settings.max_body_bytes)
    except BodyError as err:
        type_ = MALFORMED_JSON if err.status == 400 else "about:blank"
        titles = {400: "Malformed JSON", 413: "Content Too Large", 415: "Unsupported Media Type"}
        return _varies(refusal(err.status, titles[err.status], err.detail, type_))
    try:
        facts = ASSESS_REQUEST.load(body)
    except ValidationError as err:
        return _varies(invalid(validation_errors(err.messages)))
    answerer = answerer_for(runtime, facts, language)
    answer = answer_for(answerer, facts)
    if kind == HTML:
        fragment = runtime.render.edition(answerer.edition).answer.fragment(answer, facts, level)
        response = Response(fragment, 200, content_type=HTML_TYPE)
    else:
        response = Response(orjson.dumps(answer), 200, content_type="application/json")  # + SECURITY_HEADERS
    response.headers["Content-Language"] = answer["knowledge_base"]["language"]
    return _varies(response)


def note_invalid(errors: list[dict[str, str]]) -> None:
    """The invalid fields' pointers, for the metrics and the log line (never a value)."""
    g.cramp.validation_pointers = [e["pointer"] for e in errors]


def invalid(errors: list[dict[str, str]]) -> Response:
    """422 naming every invalid field (never a value)."""
    note_invalid(errors)
    detail = f"{len(errors)} field(s) in the request are not valid; see errors."
    if len(errors) > MAX_ERRORS:
        detail = f"{len(errors)} field(s) in the request are not valid; errors lists the first {MAX_ERRORS}."
    return refusal(422, "Unprocessable Content", detail, VALIDATION, errors[:MAX_ERRORS])


def answerer_for(runtime: Any, facts: Mapping[str, Any], language: str | None = None) -> Answerer:
    """Who answers: `language` (None: the default) for the facts' `region` (absent: the configured
    default region, else region-neutral). One dict look-up picks the edition, texts already in place."""
    localised = runtime.localised
    region = facts.get("region", runtime.settings.default_region)
    return localised.answerer(language or localised.editions.default_language, region)  # type: ignore[no-any-return]


def answer_for(answerer: Answerer, facts: dict[str, Any]) -> dict[str, Any]:
    """The engine's assessment of validated facts, with its id, time and version; noted for the metrics.
    The engine reads only the report's sections, so `region` can stay in the facts it is given."""
    assessment = answerer.assess(facts)
    g.cramp.assessment = assessment
    return {
        "assessment_id": new_assessment_id(),
        "evaluated_at": utc_millis(),
        "api_version": API_VERSION,
        **assessment,
    }


def _varies(response: Response) -> Response:
    """Every answer of /assess depends on Accept (JSON or HTML) and Accept-Language (the answer's words,
    and an HTML refusal's), errors included."""
    add_vary(response, "Accept", "Accept-Language")  # CORS adds Origin to it after this
    return response


def _html_refusal(runtime: Any, language: str, level: int, status: int, title: str, detail: str,
                  errors: list[dict[str, str]] | None) -> Response:
    """A refusal as an HTML fragment in the negotiated language, naming the default region's numbers."""
    edition = runtime.localised.answerer(language, runtime.settings.default_region).edition
    response = Response(runtime.render.edition(edition).answer.problem(status, title, detail, errors, level),
                        status, content_type=HTML_TYPE)
    response.headers["Content-Language"] = language
    return response


def new_assessment_id() -> str:
    """A random (version 4) UUID in its usual 36-character form."""
    return str(uuid.uuid4())
