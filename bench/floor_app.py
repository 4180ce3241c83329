"""The floor: the cheapest WSGI app gunicorn can serve, so the service's cost can be read against it.

It reads the request body (as the service must) and answers a fixed JSON document of about
FLOOR_BODY_BYTES bytes (default 3072), encoded once at import. Served with the service's own config:

    gunicorn -c gunicorn.conf.py bench.floor_app:app
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable

_SIZE = int(os.environ.get("FLOOR_BODY_BYTES", "3072"))


def _document(size: int) -> bytes:
    """A JSON object padded to `size` bytes, shaped loosely like an assessment (strings in a list)."""
    items: list[str] = []
    body = b""
    while True:
        candidate = json.dumps({"api_version": "1", "items": items}, separators=(",", ":")).encode()
        if len(candidate) >= size:
            return body or candidate
        body = candidate
        items.append(f"Fixed advice line {len(items):03d} for the floor benchmark.")


BODY = _document(_SIZE)
HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Length", str(len(BODY))),
    ("Cache-Control", "no-store"),
]


def app(environ: dict, start_response: Callable) -> Iterable[bytes]:  # type: ignore[type-arg]
    """Drain the request body, then answer the same bytes every time."""
    stream = environ.get("wsgi.input")
    if stream is not None:
        stream.read()
    start_response("200 OK", HEADERS)
    return [BODY]
