"""Log lines leave a worker as they are written, even where PYTHONUNBUFFERED is not set."""
from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from server import GunicornServer

pytestmark = pytest.mark.e2e


def request_lines(log: str) -> list[dict[str, object]]:
    lines = [line for line in log.splitlines() if line.startswith("{")]
    return [entry for entry in map(json.loads, lines) if entry.get("event") == "request"]


def test_request_lines_are_written_at_once_and_survive_a_killed_worker(tmp_path: Path) -> None:
    # An empty PYTHONUNBUFFERED counts as unset: stdout into the log file is then block-buffered.
    with GunicornServer(tmp_path, workers=1, env={"PYTHONUNBUFFERED": ""}) as server:
        server.wait_ready()
        before = len(request_lines(server.log()))
        call = urllib.request.Request(server.url + "/assess", data=b"{}", method="POST",
                                      headers={"Content-Type": "application/json", "X-Request-ID": "log-e2e-1"})
        with urllib.request.urlopen(call, timeout=10) as response:
            assert response.status == 200
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(request_lines(server.log())) == before:
            time.sleep(0.05)
        for pid in server.worker_pids():  # the line must already be out: a SIGKILL flushes nothing
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        lines = request_lines(server.log())
        assert any(line.get("request_id") == "log-e2e-1" and line.get("status") == 200 for line in lines), lines
