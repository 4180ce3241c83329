"""Saturating load, SIGTERM drain, a killed worker and a SIGHUP reload against a real gunicorn.

Load comes from a second process, bench/load.py (16 client threads POSTing the /assess body mix of
bench/bodies.py, header X-Test-Traffic: 1), which records every request with CLOCK_MONOTONIC start
and end times; this process sends the signals and reads the same clock, so the two line up.
Every test starts and stops its own gunicorn (2 workers) on a loopback port, bounded in time.
The worker class is pinned (sync, as deployed; gthread where the lead is weighing it), and
SO_REUSEPORT stays off: with it gunicorn gives each worker its own listening socket, and a worker
that exits on SIGHUP resets the connections still queued on it (see bench/README.md).
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from server import ROOT, GunicornServer

pytestmark = pytest.mark.e2e

WORKERS = 2
CONNECTIONS = 16
CLK_TCK = os.sysconf("SC_CLK_TCK")
SYNC = {"GUNICORN_WORKER_CLASS": "sync", "GUNICORN_THREADS": "1", "GUNICORN_REUSE_PORT": ""}
GTHREAD = {"GUNICORN_WORKER_CLASS": "gthread", "GUNICORN_THREADS": "4", "GUNICORN_REUSE_PORT": ""}
# How many connections one worker can hold when it dies: a sync worker serves one at a time; a
# gthread worker accepts eagerly (up to worker_connections), so any of the driver's connections.
HELD_BY_ONE_WORKER = {"sync": 1, "gthread": CONNECTIONS}
Row = list[Any]  # [start, end, status, error]; status 0 when the request failed at the socket


class Driver:
    """bench/load.py in its own process, with the whole run read back from its JSON file."""

    def __init__(self, server: GunicornServer, tmp_path: Path, seconds: float, *extra: str) -> None:
        self.out = tmp_path / "load.json"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.load", "--url", server.url, "--seconds", str(seconds),
             "--connections", str(CONNECTIONS), "--json", str(self.out), *extra],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        if not first.startswith("started "):
            self.stop()
            raise AssertionError(f"bench/load.py did not start: {first}")
        self.started = float(first.split()[1])

    def result(self, timeout: float = 30) -> dict[str, Any]:
        _, stderr = self.process.communicate(timeout=timeout)
        assert self.process.returncode == 0, stderr
        result = json.loads(self.out.read_text())
        print(f"\n  load: {json.dumps(result['summary'])}")
        return result

    def stop(self) -> None:
        """Kill the driver if a failed assertion left it running, and close its pipes."""
        if self.process.poll() is None:
            self.process.kill()
        if self.process.stdout is not None and not self.process.stdout.closed:
            self.process.communicate(timeout=10)


@pytest.fixture
def load(tmp_path: Path) -> Iterator[Callable[..., Driver]]:
    """Start bench/load.py against a server; whatever happens, no driver outlives the test."""
    started: list[Driver] = []

    def start(server: GunicornServer, seconds: float, *extra: str) -> Driver:
        started.append(Driver(server, tmp_path, seconds, *extra))
        return started[-1]

    yield start
    for driver in started:
        driver.stop()


def started_server(tmp_path: Path, classes: dict[str, str] = SYNC, **env: str) -> GunicornServer:
    return GunicornServer(tmp_path, workers=WORKERS, env={**classes, **env})


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll until condition() holds; returns the monotonic time it was first seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def full_workers(server: GunicornServer) -> list[int]:
    wait_for(lambda: len(server.worker_pids()) == WORKERS, 10, f"{WORKERS} workers")
    return server.worker_pids()


def server_cpu_seconds(server: GunicornServer) -> float:
    total = 0.0
    for pid in [server.master_pid, *server.worker_pids()]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def failures(rows: list[Row]) -> list[Row]:
    return [r for r in rows if r[2] != 200]


def test_saturating_load_has_no_errors(tmp_path: Path, load: Callable[..., Driver]) -> None:
    with started_server(tmp_path) as server:
        full_workers(server)
        cpu_before = server_cpu_seconds(server)
        driver = load(server, 5)
        result = driver.result()
        busy = (server_cpu_seconds(server) - cpu_before) / result["summary"]["seconds"]
        print(f"  server CPU while loaded: {busy:.2f} cores of {os.cpu_count()}")
        log = server.log()
    rows = result["requests"]
    assert rows and result["summary"]["ok"] > 100, result["summary"]
    assert failures(rows) == [], result["summary"]
    assert "Traceback" not in log and "[ERROR]" not in log, log[-3000:]


def test_sigterm_fails_readyz_first_and_drops_nothing(tmp_path: Path, load: Callable[..., Driver]) -> None:
    drain = 3.0   # CRAMP_DRAIN_SECONDS: /readyz fails this long while requests are still served
    grace = 0.5   # how long the modelled load balancer keeps sending after it sees /readyz fail
    with started_server(tmp_path, CRAMP_DRAIN_SECONDS=str(int(drain))) as server:
        full_workers(server)
        driver = load(server, 20, "--gate-readyz", "--grace", str(grace))
        time.sleep(1.5)
        sigterm_at = time.monotonic()
        server.signal(signal.SIGTERM)
        result = driver.result(timeout=20)
        assert server.process is not None
        returncode = server.process.wait(timeout=drain + 15)
        exited_at = time.monotonic()
        log = server.log()
    rows, polls, flipped_at = result["requests"], result["readyz_polls"], result["readyz_flipped_at"]

    assert returncode == 0, log[-3000:]
    assert flipped_at is not None, "the driver never saw /readyz fail"
    # A poll answered before SIGTERM was sent must have been 200; the last ones must be 503.
    early = [p for p in polls if p[1] < sigterm_at and p[2] != 200]
    assert early == [], f"/readyz failed before SIGTERM: {early}"
    assert polls[-1][2] == 503, polls[-5:]
    poll_ms = max((p[1] - p[0]) * 1000 for p in polls if p[1] < sigterm_at)
    in_flight = [r for r in rows if r[0] < sigterm_at < r[1]]
    after_flip = [r for r in rows if r[0] > flipped_at]
    print(f"  /readyz failed {flipped_at - sigterm_at:.3f}s after SIGTERM; {len(in_flight)} requests in flight at"
          f" SIGTERM, {len(after_flip)} sent after the flip was seen; master exited"
          f" {exited_at - sigterm_at:.2f}s after SIGTERM; slowest /readyz under load {poll_ms:.0f} ms")
    # Readiness flips promptly, and while the workers still take new requests (the drain window).
    assert flipped_at - sigterm_at < drain - grace - 1
    assert after_flip and all(r[2] == 200 for r in after_flip)
    # Nothing sent before the load balancer stopped sending failed: no reset, no refusal, no 5xx.
    assert failures(rows) == [], failures(rows)[:5]
    assert in_flight, "SIGTERM did not land mid-load"
    # gunicorn's graceful stop began only after the drain window; then the port is closed.
    assert exited_at - sigterm_at >= drain - 0.1
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", server.port), timeout=1):
        pass
    assert "Traceback" not in log, log[-3000:]


@pytest.mark.parametrize("classes", [SYNC, GTHREAD], ids=["sync", "gthread"])
def test_sigkill_of_a_worker_loses_at_most_its_own_requests(tmp_path: Path, load: Callable[..., Driver],
                                                             classes: dict[str, str]) -> None:
    with started_server(tmp_path, classes) as server:
        before = full_workers(server)
        driver = load(server, 5)
        time.sleep(1.5)
        victim = before[0]
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        replaced_at = wait_for(lambda: len(set(server.worker_pids()) - set(before)) == 1
                               and len(server.worker_pids()) == WORKERS, 10, "a replacement worker")
        result = driver.result()
        after = server.worker_pids()
    rows = result["requests"]
    failed = failures(rows)
    print(f"  killed {victim}; replacement seen {replaced_at - killed_at:.3f}s later; workers {before} -> {after};"
          f" failed: {[(r[3] or r[2]) for r in failed]}")
    assert victim not in after
    # Only requests on the killed worker's connections may fail, so at most as many as it can hold,
    # and only at the kill (the 0.25 s slack covers a thread that reused a connection just killed).
    assert len(failed) <= HELD_BY_ONE_WORKER[classes["GUNICORN_WORKER_CLASS"]], failed
    assert all(r[0] <= killed_at + 0.25 and killed_at <= r[1] <= killed_at + 1 for r in failed), (killed_at, failed)
    assert len([r for r in rows if r[0] > replaced_at and r[2] == 200]) > 10, "service stopped answering"


@pytest.mark.parametrize("classes", [SYNC, GTHREAD], ids=["sync", "gthread"])
def test_sighup_replaces_workers_without_failing_a_request(tmp_path: Path, load: Callable[..., Driver],
                                                           classes: dict[str, str]) -> None:
    with started_server(tmp_path, classes) as server:
        before = full_workers(server)
        driver = load(server, 5)
        time.sleep(1.5)
        hup_at = time.monotonic()
        server.signal(signal.SIGHUP)
        replaced_at = wait_for(lambda: not set(server.worker_pids()) & set(before)
                               and len(server.worker_pids()) == WORKERS, 15, "all workers replaced")
        result = driver.result()
        after = server.worker_pids()
    rows = result["requests"]
    print(f"  SIGHUP; workers {before} -> {after} in {replaced_at - hup_at:.3f}s")
    assert failures(rows) == [], failures(rows)[:5]
    assert len([r for r in rows if r[0] > replaced_at and r[2] == 200]) > 10, "service stopped answering"
