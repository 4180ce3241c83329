"""Closed-loop HTTP load driver shared by the e2e restart tests and bench/compare.py.

Each of N threads owns one http.client connection and POSTs the body mix of bench/bodies.py to
/assess back to back (keep-alive when the server allows it; sync gunicorn workers close after each
response, so those threads reconnect). Every request is recorded with CLOCK_MONOTONIC start and
end times, which are system-wide on Linux, so another process (the test sending signals) can line
them up with its own clock.

Optionally it models a load balancer: a poller GETs /readyz every --poll seconds and, once an answer
is not 200, the threads stop opening new requests --grace seconds later (endpoint removal is not
instant in Kubernetes either). Requests already sent are always allowed to finish.

    python -m bench.load --url http://127.0.0.1:8000 --seconds 5 --connections 16 [--json out.json]
"""
from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import sys
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bodies import mix  # noqa: E402 - after the sys.path line

HEADERS = {"Content-Type": "application/json", "Accept": "application/json", "X-Test-Traffic": "1"}


def encoded_bodies(region: str | None = None) -> list[bytes]:
    """The /assess body mix as compact JSON bytes, encoded once; with `region` in every body when given."""
    extra = {"region": region} if region else {}
    return [json.dumps({**body, **extra}, separators=(",", ":")).encode() for body in mix()]


def error_kind(err: BaseException) -> str:
    """A short, stable name for how a request failed (reset, refused, disconnected, timeout...)."""
    if isinstance(err, ConnectionResetError):
        return "reset"
    if isinstance(err, ConnectionRefusedError):
        return "refused"
    if isinstance(err, http.client.RemoteDisconnected):
        return "disconnected"
    if isinstance(err, (socket.timeout, TimeoutError)):
        return "timeout"
    if isinstance(err, BrokenPipeError):
        return "broken_pipe"
    return type(err).__name__


@dataclass
class Gate:
    """Load-balancer model: open until /readyz fails, then closed `grace` seconds later."""

    grace: float = 0.0
    flipped_at: float | None = None
    polls: list[tuple[float, float, int, str]] = field(default_factory=list)  # (start, end, status, error)

    def is_open(self) -> bool:
        return self.flipped_at is None or time.monotonic() < self.flipped_at + self.grace


def poll_readyz(host: str, port: int, gate: Gate, stop: threading.Event, every: float) -> None:
    while not stop.is_set():
        started = time.monotonic()
        status, error = 0, ""
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/readyz", headers={"X-Test-Traffic": "1"})
            response = conn.getresponse()
            response.read()
            status = response.status
            conn.close()
        except (OSError, http.client.HTTPException) as err:
            error = error_kind(err)
        ended = time.monotonic()
        gate.polls.append((started, ended, status, error))
        if status != 200 and gate.flipped_at is None:
            gate.flipped_at = ended
        stop.wait(every)


def load_thread(host: str, port: int, path: str, bodies: list[bytes], offset: int, stop: threading.Event,
                gate: Gate | None, timeout: float, out: list[tuple[float, float, int, str]]) -> None:
    """One client connection: send, read the whole answer, record, repeat."""
    conn: http.client.HTTPConnection | None = None
    i = offset
    while not stop.is_set() and (gate is None or gate.is_open()):
        body = bodies[i % len(bodies)]
        i += 1
        started = time.monotonic()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
            conn.request("POST", path, body=body, headers=HEADERS)
            response = conn.getresponse()
            response.read()
            out.append((started, time.monotonic(), response.status, ""))
            if response.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as err:
            out.append((started, time.monotonic(), 0, error_kind(err)))
            if conn is not None:
                conn.close()
            conn = None
    if conn is not None:
        conn.close()


@dataclass
class Run:
    """Everything one run saw; `requests` rows are (start, end, status, error), status 0 on error."""

    started: float
    ended: float
    connections: int
    requests: list[tuple[float, float, int, str]]
    readyz_flipped_at: float | None = None
    readyz_polls: list[tuple[float, float, int, str]] = field(default_factory=list)

    @property
    def ok(self) -> list[tuple[float, float, int, str]]:
        return [r for r in self.requests if r[2] == 200]

    @property
    def failed(self) -> list[tuple[float, float, int, str]]:
        return [r for r in self.requests if r[2] != 200]

    def summary(self) -> dict[str, Any]:
        latencies = sorted((r[1] - r[0]) * 1000 for r in self.ok)
        q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [float("nan")] * 99
        kinds: dict[str, int] = {}
        for r in self.failed:
            key = r[3] or f"http_{r[2]}"
            kinds[key] = kinds.get(key, 0) + 1
        elapsed = self.ended - self.started
        return {
            "connections": self.connections,
            "seconds": round(elapsed, 3),
            "requests": len(self.requests),
            "ok": len(latencies),
            "failed": kinds,
            "rps": round(len(latencies) / elapsed, 1) if elapsed > 0 else 0.0,
            "p50_ms": round(q[49], 3),
            "p90_ms": round(q[89], 3),
            "p99_ms": round(q[98], 3),
            "max_ms": round(latencies[-1], 3) if latencies else None,
        }


def run(url: str, seconds: float, connections: int, path: str = "/assess", gate_readyz: bool = False,
        grace: float = 0.0, poll: float = 0.05, timeout: float = 10.0, announce: bool = False) -> Run:
    """Drive load for `seconds` (or until the readyz gate closes) and return every request made."""
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    bodies = encoded_bodies()
    stop = threading.Event()
    gate = Gate(grace=grace) if gate_readyz else None
    per_thread: list[list[tuple[float, float, int, str]]] = [[] for _ in range(connections)]
    threads = [threading.Thread(target=load_thread, daemon=True,
                                args=(host, port, path, bodies, n * 7, stop, gate, timeout, per_thread[n]))
               for n in range(connections)]
    poller = None
    if gate is not None:
        poller = threading.Thread(target=poll_readyz, args=(host, port, gate, stop, poll), daemon=True)
    started = time.monotonic()
    if announce:
        print(f"started {started:.6f}", flush=True)
    for thread in threads:
        thread.start()
    if poller is not None:
        poller.start()
    deadline = started + seconds
    while time.monotonic() < deadline and any(t.is_alive() for t in threads):
        time.sleep(0.01)
    stop.set()
    for thread in threads:
        thread.join(timeout + 1)
    ended = time.monotonic()
    if poller is not None:
        poller.join(3)
    rows = sorted(row for rows in per_thread for row in rows)
    return Run(started, ended, connections, rows,
               gate.flipped_at if gate else None, list(gate.polls) if gate else [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--path", default="/assess")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--gate-readyz", action="store_true", help="stop opening requests once /readyz fails")
    parser.add_argument("--grace", type=float, default=0.0, help="seconds to keep sending after the flip")
    parser.add_argument("--poll", type=float, default=0.05, help="seconds between /readyz polls")
    parser.add_argument("--json", type=Path, help="write the summary and every request here")
    args = parser.parse_args(argv)
    result = run(args.url, args.seconds, args.connections, args.path, args.gate_readyz, args.grace, args.poll,
                 announce=True)
    summary = result.summary()
    print(json.dumps(summary), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, **asdict(result)}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
