"""gunicorn's own parse-error answers are problem+json, and the replacement still reaches gunicorn.

service/http/gunicorn_errors.py replaces `gunicorn.util.write_error`, because gunicorn has no public
hook for the page it writes when it cannot parse a request. If one of these tests fails after a
gunicorn upgrade, gunicorn changed what the replacement relies on: look for a setting or hook for
error pages in the new version before adapting the replacement.
"""
from __future__ import annotations

import inspect
import json
import re
import runpy
import socket
from pathlib import Path
from typing import Any

import gunicorn.util
import pytest
from gunicorn.http.errors import InvalidHeader, InvalidRequestLine, LimitRequestLine
from gunicorn.workers import base, gthread, sync

from service.http import gunicorn_errors

ROOT = Path(__file__).resolve().parents[2]


class QuietLog:
    """What Worker.handle_error logs through; nothing is kept."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def answer_to(error: BaseException) -> tuple[str, dict[str, str], dict[str, Any]]:
    """Run gunicorn's own Worker.handle_error for `error` on a socket; the status line, headers, JSON."""
    worker = base.Worker.__new__(base.Worker)  # handle_error reads only .log when there is no request
    worker.log = QuietLog()
    ours, theirs = socket.socketpair()
    with ours, theirs:
        base.Worker.handle_error(worker, None, ours, ("127.0.0.1", 40000), error)
        ours.shutdown(socket.SHUT_WR)
        raw = b"".join(iter(lambda: theirs.recv(65536), b""))
    head, _, body = raw.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    assert int(headers["Content-Length"]) == len(body)
    return status, headers, json.loads(body)


@pytest.fixture
def replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gunicorn.util, "write_error", gunicorn.util.write_error)  # restored after the test
    gunicorn_errors.replace_write_error()


# --- what the replacement relies on in gunicorn ---------------------------------------------------

def test_gunicorn_util_write_error_still_has_the_replaced_signature() -> None:
    original = inspect.signature(gunicorn.util.write_error)
    assert list(original.parameters) == ["sock", "status_int", "reason", "mesg"]
    assert inspect.signature(gunicorn_errors.write_problem).parameters.keys() == original.parameters.keys()
    assert callable(gunicorn.util.write_nonblock)


def test_workers_answer_parse_errors_through_util_write_error() -> None:
    """handle_error looks the function up on gunicorn.util at call time, so replacing it there works."""
    assert base.util is gunicorn.util
    source = inspect.getsource(base.Worker.handle_error)
    assert re.search(r"\butil\.write_error\(client, status_int, reason, mesg\)", source), source
    for worker_class in (sync.SyncWorker, gthread.ThreadWorker):
        assert worker_class.handle_error is base.Worker.handle_error, worker_class  # not overridden
        handle = inspect.getsource(worker_class.handle)
        assert "self.handle_error(" in handle and "write_error" not in handle, worker_class


def test_gunicorn_conf_installs_the_replacement(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(gunicorn.util, "write_error", gunicorn.util.write_error)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setenv("CRAMP_DRAIN_FILE", str(tmp_path / "drain"))
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert gunicorn.util.write_error is gunicorn_errors.write_problem


# --- what a client sees ----------------------------------------------------------------------------

@pytest.mark.usefixtures("replaced")
@pytest.mark.parametrize("error,status", [
    (InvalidRequestLine("GET /\x00 HTTP/1.1"), "400 Bad Request"),
    (InvalidHeader("X-Secret: quoted value"), "400 Bad Request"),
    (LimitRequestLine(9000, 4094), "414 URI Too Long"),
])
def test_a_parse_error_is_a_problem_that_echoes_nothing(error: BaseException, status: str) -> None:
    line, headers, problem = answer_to(error)
    assert line == f"HTTP/1.1 {status}"
    assert headers["Content-Type"] == "application/problem+json" and headers["Connection"] == "close"
    assert headers["Cache-Control"] == "no-store" and headers["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(r"[0-9a-f]{32}", problem["request_id"]) and headers["X-Request-ID"] == problem["request_id"]
    assert problem == {"type": "about:blank", "title": status.split(" ", 1)[1], "status": int(status[:3]),
                       "detail": gunicorn_errors.DETAIL, "request_id": problem["request_id"]}
    assert "quoted" not in json.dumps(problem) and "\\u0000" not in json.dumps(problem)


@pytest.mark.usefixtures("replaced")
def test_a_failure_inside_gunicorn_is_a_500_with_emergency_advice() -> None:
    line, headers, problem = answer_to(RuntimeError("boom"))
    assert line == "HTTP/1.1 500 Internal Server Error"
    assert headers["Content-Type"] == "application/problem+json"
    assert problem["type"] == "urn:cramp-advice:problem:internal" and problem["status"] == 500
    assert problem["detail"] == "The service failed to answer." and problem["emergency_advice"].strip()
    assert "boom" not in json.dumps(problem)
