"""CPU per request with a region and a non-default language against the default, in one run (issue 15:
at most 1.05x).

One service under `gunicorn -c gunicorn.conf.py` (2 sync workers, as deployed) gets the /assess body mix
of bench/bodies.py twice over: as is (no region, no Accept-Language: en-GB, region-neutral) and with
`"region": REGION` in every body and `Accept-Language: LANGUAGE`, in alternating slices (ABBA...), so
whatever else the machine does lands on both about equally. Each round starts a fresh server. CPU is the
server's utime+stime per request (bench/compare.py's machinery: wrk, slices, "foreign" CPU of the rest
of the machine); the ratio is localised over default. Answers to both are checked before the run.

    apt-get install -y wrk
    .venv/bin/python bench/localised_vs_default.py [--region NZ] [--language es] [--rounds 3] [--seconds 10]
    .venv/bin/python bench/localised_vs_default.py --rounds 1 --seconds 4        # a quick look
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.compare import (  # noqa: E402 - after the sys.path line
    APPS, Measure, code_state, combine, gunicorn, machine, measure, median, wait_for_quiet, write_lua,
)

TARGET = 1.05  # localised CPU per request / default CPU per request
KINDS = ("default", "localised")


def check(url: str, region: str, language: str) -> None:
    """Both kinds really answer as meant (a typo in --region would otherwise benchmark 422s)."""
    for body, headers, expected in (({}, {}, ("en-GB", None)), ({"region": region}, {"Accept-Language": language},
                                                                 (None, region))):
        request = urllib.request.Request(url + "/assess", data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json", **headers})
        with urllib.request.urlopen(request, timeout=5) as response:
            kb = json.loads(response.read())["knowledge_base"]
        if expected[0] and kb["language"] != expected[0] or kb["region"] != expected[1]:
            raise SystemExit(f"unexpected answer for {body} {headers}: {kb}")


def run(args: argparse.Namespace, workdir: Path) -> dict[str, list[Measure]]:
    scripts = {kind: workdir / f"assess-{kind}.lua" for kind in KINDS}
    write_lua(scripts["default"])
    write_lua(scripts["localised"], region=args.region, headers={"Accept-Language": args.language})
    runs: dict[str, list[Measure]] = {kind: [] for kind in KINDS}
    for round_ in range(1, args.rounds + 1):
        with gunicorn(APPS["service"], {"GUNICORN_WORKER_CLASS": "sync"}, args.workers, workdir,
                      f"service{round_}") as (url, pid):
            check(url, args.region, args.language)
            for kind in KINDS:  # warm up: imports, first-request caches, the negotiator's first look-up
                measure("wrk", url, pid, args.connections, 2, scripts[kind])
            if args.quiet_wait > 0:
                wait_for_quiet(args.quiet_wait)
            slices = max(1, round(args.seconds / args.slice))
            parts: dict[str, list[Measure]] = {kind: [] for kind in KINDS}
            for i in range(slices):
                for kind in (KINDS if i % 2 == 0 else tuple(reversed(KINDS))):
                    parts[kind].append(measure("wrk", url, pid, args.connections, args.slice, scripts[kind]))
            for kind, measured in parts.items():
                m = combine(measured)
                runs[kind].append(m)
                print(f"  round {round_} {kind:<9} {m.rps:8.1f} req/s  errors {m.errors:<4} p50 {m.p50_ms:7.2f} ms  "
                      f"p99 {m.p99_ms:7.2f} ms  cpu {m.cpu_ms_per_req:6.3f} ms/req  "
                      f"foreign {m.foreign_cores:4.2f} cores", flush=True)
    return runs


def report(runs: dict[str, list[Measure]], label: str) -> bool:
    ratios = [lo.cpu_ms_per_req / de.cpu_ms_per_req for de, lo in zip(runs["default"], runs["localised"])]
    cpu = {kind: median([m.cpu_ms_per_req for m in measured]) for kind, measured in runs.items()}
    errors = sum(m.errors for measured in runs.values() for m in measured)
    foreign = max(m.foreign_cores for measured in runs.values() for m in measured)
    ratio = median(ratios)
    ok = ratio <= TARGET and errors == 0
    print(f"\n-- server CPU per request, median over rounds: default {cpu['default']:.3f} ms, "
          f"{label} {cpu['localised']:.3f} ms")
    print(f"   {label} / default: {ratio:.3f}x (per round {', '.join(f'{r:.3f}' for r in ratios)})"
          f"  target <= {TARGET:.2f}x  {'PASS' if ok else 'FAIL'}")
    print(f"   errors {errors}; worst foreign CPU in a slice run: {foreign:.2f} cores"
          f"{'  (disturbed: other work on the machine)' if foreign > 0.1 else ''}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--region", default="NZ", help="the region code put into every localised body")
    parser.add_argument("--language", default="es", help="the localised requests' Accept-Language")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="seconds per kind per round")
    parser.add_argument("--slice", type=int, default=2, help="seconds per alternating default/localised slice")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quiet-wait", type=float, default=15.0,
                        help="before each round wait up to this many seconds for an idle machine (0: do not wait)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed (Debian: apt-get install -y wrk)", file=sys.stderr)
        return 2
    label = f"{args.region}+{args.language}"
    print(f"{machine()}\n{code_state()}; {args.rounds} rounds x {args.seconds} s per kind in {args.slice} s slices,"
          f" {args.connections} connections, {args.workers} sync workers; localised = {label}")
    with tempfile.TemporaryDirectory(prefix="cramp-bench-localised-") as tmp:
        runs = run(args, Path(tmp))
    return 0 if report(runs, label) else 1


if __name__ == "__main__":
    sys.exit(main())
