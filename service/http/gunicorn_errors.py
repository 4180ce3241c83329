"""gunicorn's own error answers as problem+json: the one place the service replaces a library function.

gunicorn answers a request it cannot parse (request line, headers, framing) itself, before the app
sees it, with an HTML page written by `gunicorn.util.write_error`. The contract says every error is
application/problem+json, and gunicorn has no setting or hook for that page (benoitc/gunicorn#993),
so gunicorn.conf.py calls `replace_write_error()`. tests/http/test_gunicorn_errors.py fails when
gunicorn changes what this relies on: that function's name and parameters, and its workers calling it.
"""
from __future__ import annotations

import socket

import gunicorn.util
import orjson

from service.http.problems import EMERGENCY_ADVICE, INTERNAL
from service.observability.requests import new_request_id

DETAIL = "The request could not be read as HTTP/1.1: its request line, headers or framing are invalid."


def write_problem(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn.util.write_error's replacement. `mesg` is not echoed: it can quote header values."""
    request_id = new_request_id()
    problem: dict[str, object] = {"type": "about:blank", "title": reason, "status": status_int, "detail": DETAIL,
                                  "request_id": request_id}
    if status_int >= 500:
        problem.update(type=INTERNAL, detail="The service failed to answer.", emergency_advice=EMERGENCY_ADVICE)
    body = orjson.dumps(problem)
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
            f"Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nX-Request-ID: {request_id}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    gunicorn.util.write_nonblock(sock, head.encode("latin-1") + body)


def replace_write_error() -> None:
    gunicorn.util.write_error = write_problem
