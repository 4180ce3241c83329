"""Per-request wrapping: a sane request id in and out, timing, and the one log line per request."""
from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from flask import Request, Response

from schemas import metric_pointer
from service.observability.logs import configure, write_request_line

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_and_method(req: Request) -> tuple[str, str]:
    """Bounded names for logs and metric labels: the URL-rule template (or "unmatched") and the
    method (or "OTHER"), never the caller's raw path or method text."""
    rule = req.url_rule
    return (rule.rule if rule is not None else "unmatched"), (req.method if req.method in KNOWN_METHODS else "OTHER")
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # whole value (fullmatch: "$" allows a final newline)
# Where the request id waits for the WSGI layer to echo it as X-Request-ID (service/http/headers.py).
REQUEST_ID_ENVIRON = "cramp.request_id"


def new_request_id() -> str:
    """32 random hex digits (a version 4 UUID)."""
    return uuid.uuid4().hex


@dataclass(slots=True)
class RequestState:
    """What the hooks and the view note about one request. One object on flask.g (`g.cramp`), so each
    hook reads `g` once instead of once per value: every context-proxy look-up has a cost."""

    started: float | None = None
    request_id: str = ""
    metrics_started: float | None = None  # set once the in-flight gauge counts this request
    client: str | None = None
    validation_pointers: list[str] | None = None
    assessment: dict[str, Any] | None = None
    representation: str | None = None  # "json" or "html": how the view answers (logged as "format")
    # Set by views that answer in HTML: renders a refusal as HTML (service/http/problems.py, refusal()).
    html_errors: Callable[..., Any] | None = None


class RequestLog:
    """A sane request id in and out, timing, and the one log line per request."""

    def __init__(self, log_level: str) -> None:
        self.logger = configure(log_level)

    def before(self, req: Request, state: RequestState) -> None:
        state.started = time.perf_counter()
        offered = req.environ.get("HTTP_X_REQUEST_ID")
        state.request_id = req.environ[REQUEST_ID_ENVIRON] = (
            offered if offered and _SANE_REQUEST_ID.fullmatch(offered) else new_request_id()
        )

    def after(self, req: Request, state: RequestState, response: Response, labels: tuple[str, str]) -> None:
        """`labels`: route_and_method(req), computed once for this line and the metrics."""
        request_id = state.request_id
        if not request_id:  # a hook before this one answered early
            request_id = state.request_id = req.environ[REQUEST_ID_ENVIRON] = new_request_id()
        started = state.started
        assessment = state.assessment
        route, method = labels
        write_request_line(
            self.logger,
            {
                "request_id": request_id,
                "method": method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3) if started else None,
                "disposition": assessment["disposition"]["level"] if assessment else None,
                # Schema pointers only: an unknown key is caller text and could hold health data.
                "invalid_fields": sorted({metric_pointer(p) or "(root)" for p in state.validation_pointers or ()})
                or None,
                "client": state.client,
                "format": state.representation,
            },
        )
