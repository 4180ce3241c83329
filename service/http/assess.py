"""POST /assess: strict JSON in, validated facts to the engine, the engine's assessment out."""
from __future__ import annotations

import uuid

import orjson
from flask import Blueprint, Response, current_app, g, request
from marshmallow import ValidationError

from schemas import ASSESS_REQUEST, validation_errors
from service.clock import utc_millis
from service.http.jsonbody import BodyError, read_json
from service.http.negotiation import require_json_accept
from service.http.problems import MALFORMED_JSON, VALIDATION, problem

blueprint = Blueprint("assess", __name__)
API_VERSION = "1"
MAX_ERRORS = 100  # a body of 3,000 unknown keys gets a bounded answer, not one error per key


@blueprint.post("/assess")
def assess() -> Response:
    runtime = current_app.extensions["cramp"]
    refused = require_json_accept(request)
    if refused is not None:
        return refused
    try:
        body = read_json(request, runtime.settings.max_body_bytes)
    except BodyError as err:
        type_ = MALFORMED_JSON if err.status == 400 else "about:blank"
        titles = {400: "Malformed JSON", 413: "Content Too Large", 415: "Unsupported Media Type"}
        return problem(err.status, titles[err.status], err.detail, type_)
    try:
        facts = ASSESS_REQUEST.load(body)
    except ValidationError as err:
        errors = validation_errors(err.messages)
        g.cramp.validation_pointers = [e["pointer"] for e in errors]
        detail = f"{len(errors)} field(s) in the request are not valid; see errors."
        if len(errors) > MAX_ERRORS:
            detail = f"{len(errors)} field(s) in the request are not valid; errors lists the first {MAX_ERRORS}."
        return problem(422, "Unprocessable Content", detail, VALIDATION, errors[:MAX_ERRORS])
    assessment = runtime.engine.assess(facts)
    g.cramp.assessment = assessment
    answer = {
        "assessment_id": new_assessment_id(),
        "evaluated_at": utc_millis(),
        "api_version": API_VERSION,
        **assessment,
    }
    return Response(orjson.dumps(answer), 200, content_type="application/json")  # + SECURITY_HEADERS


def new_assessment_id() -> str:
    """A random (version 4) UUID in its usual 36-character form."""
    return str(uuid.uuid4())
