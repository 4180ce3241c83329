"""CPU per request of the HTML answer against the JSON answer, in one run (issue 14: at most 1.3x).

One service under `gunicorn -c gunicorn.conf.py` (2 sync workers, as deployed) gets the /assess body mix
of bench/bodies.py twice over: with `Accept: application/json` and with `Accept: text/html`, in
alternating slices (ABBA...) so that whatever else the machine does lands on both about equally. Each
round starts a fresh server (two servers of the same code differ by a few per cent for their life).
CPU is the server's utime+stime per request (bench/compare.py's machinery: the same wrk driver, slices,
"foreign" CPU of the rest of the machine); the ratio is HTML over JSON.

    apt-get install -y wrk
    .venv/bin/python bench/html_vs_json.py [--rounds 3] [--seconds 10] [--connections 16]
    .venv/bin/python bench/html_vs_json.py --rounds 1 --seconds 4        # a quick look
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ab import ab_arguments, alternating_rounds, report_cpu_ratio  # noqa: E402 - after the sys.path line
from bench.compare import Measure, code_state, machine, write_lua  # noqa: E402

TARGET = 1.3  # HTML CPU per request / JSON CPU per request
ACCEPTS = {"json": "application/json", "html": "text/html"}


def run(args: argparse.Namespace, workdir: Path) -> dict[str, list[Measure]]:
    scripts = {}
    for name, accept in ACCEPTS.items():
        scripts[name] = workdir / f"assess-{name}.lua"
        write_lua(scripts[name], test_traffic=True, accept=accept)
    return alternating_rounds(args, workdir, scripts)


def main() -> int:
    parser = ab_arguments(__doc__)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed (Debian: apt-get install -y wrk)", file=sys.stderr)
        return 2
    print(f"{machine()}\n{code_state()}; {args.rounds} rounds x {args.seconds} s per answer type in {args.slice} s slices,"
          f" {args.connections} connections, {args.workers} sync workers")
    with tempfile.TemporaryDirectory(prefix="cramp-bench-html-") as tmp:
        runs = run(args, Path(tmp))
    return 0 if report_cpu_ratio(runs, "json", "html", TARGET) else 1


if __name__ == "__main__":
    sys.exit(main())
