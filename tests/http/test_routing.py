"""Remembered URL bindings give exactly what werkzeug's own binding gives, and stay bounded."""
from __future__ import annotations

from typing import Any

import pytest
from werkzeug.exceptions import BadHost, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from service.http.routing import RememberingMap

RULES = [Rule("/assess", endpoint="assess", methods=["POST"]), Rule("/readyz", endpoint="readyz")]


def environ(path: str = "/assess", host: str = "127.0.0.1:8000", method: str = "POST", **extra: str) -> dict[str, Any]:
    return {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": host, "wsgi.url_scheme": "http", **extra}


def both() -> tuple[Map, RememberingMap]:
    return Map([r.empty() for r in RULES]), RememberingMap([r.empty() for r in RULES])


@pytest.mark.parametrize("env", [
    environ(), environ("/readyz", method="GET"), environ("/nowhere"), environ(host="Portal.Example:8443"),
    environ(SCRIPT_NAME="/api"), environ(QUERY_STRING="a=1"), environ(**{"wsgi.url_scheme": "https"}),
])
def test_a_remembered_binding_matches_and_builds_like_werkzeugs(env: dict[str, Any]) -> None:
    plain, remembering = both()
    for _ in range(2):  # the second call is answered from memory
        expected, got = plain.bind_to_environ(env), remembering.bind_to_environ(env)
        assert (got.server_name, got.script_name, got.subdomain, got.url_scheme, got.path_info,
                got.default_method, got.query_args) == (
            expected.server_name, expected.script_name, expected.subdomain, expected.url_scheme,
            expected.path_info, expected.default_method, expected.query_args)
        assert got.build("readyz", force_external=True) == expected.build("readyz", force_external=True)
        try:
            outcome: Any = expected.match()
        except NotFound:
            with pytest.raises(NotFound):
                got.match()
        else:
            assert got.match() == outcome


def test_the_same_inputs_reuse_one_adapter_and_different_ones_do_not() -> None:
    _, remembering = both()
    first = remembering.bind_to_environ(environ())
    assert remembering.bind_to_environ(environ()) is first
    assert remembering.bind_to_environ(environ("/readyz", method="GET")).match() == ("readyz", {})
    assert remembering.bind_to_environ(environ(host="other:8000")) is not first
    assert remembering.bind_to_environ(environ(), subdomain="") is not first


def test_memory_is_bounded_when_callers_send_many_paths() -> None:
    _, remembering = both()
    for n in range(3 * RememberingMap.max_remembered):
        remembering.bind_to_environ(environ(f"/p{n}"))
    assert len(remembering._bound) <= RememberingMap.max_remembered


def test_a_bad_host_fails_as_in_werkzeug_and_is_not_remembered() -> None:
    plain, remembering = both()
    bad = environ(host="a" * 64 + ".example")  # a DNS label over 63 characters
    with pytest.raises(BadHost):
        plain.bind_to_environ(bad)
    with pytest.raises(BadHost):
        remembering.bind_to_environ(bad)
    assert not remembering._bound


def test_the_app_routes_through_the_remembering_map(client: Any) -> None:
    assert isinstance(client.application.url_map, RememberingMap)
    assert client.post("/assess", json={}).status_code == 200
    assert client.get("/readyz").status_code == 200
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_a_remembered_match_hands_out_fresh_view_arguments_and_never_remembers_errors() -> None:
    remembering = RememberingMap([Rule("/items/<int:n>", endpoint="item"), *[r.empty() for r in RULES]])
    adapter = remembering.bind_to_environ(environ("/items/7", method="GET"))
    rule, arguments = adapter.match(return_rule=True)
    assert rule.endpoint == "item" and arguments == {"n": 7}
    arguments["n"] = 8  # a caller edits its copy (Flask's url_value_preprocessor may pop from it)
    assert adapter.match(return_rule=True)[1] == {"n": 7}
    assert adapter.match() == ("item", {"n": 7})  # return_rule=False is remembered on its own
    assert adapter.match("/readyz") == ("readyz", {})  # explicit arguments bypass the memory
    for path, method, error in (("/nowhere", "GET", NotFound), ("/assess", "GET", MethodNotAllowed)):
        failing = remembering.bind_to_environ(environ(path, method=method))
        for _ in range(2):
            with pytest.raises(error):
                failing.match(return_rule=True)
        assert not failing._matched
