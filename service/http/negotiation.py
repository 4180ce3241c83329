"""Content negotiation: the API speaks JSON only, so an Accept that rules JSON out gets 406."""
from __future__ import annotations

from flask import Request, Response

from service.http.problems import problem

_JSON_TYPES = ("application/json", "application/problem+json")
# Accept values seen on nearly every call, answered without parsing (werkzeug's parse cost ~10 us).
_PLAINLY_JSON = frozenset({"application/json", "*/*", "application/problem+json", "application/*"})


def require_json_accept(request: Request) -> Response | None:
    accept = request.environ.get("HTTP_ACCEPT")
    if not accept or accept in _PLAINLY_JSON:
        return None
    if request.accept_mimetypes.best_match(_JSON_TYPES) is not None:
        return None
    return problem(406, "Not Acceptable", "This service answers only application/json.")
