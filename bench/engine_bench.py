"""In-process timings: the engine alone (facts -> assessment) and one whole /assess call through
Flask's test client, each the median of many runs over the mix in bench/bodies.py.

    .venv/bin/python bench/engine_bench.py [--rounds 2000]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bodies import mix  # noqa: E402
from schemas import ASSESS_REQUEST  # noqa: E402
from service.app import create_app  # noqa: E402
from service.config import Settings  # noqa: E402


def per_call(fn, items, rounds: int) -> list[float]:  # noqa: ANN001
    samples = []
    for _ in range(rounds):
        for item in items:
            start = time.perf_counter_ns()
            fn(item)
            samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=500)
    args = parser.parse_args()
    app = create_app(Settings())
    engine = app.extensions["cramp"].engine
    bodies = mix()
    facts = [ASSESS_REQUEST.load(b) for b in bodies]
    client = app.test_client()
    import logging
    logging.getLogger("cramp").disabled = True  # time the work, not the terminal
    per_call(engine.assess, facts, 20)  # warm up
    engine_us = per_call(engine.assess, facts, args.rounds)
    schema_us = per_call(ASSESS_REQUEST.load, bodies, args.rounds // 5 or 1)
    http_us = per_call(lambda b: client.post("/assess", json=b, headers={"X-Test-Traffic": "1"}), bodies,
                       args.rounds // 5 or 1)
    for name, samples in (("engine.assess", engine_us), ("schema load", schema_us), ("POST /assess in-process", http_us)):
        q = statistics.quantiles(samples, n=100)
        print(f"{name:<26} median {statistics.median(samples):8.1f} us   p90 {q[89]:8.1f} us   "
              f"p99 {q[98]:8.1f} us   n={len(samples)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
