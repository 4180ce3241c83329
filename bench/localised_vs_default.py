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

from bench.ab import ab_arguments, alternating_rounds, report_cpu_ratio  # noqa: E402 - after the sys.path line
from bench.compare import Measure, code_state, machine, write_lua  # noqa: E402

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
    return alternating_rounds(args, workdir, scripts, check=lambda url: check(url, args.region, args.language))


def main() -> int:
    parser = ab_arguments(__doc__)
    parser.add_argument("--region", default="NZ", help="the region code put into every localised body")
    parser.add_argument("--language", default="es", help="the localised requests' Accept-Language")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed (Debian: apt-get install -y wrk)", file=sys.stderr)
        return 2
    label = f"{args.region}+{args.language}"
    print(f"{machine()}\n{code_state()}; {args.rounds} rounds x {args.seconds} s per kind in {args.slice} s slices,"
          f" {args.connections} connections, {args.workers} sync workers; localised = {label}")
    with tempfile.TemporaryDirectory(prefix="cramp-bench-localised-") as tmp:
        runs = run(args, Path(tmp))
    return 0 if report_cpu_ratio(runs, "default", "localised", TARGET, label) else 1


if __name__ == "__main__":
    sys.exit(main())
