"""Flask, minus the per-request work a stateless JSON API never needs, through Flask's own extension points.

Each item here was a measured share of every request: building and matching the URL adapter
(routing.py), asking `inspect` whether each hook and view is a coroutine, and opening a cookie
session that is always empty because the service keeps no sessions.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import NullSession, SessionInterface

from service.http.routing import RememberingMap
from service.memo import Memo


class NoSessions(SessionInterface):
    """The service is stateless: every request gets the same empty, read-only session.

    A NullSession refuses every write, so sharing one is safe; Flask never saves a null session
    (no Set-Cookie, no Vary: Cookie)."""

    _empty = NullSession()

    def open_session(self, app: Flask, request: Request) -> NullSession:
        return self._empty

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        return None


class ServiceFlask(Flask):
    url_map_class = RememberingMap
    session_interface = NoSessions()
    max_known_callables = 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known_callables: Memo[Callable[..., Any], Callable[..., Any]] = Memo(self.max_known_callables)

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask asks for every hook and view on every request (~0.6 us each); the answer never changes."""
        known = self._known_callables.get(func)
        if known is None:
            known = self._known_callables.remember(func, super().ensure_sync(func))
        return known
