"""Per-request wrapping: a sane request id in and out, timing, and the one log line per request."""
from __future__ import annotations

import re
import time
import uuid

from flask import Flask, Response, g, request

from schemas import metric_pointer
from service.observability.logs import configure, write_request_line

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def install(app: Flask, log_level: str) -> None:
    logger = configure(log_level)

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        offered = request.headers.get("X-Request-ID", "")
        g.request_id = offered if _SANE_REQUEST_ID.match(offered) else uuid.uuid4().hex

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id") or uuid.uuid4().hex
        started = g.get("started")
        duration_ms = round((time.perf_counter() - started) * 1000, 3) if started else None
        assessment = g.get("assessment")
        write_request_line(
            logger,
            {
                "request_id": g.get("request_id"),
                "method": request.method if request.method in KNOWN_METHODS else "OTHER",
                "route": _route(),
                "status": response.status_code,
                "duration_ms": duration_ms,
                "disposition": assessment["disposition"]["level"] if assessment else None,
                # Schema pointers only: an unknown key is caller text and could hold health data.
                "invalid_fields": sorted({metric_pointer(p) or "(root)" for p in g.get("validation_pointers") or ()})
                or None,
                "client": g.get("client"),
            },
        )
        return response
