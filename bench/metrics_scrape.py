"""How long a /metrics scrape takes under gunicorn's multiprocess mode once the counters are populated.

Every scrape re-reads and merges each worker's mmap files, so its cost grows with series x processes.
Run: .venv/bin/python bench/metrics_scrape.py [--requests 10000] [--threads 4] [--scrapes 200]
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT))

from bench.bodies import mix  # noqa: E402
from server import GunicornServer  # noqa: E402

JSON = {"Content-Type": "application/json", "Accept": "application/json"}


def send(port: int, bodies: list[bytes], total: int, threads: int) -> tuple[float, dict[int | str, int]]:
    """`total` POST /assess over `threads` clients, each with one http.client connection (reopened
    per request when the server closes it, as gunicorn's sync workers do)."""
    counter = itertools.count()
    statuses: dict[int | str, int] = {}
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        seen: dict[int | str, int] = {}
        try:
            while (i := next(counter)) < total:
                try:
                    conn.request("POST", "/assess", body=bodies[i % len(bodies)], headers=JSON)
                    response = conn.getresponse()
                    response.read()
                    key: int | str = response.status
                except (OSError, http.client.HTTPException) as err:  # counted and shown, not fatal
                    key = type(err).__name__
                    conn.close()
                seen[key] = seen.get(key, 0) + 1
        finally:
            conn.close()
            with lock:
                for status, n in seen.items():
                    statuses[status] = statuses.get(status, 0) + n

    workers = [threading.Thread(target=client) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started, statuses


def scrape(port: int, times: int) -> tuple[list[float], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    durations: list[float] = []
    body = b""
    try:
        for _ in range(times):
            started = time.perf_counter()
            conn.request("GET", "/metrics")
            response = conn.getresponse()
            body = response.read()
            durations.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, response.status
    finally:
        conn.close()
    return durations, body


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--scrapes", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    bodies = [json.dumps(body).encode() for body in mix()]
    with tempfile.TemporaryDirectory(prefix="cramp-bench-") as tmp, \
            GunicornServer(Path(tmp), workers=args.workers, env={"CRAMP_LOG_LEVEL": "WARNING"}) as server:
        elapsed, statuses = send(server.port, bodies, args.requests, args.threads)
        print(f"{args.requests} POST /assess ({len(bodies)} distinct bodies) by {args.threads} clients "
              f"to {args.workers} sync workers: {elapsed:.1f}s, {args.requests / elapsed:.0f} req/s, "
              f"outcomes {statuses}")
        if set(statuses) != {200}:
            print("gunicorn log tail:\n" + "\n".join(server.log().splitlines()[-20:]))
        scrape(server.port, 5)  # warm-up, not timed
        durations, body = scrape(server.port, args.scrapes)
        files = sorted(p.name for p in server.metrics_dir.iterdir())
    lines = body.decode().splitlines()
    series = [line for line in lines if line and not line.startswith("#")]
    families = {line.split()[2] for line in lines if line.startswith("# TYPE")}
    print(f"{args.scrapes} GET /metrics: median {statistics.median(durations):.2f} ms, "
          f"p90 {percentile(durations, 0.90):.2f} ms, p99 {percentile(durations, 0.99):.2f} ms, "
          f"max {max(durations):.2f} ms")
    print(f"exposition: {len(series)} series in {len(families)} families, {len(body)} bytes; "
          f"{len(files)} multiprocess files: {files}")


if __name__ == "__main__":
    main()
