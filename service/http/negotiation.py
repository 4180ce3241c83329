"""Content negotiation for POST /assess: JSON by default, the HTML fragment for `Accept: text/html`,
406 when the Accept header rules out both; and the fragment's `heading_level` query parameter."""
from __future__ import annotations

from flask import Request, Response

from service.http.problems import problem
from service.render import DEFAULT_HEADING_LEVEL, HEADING_LEVELS

JSON, HTML = "json", "html"
# Listed first, JSON wins a tie ("text/html, application/json" gets JSON): it stays the default.
_TYPES = ("application/json", "application/problem+json", "text/html")
# Accept values seen on nearly every call, answered without parsing (werkzeug's parse cost ~10 us).
_PLAINLY_JSON = frozenset({"application/json", "*/*", "application/problem+json", "application/*"})
_HEADING_VALUES = {str(level): level for level in HEADING_LEVELS}
NOT_ACCEPTABLE = "This endpoint answers application/json, or text/html when asked for it."
BAD_HEADING_LEVEL = "heading_level must be 2, 3 or 4."


def representation(request: Request) -> str | None:
    """JSON or HTML for this request, or None when the Accept header allows neither."""
    accept = request.environ.get("HTTP_ACCEPT")
    if not accept or accept in _PLAINLY_JSON:
        return JSON
    if accept == "text/html":  # what a portal's server sends for the fragment: no parsing either
        return HTML
    best = request.accept_mimetypes.best_match(_TYPES)
    if best is None:
        return None
    return HTML if best == "text/html" else JSON


def not_acceptable() -> Response:
    return problem(406, "Not Acceptable", NOT_ACCEPTABLE)


def heading_level(request: Request) -> int | None:
    """The fragment's top heading level (2 when not given), or None when the parameter is not 2, 3 or 4.

    Checked for JSON answers too: a parameter the service documents is never silently ignored."""
    if not request.environ.get("QUERY_STRING"):  # nearly every call: skip parsing an empty query
        return DEFAULT_HEADING_LEVEL
    values = request.args.getlist("heading_level")
    if not values:
        return DEFAULT_HEADING_LEVEL
    if len(values) > 1:
        return None
    return _HEADING_VALUES.get(values[0])
