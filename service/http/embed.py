"""The questionnaire a portal can frame: GET /embed (the form), POST /embed (the answers, form-encoded, through
the same schema and engine as POST /assess), GET /embed/cramp-advice.css (the one stylesheet).

Stateless: earlier answers travel in hidden fields, nothing is stored and no cookie is set. The pages may be
framed only by the origins in CRAMP_EMBED_ORIGINS (and the service's own); their CSP allows this origin's
stylesheet and form posts and nothing else (no script, no inline style, no other origin).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, request
from marshmallow import ValidationError

from schemas import ASSESS_REQUEST, validation_errors
from service.http.assess import MAX_ERRORS, answer_for, note_invalid
from service.http.negotiation import HTML
from service.http.problems import refusal

blueprint = Blueprint("embed", __name__)
HTML_TYPE = "text/html; charset=utf-8"
FORM_TYPE = "application/x-www-form-urlencoded"
# Versioned by the stylesheet's hash in the pages' link (?v=...), so a year's caching is safe.
STYLESHEET_CACHE = "public, max-age=31536000, immutable"


def embed_csp(origins: frozenset[str]) -> str:
    """The pages' Content-Security-Policy: this origin's stylesheet and form posts, framed by `origins`."""
    ancestors = " ".join(["'self'", *sorted(origins)])
    return (f"default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors {ancestors}; "
            "base-uri 'none'")


def _page(body: str, status: int = 200) -> Response:
    runtime = current_app.extensions["cramp"]
    response = Response(body, status, content_type=HTML_TYPE)
    response.headers["Content-Security-Policy"] = runtime.embed_csp
    return response


def _error_page(status: int, title: str, detail: str, errors: list[dict[str, str]] | None) -> Response:
    """A refusal on /embed as a page (HTML, never JSON) that says why; invalid answers get the
    questionnaire again instead (submit())."""
    return _page(current_app.extensions["cramp"].render.pages.error(status, detail), status)


def _answering_in_html() -> Any:
    state = g.cramp
    state.representation = HTML
    state.html_errors = _error_page
    return current_app.extensions["cramp"]


@blueprint.get("/embed")
def questionnaire() -> Response:
    runtime = _answering_in_html()
    return _page(runtime.render.pages.questionnaire())


@blueprint.post("/embed")
def submit() -> Response:
    runtime = _answering_in_html()
    if request.mimetype != FORM_TYPE and (request.content_length or request.mimetype):
        return refusal(415, "Unsupported Media Type", "Send the answers as a form (application/x-www-form-urlencoded).")
    form = request.form  # werkzeug reads it within MAX_CONTENT_LENGTH (413 beyond)
    decoded = runtime.render.form.decode(form)
    errors = decoded.errors
    try:
        facts = ASSESS_REQUEST.load(decoded.request)
    except ValidationError as err:
        errors = errors + validation_errors(err.messages)
    if errors:
        note_invalid(errors)  # counted in the metrics and the log line by field, as for JSON
        shown = sorted(errors, key=_pointer)[:MAX_ERRORS]
        return _page(runtime.render.pages.questionnaire(form, shown, decoded.rows), 422)
    answer = answer_for(runtime, facts)
    return _page(runtime.render.pages.result(answer, facts))


def _pointer(error: dict[str, str]) -> str:
    return error["pointer"]


@blueprint.get("/embed/cramp-advice.css")
def stylesheet() -> Response:
    sheet = current_app.extensions["cramp"].render.stylesheet
    response = Response(sheet.body, content_type="text/css; charset=utf-8")
    response.headers["Cache-Control"] = STYLESHEET_CACHE
    response.set_etag(sheet.etag)
    return response.make_conditional(request)
