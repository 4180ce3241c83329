"""Service against floor: the same gunicorn config, the same traffic, back to back, several rounds.

For each worker class (2 sync workers; then gthread, 4 threads, SO_REUSEPORT) it starts the floor
(bench/floor_app.py) and the service under `gunicorn -c gunicorn.conf.py` with the same environment,
then per round drives each at 16 connections and at 1 connection with the /assess body mix of
bench/bodies.py (header X-Test-Traffic: 1). It prints per-run figures and, per class, the medians
over rounds and the service/floor ratios against the project targets:

    throughput >= 0.50 x floor, CPU per request <= 2.5 x floor, p99 (16 conn) <= 2.5 x floor,
    p50 at 1 connection <= 1 ms  (targets apply to 2 sync workers, 16 connections)

Server CPU is the utime+stime of the gunicorn master and its workers read from /proc/<pid>/stat
before and after each run. "foreign" is CPU used on the machine by anything other than the server
and the load driver during a run: if it is not near zero the figures are disturbed.

The driver is wrk (Debian: apt-get install -y wrk) with a generated Lua script, or bench/load.py
(Python threads, far more client CPU) with --driver python or when wrk is missing.

    .venv/bin/python bench/compare.py [--rounds 3] [--seconds 10] [--classes sync,gthread]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Iterator
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import encoded_bodies  # noqa: E402 - after the sys.path line

GUNICORN = Path(sys.executable).with_name("gunicorn")
CLK_TCK = os.sysconf("SC_CLK_TCK")
APPS = {"floor": "bench.floor_app:app", "service": "service.wsgi:app"}
CLASSES: dict[str, dict[str, str]] = {
    "sync": {"GUNICORN_WORKER_CLASS": "sync"},
    "gthread": {"GUNICORN_WORKER_CLASS": "gthread", "GUNICORN_THREADS": "4", "GUNICORN_REUSE_PORT": "1"},
}
TARGETS = {"rps": 0.50, "cpu": 2.5, "p99": 2.5, "p50_1c_ms": 1.0}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> list[int]:
    """Live child pids of `pid`, read from /proc (workers of a gunicorn master)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry))
    return found


def cpu_seconds(pid: int) -> float:
    """utime+stime of one process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def server_cpu(master: int) -> tuple[float, frozenset[int]]:
    pids = [master, *children(master)]
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except OSError:
            pass
    return total, frozenset(pids)


def machine_busy() -> float:
    """CPU seconds spent not idle by the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / CLK_TCK


def wait_for_quiet(max_wait: float, threshold: float = 0.15) -> float:
    """Wait (up to max_wait s) until the machine is nearly idle for a second; returns the busy cores seen.

    Other work on a small machine slows the server and inflates its CPU per request, so each run
    starts in a quiet second if one comes; the "foreign" column still shows what happened during it.
    """
    deadline = time.monotonic() + max_wait
    while True:
        before = machine_busy()
        time.sleep(1)
        busy = machine_busy() - before
        if busy < threshold or time.monotonic() >= deadline:
            return busy


@contextmanager
def gunicorn(app: str, env_extra: dict[str, str], workers: int, workdir: Path,
             role: str) -> Iterator[tuple[str, int]]:
    """gunicorn -c gunicorn.conf.py <app> on a free loopback port; yields (url, master pid).

    Files are named by role too, so the same app can be both floor and service (an A/A run)."""
    port = free_port()
    name = f"{role}-" + app.replace(":", ".").replace(".", "_")
    env = {
        **os.environ,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "PROMETHEUS_MULTIPROC_DIR": str(workdir / f"metrics-{name}"),
        "CRAMP_DRAIN_FILE": str(workdir / f"drain-{name}"),
        "CRAMP_DRAIN_SECONDS": "0",
        **env_extra,
    }
    log = (workdir / f"{name}.log").open("wb")  # the service's per-request log lines land here
    process = subprocess.Popen([str(GUNICORN), "-c", "gunicorn.conf.py", app], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{app} did not start; see {workdir / (name + '.log')}")
            try:
                with urllib.request.urlopen(url + "/readyz", timeout=1) as response:
                    if response.status == 200 and len(children(process.pid)) >= workers:
                        break
            except OSError:
                pass
            time.sleep(0.1)
        yield url, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def lua_string(data: bytes) -> str:
    """A Lua string literal for any bytes (LuaJIT has no \\u escapes, so escape bytes as \\ddd)."""
    out = []
    for byte in data:
        ch = chr(byte)
        out.append(ch if 32 <= byte < 127 and ch not in '"\\' else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


# Every wrk script ends with this: one line of JSON that drive() parses.
WRK_REPORT_LUA = """function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def write_lua(path: Path, test_traffic: bool = True, accept: str = "application/json",
              region: str | None = None, headers: dict[str, str] | None = None) -> None:
    """The wrk script; without test_traffic the requests lack X-Test-Traffic, so the service also
    pays for the clinical-mix counters as it does for real callers. `accept` chooses the answer's
    type (bench/html_vs_json.py sends text/html too); `region` goes into every body and `headers`
    onto every request (bench/localised_vs_default.py: a region and Accept-Language)."""
    bodies = ",\n  ".join(lua_string(b) for b in encoded_bodies(region))
    extra = "\n".join(f'wrk.headers["{name}"] = "{value}"' for name, value in (headers or {}).items())
    marker = 'wrk.headers["X-Test-Traffic"] = "1"' if test_traffic else "-- no X-Test-Traffic: counted as real traffic"
    path.write_text(f"""-- generated by bench/compare.py from bench/bodies.py: POST the /assess body mix in rotation
local bodies = {{
  {bodies}
}}
local prepared = {{}}
local n = 0
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "{accept}"
{marker}
{extra}

function init(args)
  for i, body in ipairs(bodies) do
    prepared[i] = wrk.format("POST", "/assess", nil, body)
  end
  n = math.random(#prepared) - 1
end

function request()
  n = n % #prepared + 1
  return prepared[n]
end

{WRK_REPORT_LUA}""", encoding="utf-8")


def drive(driver: str, url: str, connections: int, seconds: int, lua: Path) -> dict[str, Any]:
    """One load run; returns requests, errors, seconds, p50_ms, p99_ms."""
    if driver == "wrk":
        threads = int(os.environ.get("WRK_THREADS", "1"))  # one epoll loop is plenty; spare the server's CPU
        out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                              "-s", str(lua), url + "/assess"], capture_output=True, text=True, check=True).stdout
        line = next(l for l in out.splitlines() if l.startswith("WRKJSON "))
        raw = json.loads(line.removeprefix("WRKJSON "))
        errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
        return {"requests": raw["requests"], "errors": errors, "seconds": raw["duration_us"] / 1e6,
                "p50_ms": raw["p50_us"] / 1000, "p99_ms": raw["p99_us"] / 1000}
    out = subprocess.run([sys.executable, "-m", "bench.load", "--url", url, "--seconds", str(seconds),
                          "--connections", str(connections)], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    raw = json.loads(out.strip().splitlines()[-1])
    return {"requests": raw["requests"], "errors": raw["requests"] - raw["ok"], "seconds": raw["seconds"],
            "p50_ms": raw["p50_ms"], "p99_ms": raw["p99_ms"]}


@dataclass
class Measure:
    requests: int
    errors: int
    seconds: float
    server_cpu_s: float
    p50_ms: float
    p99_ms: float
    foreign_cores: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms_per_req(self) -> float:
        return 1000 * self.server_cpu_s / max(1, self.requests)


def measure(driver: str, url: str, master: int, connections: int, seconds: int, lua: Path) -> Measure:
    cpu0, pids0 = server_cpu(master)
    busy0, kids0, t0 = machine_busy(), resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    result = drive(driver, url, connections, seconds, lua)
    cpu1, pids1 = server_cpu(master)
    busy1, kids1, t1 = machine_busy(), resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    if pids0 != pids1:
        print(f"  warning: worker set changed during the run ({sorted(pids0)} -> {sorted(pids1)})")
    server = cpu1 - cpu0
    client = (kids1.ru_utime + kids1.ru_stime) - (kids0.ru_utime + kids0.ru_stime)
    foreign = max(0.0, (busy1 - busy0) - server - client) / (t1 - t0)
    return Measure(result["requests"], result["errors"], result["seconds"], server,
                   result["p50_ms"], result["p99_ms"], foreign)


def combine(parts: list[Measure]) -> Measure:
    """Slices of one run as one: counts and CPU add up; latency percentiles are the slices' median."""
    return Measure(sum(m.requests for m in parts), sum(m.errors for m in parts), sum(m.seconds for m in parts),
                   sum(m.server_cpu_s for m in parts), median([m.p50_ms for m in parts]),
                   median([m.p99_ms for m in parts]),
                   sum(m.foreign_cores * m.seconds for m in parts) / sum(m.seconds for m in parts))


def paired_run(args: argparse.Namespace, servers: dict[str, tuple[str, int]], connections: int,
               lua: Path) -> dict[str, Measure]:
    """args.seconds per app, cut into args.slice-second slices alternating floor/service (ABBA...),
    so that whatever else the machine does in those seconds lands on both about equally."""
    slices = max(1, round(args.seconds / args.slice))
    parts: dict[str, list[Measure]] = {app: [] for app in servers}
    for i in range(slices):
        for app in (list(servers) if i % 2 == 0 else list(reversed(servers))):
            url, pid = servers[app]
            parts[app].append(measure(args.driver, url, pid, connections, args.slice, lua))
    return {app: combine(p) for app, p in parts.items()}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def run_class(name: str, args: argparse.Namespace, lua: Path, workdir: Path) -> dict[str, dict[str, Any]]:
    env = CLASSES[name]
    print(f"\n== {name}: {args.workers} workers, env {env}")
    runs: dict[str, dict[str, list[Measure]]] = {app: {"many": [], "one": []} for app in APPS}
    for round_ in range(1, args.rounds + 1):
        # Fresh servers every round: two gunicorns of the very same code differ by up to ~6% for their
        # whole life (hash seed, memory layout), so one pair for all rounds made one draw of that luck
        # decide every round; the medians are now over independent draws.
        with gunicorn(APPS["floor"], env, args.workers, workdir, "floor") as (floor_url, floor_pid), \
                gunicorn(APPS["service"], env, args.workers, workdir, "service") as (service_url, service_pid):
            servers = {"floor": (floor_url, floor_pid), "service": (service_url, service_pid)}
            for app, (url, pid) in servers.items():  # warm up: imports, first-request caches, TCP
                measure(args.driver, url, pid, args.connections, 2, lua)
            for connections in (args.connections, 1):
                if args.quiet_wait > 0:
                    wait_for_quiet(args.quiet_wait)
                for app, m in paired_run(args, servers, connections, lua).items():
                    runs[app]["one" if connections == 1 else "many"].append(m)
                    print(f"  round {round_} {app:<7} c={connections:<2} {m.rps:8.1f} req/s  errors {m.errors:<4} "
                          f"p50 {m.p50_ms:7.2f} ms  p99 {m.p99_ms:7.2f} ms  cpu {m.cpu_ms_per_req:6.3f} ms/req  "
                          f"foreign {m.foreign_cores:4.2f} cores", flush=True)
    table: dict[str, dict[str, Any]] = {}
    for app in APPS:
        many, one = runs[app]["many"], runs[app]["one"]
        table[app] = {
            "rps": median([m.rps for m in many]),
            "cpu": median([m.cpu_ms_per_req for m in many]),
            "p50": median([m.p50_ms for m in many]),
            "p99": median([m.p99_ms for m in many]),
            "p50_1c": median([m.p50_ms for m in one]),
            "p99_1c": median([m.p99_ms for m in one]),
            "rps_1c": median([m.rps for m in one]),
            "errors": sum(m.errors for m in many + one),
            "foreign": max(m.foreign_cores for m in many + one),
        }
    # Per round, service over floor: the two ran in alternating slices of the same minute, so each
    # round's ratio shares its machine state; the ratio of the medians above does not pair them.
    paired: dict[str, list[float]] = {}
    for key, attribute, part in (("rps", "rps", "many"), ("cpu", "cpu_ms_per_req", "many"),
                                 ("p99", "p99_ms", "many"), ("p50_1c", "p50_ms", "one")):
        pairs = zip(runs["floor"][part], runs["service"][part])
        if key == "p50_1c":  # an absolute target: the service's own value per round
            paired[key] = [getattr(s, attribute) for _, s in pairs]
        else:
            paired[key] = [getattr(s, attribute) / getattr(f, attribute) if getattr(f, attribute) else float("nan")
                           for f, s in pairs]
    table["rounds"] = paired
    return table


def report(name: str, table: dict[str, dict[str, Any]], connections: int) -> None:
    f, s = table["floor"], table["service"]
    sync = name == "sync"
    print(f"\n-- {name}: medians over rounds (service / floor); the verdict is on the ratio of the medians")
    rows = [
        (f"throughput c={connections} (req/s)", "rps", ">=", TARGETS["rps"]),
        ("server CPU per request (ms)", "cpu", "<=", TARGETS["cpu"]),
        (f"p50 c={connections} (ms)", "p50", "", None),
        (f"p99 c={connections} (ms)", "p99", "<=", TARGETS["p99"]),
        ("throughput c=1 (req/s)", "rps_1c", "", None),
        ("p50 c=1 (ms)", "p50_1c", "", None),
        ("p99 c=1 (ms)", "p99_1c", "", None),
    ]
    print(f"  {'':<34}{'floor':>10}{'service':>10}{'ratio':>8}  target")
    for label, key, op, limit in rows:
        ratio = s[key] / f[key] if f[key] else float("nan")
        verdict = ""
        if sync and limit is not None:
            ok = ratio >= limit if op == ">=" else ratio <= limit
            verdict = f"{op} {limit:.2f}x  {'PASS' if ok else 'FAIL'}"
        if sync and key == "p50_1c":
            verdict = f"<= {TARGETS['p50_1c_ms']:.1f} ms  {'PASS' if s[key] <= TARGETS['p50_1c_ms'] else 'FAIL'}"
        per_round = table.get("rounds", {}).get(key)
        if sync and per_round:
            unit = " ms" if key == "p50_1c" else "x"
            verdict += (f"  (per round {', '.join(f'{r:.3f}' for r in per_round)};"
                        f" median {median(per_round):.3f}{unit})")
        print(f"  {label:<34}{f[key]:>10.3f}{s[key]:>10.3f}{ratio:>7.3f}x  {verdict}")
    print(f"  errors: floor {int(f['errors'])}, service {int(s['errors'])};"
          f" worst foreign CPU in a run: {max(f['foreign'], s['foreign']):.2f} cores")


def code_state() -> str:
    """Which service code is measured: HEAD and how many files differ from it (read-only git)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    changed = [line for line in git("status", "--porcelain", "--", "service", "schemas").splitlines() if line]
    dirty = f" + {len(changed)} uncommitted file(s) in service/, schemas/" if changed else ""
    return f"code {git('rev-parse', '--short', 'HEAD') or '?'}{dirty}"


def newest_code_mtime() -> float:
    return max(p.stat().st_mtime for d in ("service", "schemas") for p in (ROOT / d).rglob("*") if p.is_file())


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((l.split(":", 1)[1].strip() for l in cpuinfo.splitlines() if l.startswith("model name")), "?")
    return (f"nproc {os.cpu_count()}, CPU {model}, {platform.system()} {platform.release()},"
            f" Python {platform.python_version()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--classes", default="sync,gthread", help="comma-separated: sync, gthread")
    parser.add_argument("--driver", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--slice", type=int, default=2, help="seconds per alternating floor/service slice")
    parser.add_argument("--floor-app", default=APPS["floor"],
                        help="WSGI app measured as the floor (e.g. bench.flask_floor_app:app, Flask's own cost)")
    parser.add_argument("--service-app", default=APPS["service"], help="WSGI app measured against the floor")
    parser.add_argument("--real-traffic", action="store_true",
                        help="wrk driver: send no X-Test-Traffic header, so the service also counts the clinical mix")
    parser.add_argument("--quiet-wait", type=float, default=15.0,
                        help="before each run wait up to this many seconds for an idle machine (0: do not wait)")
    args = parser.parse_args()
    APPS.update(floor=args.floor_app, service=args.service_app)
    if args.driver == "auto":
        args.driver = "wrk" if shutil.which("wrk") else "python"
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {machine()}")
    print(f"{code_state()}; driver {args.driver}; {'real' if args.real_traffic else 'test'} traffic;"
          f" {args.rounds} rounds x {args.seconds:g} s per app"
          f" in {args.slice} s slices;"
          f" load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    code_mtime = newest_code_mtime()
    with tempfile.TemporaryDirectory(prefix="cramp-bench-") as tmp:
        workdir = Path(tmp)
        lua = workdir / "assess.lua"
        write_lua(lua, test_traffic=not args.real_traffic)
        tables = {name: run_class(name, args, lua, workdir) for name in args.classes.split(",")}
    for name, table in tables.items():
        report(name, table, args.connections)
    if newest_code_mtime() != code_mtime:
        print("\nwarning: files under service/ or schemas/ changed during the benchmark; servers started after"
              " the change measured different code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
