"""The Flask subclass keeps Flask's behaviour: no sessions written, hooks and views run as before."""
from __future__ import annotations

import pytest
from flask import session
from flask.testing import FlaskClient

from service.http.flaskapp import NoSessions, ServiceFlask


def test_the_service_never_sets_a_session_cookie(client: FlaskClient) -> None:
    for response in (client.post("/assess", json={}), client.get("/readyz"), client.get("/nowhere")):
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")


def test_the_shared_session_refuses_writes_so_requests_cannot_leak_into_each_other() -> None:
    app = ServiceFlask(__name__)
    app.secret_key = "a key would normally turn cookie sessions on"
    with app.test_request_context("/"):
        assert session.get("anything") is None
        with pytest.raises(RuntimeError):
            session["user"] = "somebody"
        assert session is not None and isinstance(app.session_interface, NoSessions)
    with app.test_request_context("/"):
        assert dict(session) == {}


def test_ensure_sync_answers_as_flask_does_and_remembers_boundedly() -> None:
    app = ServiceFlask(__name__)

    def view() -> str:
        return "ok"

    assert app.ensure_sync(view) is view and app.ensure_sync(view) is view
    functions = [lambda n=n: n for n in range(2 * ServiceFlask.max_known_callables)]
    for function in functions:
        assert app.ensure_sync(function) is function
    assert len(app._known_callables) <= ServiceFlask.max_known_callables
