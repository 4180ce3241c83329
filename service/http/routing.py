"""URL binding that remembers: werkzeug builds and matches a fresh URL adapter for every request.

`Map.bind_to_environ` parses the Host header, IDNA-encodes the server name and decodes the path on
every request: about a tenth of a bare Flask request on this machine, and matching the path costs
another ~4 us. Callers hit one host and a handful of paths, so the adapter for a given set of inputs
is built once, and remembers what its path matched. Sharing is safe: Flask and werkzeug only read an
adapter after building it (match, build); matched view arguments are handed out as fresh dicts.
"""
from __future__ import annotations

from typing import Any

from werkzeug.routing import Map, MapAdapter

from service.memo import Memo

# Every environ value bind_to_environ reads; equal values give an equal adapter.
_BOUND_FROM = (
    "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme", "HTTP_CONNECTION", "HTTP_UPGRADE",
    "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "REQUEST_METHOD",
)


class RememberingAdapter(MapAdapter):
    """A MapAdapter that remembers its own match (the call Flask makes: no arguments but return_rule)."""

    _matched: dict[bool, tuple[Any, dict[str, Any]]]

    @classmethod
    def of(cls, adapter: MapAdapter) -> RememberingAdapter:
        remembering = cls.__new__(cls)
        remembering.__dict__.update(vars(adapter))
        remembering._matched = {}
        return remembering

    def match(self, path_info: str | None = None, method: str | None = None, return_rule: bool = False,
              query_args: Any = None, websocket: bool | None = None) -> tuple[Any, Any]:
        if path_info is not None or method is not None or query_args is not None or websocket is not None:
            return super().match(path_info, method, return_rule, query_args, websocket)
        found = self._matched.get(return_rule)
        if found is None:  # NotFound, MethodNotAllowed and redirects are raised, never remembered
            target, arguments = super().match(return_rule=return_rule)
            found = self._matched[return_rule] = (target, dict(arguments))
        return found[0], dict(found[1])


class RememberingMap(Map):
    """A werkzeug Map whose environ bindings are remembered (bounded: paths come from callers)."""

    max_remembered = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._bound: Memo[tuple[Any, ...], MapAdapter] = Memo(self.max_remembered)

    def bind_to_environ(self, environ: Any, server_name: str | None = None,
                        subdomain: str | None = None) -> MapAdapter:
        env = getattr(environ, "environ", environ)  # werkzeug accepts a request too
        key = (server_name, subdomain, *[env.get(name) for name in _BOUND_FROM])
        adapter = self._bound.get(key)
        if adapter is None:
            adapter = self._bound.remember(key, RememberingAdapter.of(
                super().bind_to_environ(env, server_name=server_name, subdomain=subdomain)))
        return adapter
