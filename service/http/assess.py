"""POST /assess: strict JSON in, validated facts to the engine, the engine's assessment out."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import orjson
from flask import Blueprint, Response, current_app, g, request
from marshmallow import ValidationError

from schemas import ASSESS_REQUEST, validation_errors
from service.http.jsonbody import BodyError, read_json
from service.http.negotiation import require_json_accept
from service.http.problems import MALFORMED_JSON, VALIDATION, problem

blueprint = Blueprint("assess", __name__)
API_VERSION = "1"
MAX_ERRORS = 100  # a body of 3,000 unknown keys gets a bounded answer, not one error per key


@blueprint.post("/assess")
def assess() -> Response:
    runtime = current_app.extensions["cramp"]
    refused = require_json_accept()
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
        g.validation_pointers = [e["pointer"] for e in errors]
        detail = f"{len(errors)} field(s) in the request are not valid; see errors."
        if len(errors) > MAX_ERRORS:
            detail = f"{len(errors)} field(s) in the request are not valid; errors lists the first {MAX_ERRORS}."
        return problem(422, "Unprocessable Content", detail, VALIDATION, errors[:MAX_ERRORS])
    assessment = runtime.engine.assess(facts)
    g.assessment = assessment
    answer = {
        "assessment_id": str(uuid.uuid4()),
        "evaluated_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "api_version": API_VERSION,
        **assessment,
    }
    response = Response(orjson.dumps(answer), status=200, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response
