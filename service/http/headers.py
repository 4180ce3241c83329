"""Headers added to the raw WSGI header list on the way out, for every response the app makes.

Setting them in an after-request hook through werkzeug's Headers object cost about 4 us per header
per request (each set or setdefault scans and rebuilds the list); here they cost one pass over a
short list of tuples. The security headers are defaults (a view may set its own, as /docs sets its
CSP); per-request values (the request id) are read from the WSGI environ, where a hook put them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class ResponseHeaders:
    """WSGI middleware: `defaults` unless the response has them; `from_environ` (header, environ key)."""

    def __init__(
        self, app: WSGIApp, defaults: Sequence[tuple[str, str]], from_environ: Sequence[tuple[str, str]] = ()
    ) -> None:
        self.app = app
        self.defaults = tuple((name.lower(), (name, value)) for name, value in defaults)
        self.from_environ = tuple(from_environ)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            names = {name.lower() for name, _ in headers}
            for lowered, header in self.defaults:
                if lowered not in names:
                    headers.append(header)
            for name, key in self.from_environ:
                value = environ.get(key)
                if value:
                    headers.append((name, value))
            return start_response(status, headers, exc_info)

        return self.app(environ, start)
