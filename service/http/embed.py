"""The questionnaire a portal can frame: GET /embed (the form), POST /embed (the answers, form-encoded, through
the same schema and engine as POST /assess), GET /embed/cramp-advice.css (the one stylesheet).

Stateless: earlier answers travel in hidden fields, nothing is stored and no cookie is set. The pages are in
the language of ?lang= (else Accept-Language) and name the numbers of ?region= (else the configured default);
a portal puts both in the frame's URL, and every form and link on the pages keeps them. The pages may be
framed only by the origins in CRAMP_EMBED_ORIGINS (and the service's own); their CSP allows this origin's
stylesheet and form posts and nothing else (no script, no inline style, no other origin).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from marshmallow import ValidationError

from schemas import ASSESS_REQUEST, validation_errors
from service.content import Edition
from service.http.assess import MAX_ERRORS, answer_for, answerer_for, note_invalid
from service.http.language import add_vary
from service.http.negotiation import HTML
from service.http.problems import refusal
from service.render import EditionRenderers

blueprint = Blueprint("embed", __name__)
HTML_TYPE = "text/html; charset=utf-8"
FORM_TYPE = "application/x-www-form-urlencoded"
# Never the value: a region code says where the person is.
BAD_REGION = ("The link to this page names a region this service does not know. The website that sent you here "
              "needs to correct it.")
# Versioned by the stylesheet's hash in the pages' link (?v=...), so a year's caching is safe.
STYLESHEET_CACHE = "public, max-age=31536000, immutable"


def embed_csp(origins: frozenset[str]) -> str:
    """The pages' Content-Security-Policy: this origin's stylesheet and form posts, framed by `origins`."""
    ancestors = " ".join(["'self'", *sorted(origins)])
    return (f"default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors {ancestors}; "
            "base-uri 'none'")


@dataclass(frozen=True, slots=True)
class Asked:
    """What a request to /embed chose: the language and region the pages use, and the query that keeps them."""

    language: str
    region: str | None  # from ?region=, else the configured default
    here: dict[str, str]  # the query every link and form of the page keeps (lang, region as given)
    bad_region: bool = False


def _asked(runtime: Any) -> Asked:
    """?lang= (a BCP 47 tag, matched like Accept-Language; else Accept-Language) and ?region= (a region
    code of the contract's `region`). A portal sets them in the frame's URL; the pages keep them."""
    languages = runtime.localised.languages
    here: dict[str, str] = {}
    language = None
    tag = request.args.get("lang")
    if tag:
        language = languages.match(tag)
        if language is not None:
            here["lang"] = language
    if language is None:
        language = languages.choose(request.headers.get("Accept-Language"))
    region = request.args.get("region")
    if region is None:
        return Asked(language, runtime.settings.default_region, here)
    if region not in runtime.localised.editions.regions.by_code:
        return Asked(language, runtime.settings.default_region, here, bad_region=True)
    here["region"] = region
    return Asked(language, region, here)


def _renderers(runtime: Any, asked: Asked, edition: Edition | None = None) -> EditionRenderers:
    edition = edition or runtime.localised.answerer(asked.language, asked.region).edition
    return runtime.render.edition(edition)  # type: ignore[no-any-return]


def _page(body: str, asked: Asked, status: int = 200) -> Response:
    runtime = current_app.extensions["cramp"]
    response = Response(body, status, content_type=HTML_TYPE)
    response.headers["Content-Security-Policy"] = runtime.embed_csp
    response.headers["Content-Language"] = asked.language
    add_vary(response, "Accept-Language")
    return response


def _error_page(asked: Asked, status: int, title: str, detail: str, errors: list[dict[str, str]] | None) -> Response:
    """A refusal on /embed as a page (HTML, never JSON) that says why, in the page's language; invalid
    answers get the questionnaire again instead (submit())."""
    pages = _renderers(current_app.extensions["cramp"], asked).pages
    return _page(pages.error(status, detail, asked.here), asked, status)


def _answering_in_html() -> tuple[Any, Asked]:
    runtime = current_app.extensions["cramp"]
    asked = _asked(runtime)
    state = g.cramp
    state.representation = HTML
    state.html_errors = partial(_error_page, asked)
    return runtime, asked


@blueprint.get("/embed")
def questionnaire() -> Response:
    runtime, asked = _answering_in_html()
    if asked.bad_region:
        return refusal(400, "Bad Request", BAD_REGION)
    return _page(_renderers(runtime, asked).pages.questionnaire(here=asked.here), asked)


@blueprint.post("/embed")
def submit() -> Response:
    runtime, asked = _answering_in_html()
    if asked.bad_region:
        return refusal(400, "Bad Request", BAD_REGION)
    if request.mimetype != FORM_TYPE and (request.content_length or request.mimetype):
        return refusal(415, "Unsupported Media Type", "Send the answers as a form (application/x-www-form-urlencoded).")
    form = request.form  # werkzeug reads it within MAX_CONTENT_LENGTH (413 beyond)
    renderers = _renderers(runtime, asked)
    decoded = renderers.form.decode(form)
    if "region" in asked.here and "region" not in decoded.request:
        decoded.request["region"] = asked.here["region"]  # the frame's region, unless the form says one
    errors = decoded.errors
    try:
        facts = ASSESS_REQUEST.load(decoded.request)
    except ValidationError as err:
        errors = errors + validation_errors(err.messages)
    if errors:
        note_invalid(errors)  # counted in the metrics and the log line by field, as for JSON
        shown = sorted(errors, key=_pointer)[:MAX_ERRORS]
        return _page(renderers.pages.questionnaire(form, shown, decoded.rows, asked.here), asked, 422)
    answerer = answerer_for(runtime, facts, asked.language)
    answer = answer_for(answerer, facts)
    return _page(_renderers(runtime, asked, answerer.edition).pages.result(answer, facts, asked.here), asked)


def _pointer(error: dict[str, str]) -> str:
    return error["pointer"]


@blueprint.get("/embed/cramp-advice.css")
def stylesheet() -> Response:
    sheet = current_app.extensions["cramp"].render.stylesheet
    response = Response(sheet.body, content_type="text/css; charset=utf-8")
    response.headers["Cache-Control"] = STYLESHEET_CACHE
    response.set_etag(sheet.etag)
    return response.make_conditional(request)
