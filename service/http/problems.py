"""Every error leaves as RFC 9457 problem+json through `problem()`, never a stack trace; on the HTML
interface (/embed, and POST /assess asked for text/html) bad input and failures leave through `refusal()`
as the same refusal in HTML instead, never JSON there."""
from __future__ import annotations

import logging
from typing import Any, Callable, Iterable, Mapping

import orjson
from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"
VALIDATION = "urn:cramp-advice:problem:validation"
MALFORMED_JSON = "urn:cramp-advice:problem:malformed-json"
INTERNAL = "urn:cramp-advice:problem:internal"
NOT_READY = "urn:cramp-advice:problem:not-ready"
# Fixed text, independent of the knowledge base, so that even a failed start-up can say it.
EMERGENCY_ADVICE = (
    "We could not assess your answers. If you have chest pain, breathlessness, coughing up blood, "
    "a cold, pale or blue leg, confusion, a very high temperature, dark brown or red urine, or a painful, "
    "swollen, red or hot leg, call your local emergency number now (999 in the UK, 911 in the US) "
    "or go to an emergency department. Otherwise contact a doctor or NHS 111."
)
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")
# Statuses the HTML interface answers in HTML: bad input and failures. Method, path, content negotiation
# and API-key errors stay problem+json (they are about the call, not the answers; openapi.yaml says so).
HTML_REFUSALS = frozenset({400, 413, 415, 422, 500, 503})
# (status, title, detail, errors) -> the refusal as an HTML response; set per request on g.cramp.html_errors.
HtmlRefusal = Callable[[int, str, str, list[dict[str, str]] | None], Response]


def problem(
    status: int,
    title: str,
    detail: str,
    type_: str = "about:blank",
    errors: Iterable[Mapping[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    state = g.get("cramp")
    request_id = state.request_id if state is not None else None
    if request_id:
        body["request_id"] = request_id
    if errors is not None:
        body["errors"] = list(errors)
    if status >= 500:
        body["emergency_advice"] = _emergency_advice()
    response = Response(orjson.dumps(body), status=status, content_type=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def refusal(
    status: int,
    title: str,
    detail: str,
    type_: str = "about:blank",
    errors: Iterable[Mapping[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """`problem()`, or, when the view answers in HTML (g.cramp.html_errors), the same refusal as HTML."""
    state = g.get("cramp")
    html = state.html_errors if state is not None else None
    if html is not None and status in HTML_REFUSALS:
        try:
            response = html(status, title, detail, [dict(e) for e in errors] if errors is not None else None)
        except Exception as error:  # noqa: BLE001 - a failing error page must still leave a refusal
            logging.getLogger("cramp").error("html_refusal_failed", extra={"error_type": type(error).__name__})
        else:
            for name, value in (headers or {}).items():
                response.headers[name] = value
            return response
    return problem(status, title, detail, type_, errors, headers)


def _emergency_advice() -> str:
    """The emergency advice in the caller's language (Accept-Language) for the default region; on a failure
    path, so anything amiss falls back to the default edition's, then to the words in this module."""
    runtime = current_app.extensions.get("cramp") if current_app else None
    kb = getattr(runtime, "kb", None)
    try:
        localised = runtime.localised  # type: ignore[union-attr]
        language = localised.languages.choose(request.headers.get("Accept-Language"))
        return localised.answerer(language, runtime.settings.default_region).edition.kb.emergency_fallback  # type: ignore
    except Exception:  # noqa: BLE001 - the advice must leave whatever else has failed
        return kb.emergency_fallback if kb is not None else EMERGENCY_ADVICE


def _http_error(error: HTTPException) -> Response:
    if (error.code or 500) >= 500:
        # Flask wraps an exception raised outside the view (an after-request hook, say) in a plain
        # InternalServerError; it is the same failure as one in a view and leaves the same way.
        original = getattr(error, "original_exception", None) or error
        return _unhandled(original if isinstance(original, Exception) else error)
    kept = {k: v for k, v in (error.get_headers() or []) if k in _KEPT_HEADERS}
    status = error.code or 500
    if status == 405 and "Allow" in kept:  # the security layer answers OPTIONS on every path
        kept["Allow"] = ", ".join(sorted({m.strip() for m in kept["Allow"].split(",")} | {"OPTIONS"}))
    detail = _DETAILS.get(status, error.description or error.name)
    return refusal(status, error.name, detail, headers=kept)


def _unhandled(error: Exception) -> Response:
    # Only the exception's type is logged: messages and tracebacks can carry request values.
    logging.getLogger("cramp").error("unhandled_exception", extra={"error_type": type(error).__name__})
    return refusal(500, "Internal Server Error", "The service failed to answer. Nothing you sent was stored.",
                   INTERNAL)


_DETAILS = {
    400: "The request could not be read.",
    404: "There is nothing at this path. See /openapi.yaml for the endpoints.",
    405: "This method is not allowed here; the Allow header lists the methods that are.",
    406: "This endpoint cannot answer in any of the types the Accept header allows.",
    413: "The request body is larger than this service accepts.",
    415: "Send the request body as application/json.",
    429: "Too many requests; wait and try again.",
}


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unhandled)
