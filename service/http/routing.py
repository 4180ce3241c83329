"""URL binding that remembers: werkzeug builds a fresh URL adapter for every request.

`Map.bind_to_environ` parses the Host header, IDNA-encodes the server name and decodes the path on
every request: about a tenth of a bare Flask request on this machine. Callers hit one host and a
handful of paths, so the adapter for a given set of inputs is built once and handed out again.
Sharing is safe: Flask and werkzeug only read an adapter after building it (match, build).
"""
from __future__ import annotations

from typing import Any

from werkzeug.routing import Map, MapAdapter

# Every environ value bind_to_environ reads; equal values give an equal adapter.
_BOUND_FROM = (
    "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme", "HTTP_CONNECTION", "HTTP_UPGRADE",
    "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "REQUEST_METHOD",
)


class RememberingMap(Map):
    """A werkzeug Map whose environ bindings are remembered (bounded: paths come from callers)."""

    max_remembered = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._bound: dict[tuple[Any, ...], MapAdapter] = {}

    def bind_to_environ(self, environ: Any, server_name: str | None = None,
                        subdomain: str | None = None) -> MapAdapter:
        env = getattr(environ, "environ", environ)  # werkzeug accepts a request too
        key = (server_name, subdomain, *[env.get(name) for name in _BOUND_FROM])
        adapter = self._bound.get(key)
        if adapter is None:
            adapter = super().bind_to_environ(env, server_name=server_name, subdomain=subdomain)
            if len(self._bound) >= self.max_remembered:
                self._bound.clear()
            self._bound[key] = adapter
        return adapter
