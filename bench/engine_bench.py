"""In-process timings, each the median of many runs over the mix in bench/bodies.py: the engine alone
(validated facts -> assessment), the schema load, and one whole POST /assess through the WSGI app
with an environ like gunicorn's (Flask, hooks, body reading, JSON out; no HTTP parsing, no sockets).

    .venv/bin/python bench/engine_bench.py [--rounds 500]

Under gunicorn the same Python work costs more (caches are cold after the kernel, gunicorn and the
other worker have run): compare.py measures that; this script shows where the time goes.
"""
from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="cramp-bench-"))  # as deployed

from bench.bodies import mix  # noqa: E402
from bench.load import encoded_bodies  # noqa: E402
from schemas import ASSESS_REQUEST  # noqa: E402
from service.app import create_app  # noqa: E402
from service.config import Settings  # noqa: E402


def per_call(fn: Callable[[Any], Any], items: list[Any], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for item in items:
            start = time.perf_counter_ns()
            fn(item)
            samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def wsgi_call(app: Callable[..., Iterable[bytes]]) -> Callable[[bytes], None]:
    def call(body: bytes) -> None:
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/assess", "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000", "HTTP_HOST": "127.0.0.1:8000",
            "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
            "HTTP_ACCEPT": "application/json", "HTTP_X_TEST_TRAFFIC": "1",
            "wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True, "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
            "wsgi.run_once": False, "wsgi.version": (1, 0),
        }
        out = app(environ, lambda status, headers, exc_info=None: None)
        b"".join(out)
        getattr(out, "close", lambda: None)()

    return call


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=500)
    args = parser.parse_args()
    app = create_app(Settings())
    engine = app.extensions["cramp"].engine
    facts = [ASSESS_REQUEST.load(b) for b in mix()]
    sys.stdout = open(os.devnull, "w")  # the per-request log lines: time the work, not the terminal
    gc.freeze()  # as gunicorn.conf.py does after preloading
    call = wsgi_call(app)
    per_call(engine.assess, facts, 20)  # warm up
    per_call(call, encoded_bodies(), 20)
    rows = (
        ("engine.assess", per_call(engine.assess, facts, args.rounds)),
        ("schema load", per_call(ASSESS_REQUEST.load, mix(), args.rounds // 5 or 1)),
        ("POST /assess via WSGI", per_call(call, encoded_bodies(), args.rounds // 5 or 1)),
    )
    for name, samples in rows:
        q = statistics.quantiles(samples, n=100)
        print(f"{name:<24} median {statistics.median(samples):8.1f} us   p90 {q[89]:8.1f} us   "
              f"p99 {q[98]:8.1f} us   n={len(samples)}", file=sys.__stdout__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
