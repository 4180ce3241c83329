"""Two or more request kinds on ONE service, in alternating slices: the shared loop of the A/B benches.

html_vs_json.py, localised_vs_default.py and cds_review.py each compare request kinds on the same
server. Each round starts a fresh service (two servers of the same code differ by a few per cent for
their life), warms every kind up, then drives the kinds in ABBA... slices so that whatever else the
machine does lands on all of them about equally. CPU and latency come from compare.py's machinery.
"""
from __future__ import annotations

import argparse
from contextlib import ExitStack
from pathlib import Path
from typing import Callable

from bench.compare import APPS, Measure, combine, gunicorn, measure, median, wait_for_quiet


def ab_arguments(description: str | None) -> argparse.ArgumentParser:
    """The options every A/B bench takes; a bench adds its own before parsing."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="seconds per request kind per round")
    parser.add_argument("--slice", type=int, default=2, help="seconds per alternating slice")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quiet-wait", type=float, default=15.0,
                        help="before each round wait up to this many seconds for an idle machine (0: do not wait)")
    return parser


def alternating_rounds(args: argparse.Namespace, workdir: Path, scripts: dict[str, Path],
                       check: Callable[[str], None] | None = None,
                       apps: dict[str, str] | None = None) -> dict[str, list[Measure]]:
    """Per kind (the keys of `scripts`, wrk Lua files), one combined Measure per round.

    Every kind is sent to the service, unless `apps` names another WSGI app for it (a floor): each
    distinct app then runs as its own gunicorn, started and measured in the same round.
    """
    kinds = list(scripts)
    width = max(len(kind) for kind in kinds)
    served_by = {kind: (apps or {}).get(kind, APPS["service"]) for kind in kinds}
    runs: dict[str, list[Measure]] = {kind: [] for kind in kinds}
    for round_ in range(1, args.rounds + 1):
        with ExitStack() as servers:
            started = {app: servers.enter_context(gunicorn(app, {"GUNICORN_WORKER_CLASS": "sync"}, args.workers,
                                                           workdir, f"round{round_}"))
                       for app in dict.fromkeys(served_by.values())}
            where = {kind: started[app] for kind, app in served_by.items()}  # kind -> (url, master pid)
            if check is not None:
                check(started[APPS["service"]][0])
            for kind in kinds:  # warm up: imports, template compilation, first-request caches, TCP
                measure("wrk", *where[kind], args.connections, 2, scripts[kind])
            if args.quiet_wait > 0:
                wait_for_quiet(args.quiet_wait)
            slices = max(1, round(args.seconds / args.slice))
            parts: dict[str, list[Measure]] = {kind: [] for kind in kinds}
            for i in range(slices):
                for kind in (kinds if i % 2 == 0 else kinds[::-1]):
                    parts[kind].append(measure("wrk", *where[kind], args.connections, args.slice, scripts[kind]))
            for kind, measured in parts.items():
                m = combine(measured)
                runs[kind].append(m)
                print(f"  round {round_} {kind:<{width}} {m.rps:8.1f} req/s  errors {m.errors:<4} "
                      f"p50 {m.p50_ms:7.2f} ms  p99 {m.p99_ms:7.2f} ms  cpu {m.cpu_ms_per_req:6.3f} ms/req  "
                      f"foreign {m.foreign_cores:4.2f} cores", flush=True)
    return runs


def report_cpu_ratio(runs: dict[str, list[Measure]], base: str, other: str, target: float,
                     other_label: str | None = None) -> bool:
    """Print server CPU per request of `other` over `base` (the median of the rounds' ratios) against
    `target`; True when it is within and no request failed."""
    label = other_label or other
    ratios = [o.cpu_ms_per_req / b.cpu_ms_per_req for b, o in zip(runs[base], runs[other])]
    cpu = {kind: median([m.cpu_ms_per_req for m in measured]) for kind, measured in runs.items()}
    errors = sum(m.errors for measured in runs.values() for m in measured)
    foreign = max(m.foreign_cores for measured in runs.values() for m in measured)
    ratio = median(ratios)
    ok = ratio <= target and errors == 0
    print(f"\n-- server CPU per request, median over rounds: {base} {cpu[base]:.3f} ms, {label} {cpu[other]:.3f} ms")
    print(f"   {label} / {base}: {ratio:.3f}x (per round {', '.join(f'{r:.3f}' for r in ratios)})"
          f"  target <= {target:.2f}x  {'PASS' if ok else 'FAIL'}")
    print(f"   errors {errors}; worst foreign CPU in a slice run: {foreign:.2f} cores"
          f"{'  (disturbed: other work on the machine)' if foreign > 0.1 else ''}")
    return ok
