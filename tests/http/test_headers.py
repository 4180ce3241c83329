"""The WSGI layer that adds security defaults and echoes per-request values on the raw header list."""
from __future__ import annotations

from typing import Any

from service.http.headers import ResponseHeaders


def call(headers: list[tuple[str, str]], environ: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    seen: list[list[tuple[str, str]]] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", list(headers))
        return [b""]

    wrapped = ResponseHeaders(app, [("X-Content-Type-Options", "nosniff"), ("Content-Security-Policy", "default")],
                              from_environ=[("X-Request-ID", "test.request_id")])
    wrapped(environ or {}, lambda status, hs, exc_info=None: seen.append(hs))
    return seen[0]


def test_defaults_are_added_when_missing() -> None:
    assert call([("Content-Type", "application/json")]) == [
        ("Content-Type", "application/json"), ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", "default"),
    ]


def test_a_header_the_view_set_is_kept_whatever_its_case() -> None:
    out = call([("content-security-policy", "the page's own")])
    assert [v for k, v in out if k.lower() == "content-security-policy"] == ["the page's own"]


def test_environ_values_are_echoed_and_blank_ones_are_not() -> None:
    assert ("X-Request-ID", "abc") in call([], {"test.request_id": "abc"})
    assert all(k != "X-Request-ID" for k, _ in call([], {"test.request_id": ""}))
    assert all(k != "X-Request-ID" for k, _ in call([]))
