"""The image really built and run: the Dockerfile through buildah, the container under podman --read-only.

No container registry is reachable from the machines this runs on, so the Dockerfile's python slim base is
replaced by a stand-in: a Debian root made by mmdebstrap (Debian's Python 3.11) and imported under the
Dockerfile's own base tag, as in ../shared/notes/container-build.md. The Dockerfile itself is built
unchanged with `--pull=never`. What this proves: the recipe (stages, wheels, user, permissions, layout,
entry point) and the service's behaviour in the running container. What it cannot: the pinned official
base, which is still to be checked where a registry is reachable.

One build per module, in a private container store under pytest's tmp dir, removed afterwards. Build
times, image size and each smoke check's numbers go to .run/artifacts/container-image.json.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Self

import pytest
import yaml
from vignette_files import load_vignettes
from test_dockerfile import APP_UID, DOCKERFILE, env_of, parse_instructions, parse_stages
from tooling import find_tool

from service.app import create_app
from service.config import Settings

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = ROOT / ".run" / "artifacts" / "container-image.json"
DEPLOYMENT = ROOT / "k8s" / "base" / "deployment.yaml"
IMAGE = "localhost/cramp-advice-api:test"
APT = "apt: buildah podman runc mmdebstrap netavark iptables (.ci/run installs them)"
# Debian's packages for what the official base provides: Python 3.11, pip, headers, TLS roots.
BASE_PACKAGES = "python3,python3-pip,python3-dev,python-is-python3,ca-certificates"
HOST_CA_DIR = "/usr/local/share/ca-certificates"
APT_SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))
# runc cannot apply podman's default rlimits in some sandboxes; these values work everywhere tried.
ULIMITS = ("--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768")
LOAD_THREADS = 8  # more than the image's 2 workers, so connections queue as they do under real load
LOG_TAIL_LINES = 60
# How a connection closed by the server before any answer shows in http.client.
CLOSED_UNANSWERED = ("ConnectionResetError", "RemoteDisconnected", "BrokenPipeError")


def unavailable(message: str) -> NoReturn:
    """As tooling.find_tool: skipped locally, a failure in CI, so CI never passes by not building."""
    if "CI" in os.environ:
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    return "\n".join(text.splitlines()[-lines:])


def run(command: list[str], what: str, timeout: float, check: bool = True,
        **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a tool; a failure names the step and carries the tool's own words."""
    try:
        result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"{what}: no answer in {timeout}s: {' '.join(command)}\n{error.stderr or ''}")
    if check and result.returncode != 0:
        pytest.fail(f"{what} failed (exit {result.returncode}): {' '.join(command)}\n"
                    f"{tail(result.stdout, 20)}\n{tail(result.stderr, 40)}")
    return result


@dataclass(frozen=True)
class Tools:
    buildah: str
    podman: str
    runc: str
    mmdebstrap: str

    @classmethod
    def find(cls) -> Tools:
        tools = cls(*(find_tool(name, APT) for name in ("buildah", "podman", "runc", "mmdebstrap")))
        if os.geteuid() != 0:
            unavailable("the image test needs root: rootful podman, and mmdebstrap --mode=root")
        return tools


class Store:
    """A private container store: every buildah and podman call names it, so no other store is used or changed."""

    def __init__(self, tools: Tools, directory: Path) -> None:
        self.tools = tools
        self.directory = directory
        # Run-time state holds sockets, and podman refuses a runroot longer than 50 characters.
        self.runtime = Path(tempfile.mkdtemp(prefix="cramp-podman-", dir="/tmp"))
        self.storage = ["--root", str(directory / "root"), "--runroot", str(self.runtime / "run"),
                        "--storage-driver", "overlay"]

    def podman(self, *args: str, what: str, timeout: float = 120,
               check: bool = True) -> subprocess.CompletedProcess[str]:
        # crun fails on hybrid cgroup hosts; runc works on both. Events go to a file in the store,
        # not to the host's journal.
        return run([self.tools.podman, *self.storage, "--tmpdir", str(self.runtime / "libpod"),
                    "--runtime", self.tools.runc, "--events-backend", "file", *args], what, timeout, check)

    def buildah(self, *args: str, what: str, timeout: float = 120,
                check: bool = True) -> subprocess.CompletedProcess[str]:
        return run([self.tools.buildah, *self.storage, *args], what, timeout, check)

    def remove(self) -> None:
        self.buildah("rm", "--all", what="buildah rm", check=False)
        self.podman("rm", "--all", "--force", "--volumes", what="podman rm", check=False)
        self.podman("rmi", "--all", "--force", what="podman rmi", check=False)
        # The overlay driver can leave mounts inside the store; unmount deepest first, then delete.
        mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
        for top in (self.directory, self.runtime):
            for mount in sorted((m for m in mounts if m.startswith(f"{top}/")), key=len, reverse=True):
                subprocess.run(["umount", "--lazy", mount], capture_output=True, check=False)
            shutil.rmtree(top, ignore_errors=True)


@dataclass
class Image:
    store: Store
    ref: str
    bind_port: int
    metrics_port: int
    python_minor: str


def base_image_ref() -> str:
    """The one external image the Dockerfile builds from (test_dockerfile checks both stages share it)."""
    stages = parse_stages(DOCKERFILE.read_text())
    names = {stage.name for stage in stages if stage.name}
    external = {stage.image for stage in stages if stage.image not in names}
    assert len(external) == 1, f"expected one base image, found {external}"
    return external.pop()


def global_args() -> dict[str, str]:
    """ARG defaults before the first FROM: the names that may carry the base image."""
    found: dict[str, str] = {}
    for instruction in parse_instructions(DOCKERFILE.read_text()):
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG" and "=" in instruction.args:
            key, _, value = instruction.args.partition("=")
            found[key.strip()] = value.strip().strip('"')
    return found


def port_of(bind: str) -> int:
    return int(bind.rpartition(":")[2])


def termination_grace_seconds() -> int:
    """The shutdown budget the service is deployed with (k8s/README.md: preStop + graceful timeout + margin)."""
    for document in yaml.safe_load_all(DEPLOYMENT.read_text()):
        if document and document.get("kind") == "Deployment":
            return int(document["spec"]["template"]["spec"]["terminationGracePeriodSeconds"])
    raise AssertionError(f"no Deployment in {DEPLOYMENT}")


def bootstrap_base(tools: Tools, suite: str, tarball: Path, log: Path) -> None:
    """mmdebstrap a minimal Debian root with Python, shaped like the official image where the build relies on it."""
    sources = next((path for path in APT_SOURCES if path.is_file()), None)
    if sources is None:
        unavailable(f"mmdebstrap is fed this machine's apt sources; none of {[str(p) for p in APT_SOURCES]} exists")
    hooks = [
        # pip inside the build must trust what this machine trusts (a TLS-inspecting proxy's CA, say).
        f'for crt in {HOST_CA_DIR}/*.crt; do if [ -e "$crt" ]; then cp "$crt" "$1{HOST_CA_DIR}/"; fi; done',
        'chroot "$1" update-ca-certificates',
        # The official image's pip installs system-wide; Debian marks its Python externally managed.
        'rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED',
        # The official image has Python and pip in /usr/local/bin.
        'for name in python python3 pip pip3; do ln -sf "/usr/bin/$name" "$1/usr/local/bin/$name"; done',
    ]
    command = [tools.mmdebstrap, "--variant=minbase", "--mode=root", f"--include={BASE_PACKAGES}",
               # Snapshot mirrors serve Release files past their Valid-Until date.
               '--aptopt=Acquire::Check-Valid-Until "false"',
               *(f"--customize-hook={hook}" for hook in hooks), suite, str(tarball), "-"]
    with sources.open("rb") as stdin, log.open("wb") as out:
        try:
            result = subprocess.run(command, check=False, stdin=stdin, stdout=out, stderr=subprocess.STDOUT,
                                    timeout=900)
        except subprocess.TimeoutExpired:
            pytest.fail(f"mmdebstrap took over 900s:\n{tail(log.read_text(errors='replace'))}")
    if result.returncode != 0:
        pytest.fail(f"base bootstrap (mmdebstrap) failed (exit {result.returncode}):\n"
                    f"{tail(log.read_text(errors='replace'))}")


@pytest.fixture(scope="module")
def report() -> Iterator[dict[str, Any]]:
    """What the module measured, written as the artefact even when a check fails: a red run says how far it got."""
    facts: dict[str, Any] = {"image": IMAGE}
    yield facts
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    print(f"\ncontainer image report: {ARTIFACT.relative_to(ROOT)}")


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory, report: dict[str, Any]) -> Iterator[Image]:
    """The stand-in base bootstrapped and imported, then the real Dockerfile built on it, once per module."""
    tools = Tools.find()
    work = tmp_path_factory.mktemp("container-image")
    store = Store(tools, work / "store")
    base_ref = base_image_ref()
    tag = base_ref.partition("@")[0]  # a digest cannot be faked; the tag is what the stand-in takes
    suite = tag.rpartition("-")[2]  # python:3.11.x-slim-<debian suite>
    # A short name in FROM resolves to localhost/<name> in local storage first, so the stand-in needs no
    # registry's name and cannot be mistaken for the official image.
    stand_in = f"localhost/{tag}"
    versions = {name: run([getattr(tools, name), "--version"], f"{name} --version", 30).stdout.strip().splitlines()[0]
                for name in ("buildah", "podman", "runc", "mmdebstrap")}
    report.update(base_ref=base_ref, stand_in=stand_in, suite=suite, tools=versions)
    try:
        started = time.monotonic()
        bootstrap_base(tools, suite, work / "base.tar", work / "mmdebstrap.log")
        # podman import makes an image with no config; give it the official image's PATH and locale.
        store.podman("import", "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                     "--change", "ENV LANG=C.UTF-8", str(work / "base.tar"), stand_in, what="podman import of the base",
                     timeout=300)
        base_seconds = time.monotonic() - started

        # With a digest pin the FROM cannot match the stand-in, so point the ARG that carries it there.
        build_args = [f"--build-arg={name}={stand_in}" for name, value in global_args().items()
                      if value == base_ref and "@" in base_ref]
        started = time.monotonic()
        build_log = work / "build.log"
        with build_log.open("wb") as out:
            built = subprocess.run(
                [tools.buildah, *store.storage, "bud", "--runtime", tools.runc, "--pull=never", "--layers",
                 "--force-rm", *build_args, "-f", str(DOCKERFILE), "-t", IMAGE, str(ROOT)],
                check=False, stdout=out, stderr=subprocess.STDOUT, timeout=1200,
            )
        build_seconds = time.monotonic() - started
        if built.returncode != 0:
            pytest.fail(f"buildah bud of the Dockerfile failed (exit {built.returncode}):\n"
                        f"{tail(build_log.read_text(errors='replace'))}")

        size = int(store.podman("image", "inspect", "--format", "{{.Size}}", IMAGE, what="image size").stdout)
        base_size = int(store.podman("image", "inspect", "--format", "{{.Size}}", stand_in, what="base size").stdout)
        env = env_of(parse_stages(DOCKERFILE.read_text())[-1])
        python_minor = store.podman("run", "--rm", *ULIMITS, "--entrypoint", "python", IMAGE, "-c",
                                    "import sys; print('%d.%d' % sys.version_info[:2])", what="python in the image",
                                    timeout=60).stdout.strip()
        report.update(base_bootstrap_seconds=round(base_seconds, 1), image_build_seconds=round(build_seconds, 1),
                      image_size_bytes=size, base_size_bytes=base_size, added_to_base_bytes=size - base_size,
                      python_in_image=python_minor)
        print(f"\nbase bootstrap (mmdebstrap + import) {base_seconds:.1f}s, image build (buildah bud) "
              f"{build_seconds:.1f}s; image {size / 1e6:.1f} MB (stand-in base {base_size / 1e6:.1f} MB, "
              f"Dockerfile layers {(size - base_size) / 1e6:.1f} MB)")
        yield Image(store, IMAGE, port_of(env["BIND"]), port_of(env["METRICS_BIND"]), python_minor)
    finally:
        (work / "base.tar").unlink(missing_ok=True)
        store.remove()


class Container:
    """One `podman run --read-only` of the image, published on free loopback ports."""

    def __init__(self, image: Image) -> None:
        self.image = image
        self.store = image.store
        self.port = free_port()
        self.metrics_port = free_port()
        self.id = ""

    def __enter__(self) -> Self:
        # --read-only-tmpfs=false: podman would otherwise add its own tmpfs on /tmp, /run and /var/tmp,
        # and the Dockerfile's VOLUMEs must be enough on their own, as with `docker run --read-only`.
        self.id = self.store.podman(
            "run", "--detach", "--read-only", "--read-only-tmpfs=false", "--log-driver", "k8s-file", *ULIMITS,
            "--publish", f"127.0.0.1:{self.port}:{self.image.bind_port}",
            "--publish", f"127.0.0.1:{self.metrics_port}:{self.image.metrics_port}",
            self.image.ref, what="podman run",
        ).stdout.strip()
        try:
            self.wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.inspect("{{.State.Running}}") != "true":
                self.fail(f"the container exited before /readyz answered (exit {self.inspect('{{.State.ExitCode}}')})")
            try:
                if request(self.port, "GET", "/readyz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.fail(f"/readyz did not answer 200 within {timeout}s")

    def inspect(self, template: str) -> str:
        return self.store.podman("inspect", "--format", template, self.id, what="podman inspect").stdout.strip()

    def exec(self, *command: str, user: str | None = None) -> subprocess.CompletedProcess[str]:
        as_user = ("--user", user) if user else ()
        return self.store.podman("exec", *as_user, self.id, *command, what=f"podman exec {command[0]}", check=False)

    def log(self) -> str:
        logs = self.store.podman("logs", self.id, what="podman logs", check=False)
        return logs.stdout + logs.stderr

    def fail(self, what: str) -> NoReturn:
        pytest.fail(f"{what}\n--- container log (last {LOG_TAIL_LINES} lines) ---\n{tail(self.log())}", pytrace=False)

    def check(self, condition: object, what: str) -> None:
        if not condition:
            self.fail(what)

    def __exit__(self, *exc: object) -> None:
        if self.id:
            self.store.podman("rm", "--force", "--volumes", self.id, what="podman rm", check=False)


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 10) -> tuple[int, http.client.HTTPMessage, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def assess(port: int, body: dict[str, Any]) -> dict[str, Any]:
    status, _, data = request(port, "POST", "/assess", json.dumps(body).encode(), {"Content-Type": "application/json"})
    assert status == 200, f"POST /assess answered {status}"
    return json.loads(data)


def record(report: dict[str, Any], check: str, measured: Any) -> None:
    report.setdefault("checks", {})[check] = measured


def verdict(answer: dict[str, Any]) -> tuple[str, list[str]]:
    """What must not change between inside and outside: the level and which red flags set it."""
    return answer["disposition"]["level"], sorted(flag["id"] for flag in answer["red_flags"])


@pytest.fixture(scope="module")
def container(image: Image) -> Iterator[Container]:
    """The container the smoke checks share (the SIGTERM test stops its own)."""
    with Container(image) as running:
        yield running


def test_python_in_the_stand_in_matches_the_pinned_base(image: Image) -> None:
    pinned = re.search(r":(\d+\.\d+)\.", base_image_ref())
    assert pinned and image.python_minor == pinned.group(1), (image.python_minor, base_image_ref())


def test_livez_and_readyz_answer_200(container: Container, report: dict[str, Any]) -> None:
    statuses = {path: request(container.port, "GET", path)[0] for path in ("/livez", "/readyz")}
    record(report, "health", statuses)
    container.check(statuses == {"/livez": 200, "/readyz": 200}, f"health endpoints answered {statuses}")


def test_every_public_vignette_gets_the_same_answer_as_outside(container: Container, report: dict[str, Any]) -> None:
    outside = create_app(Settings()).test_client()
    differ: list[str] = []
    vignettes = load_vignettes()
    for vignette in vignettes:
        expected = outside.post("/assess", json=vignette["request"])
        assert expected.status_code == 200, vignette["id"]
        try:
            inside = verdict(assess(container.port, vignette["request"]))
        except (OSError, AssertionError, ValueError, KeyError) as error:
            container.fail(f"vignette {vignette['id']}: no valid answer from the container ({error!r})")
        if inside != verdict(expected.get_json()):
            # Ids and levels only: a vignette's answers stay out of test output like any health data.
            differ.append(f"{vignette['id']}: outside {verdict(expected.get_json())}, inside {inside}")
    record(report, "vignettes", {"cases": len(vignettes), "same_level_and_red_flags": len(vignettes) - len(differ)})
    print(f"\n  vignettes: {len(vignettes) - len(differ)}/{len(vignettes)} same level and red flags as outside")
    container.check(not differ, "answers differ inside the container:\n" + "\n".join(differ))


def test_metrics_answer_on_their_own_port_only(container: Container, report: dict[str, Any]) -> None:
    assess(container.port, {})
    status, headers, body = request(container.metrics_port, "GET", "/metrics")
    public_status, _, _ = request(container.port, "GET", "/metrics")
    record(report, "metrics", {"metrics_port": status, "public_port": public_status})
    container.check(status == 200 and headers["Content-Type"].startswith("text/plain"),
                    f"/metrics on the metrics port answered {status} {headers['Content-Type']}")
    container.check(b'cramp_http_requests_total{method="POST",route="/assess",status="200"}' in body,
                    "/metrics does not count the POST /assess just answered (multiprocess files in /metrics?)")
    container.check(public_status == 404, f"/metrics on the public port answered {public_status}, not 404")


def test_runs_as_the_app_uid(container: Container, report: dict[str, Any]) -> None:
    ids = {flag: container.exec("id", flag).stdout.strip() for flag in ("-u", "-g")}
    # The kernel's view of gunicorn's master and workers, from the host (no user namespace: ids are the same).
    master = int(container.inspect("{{.State.Pid}}"))
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    owners = {}
    for pid in [master, *map(int, children)]:
        status = Path(f"/proc/{pid}/status").read_text()
        owners[pid] = {line.split(":")[0]: line.split()[1:] for line in status.splitlines()
                       if line.startswith(("Uid:", "Gid:"))}
    record(report, "user", {"exec_id": ids, "processes": len(owners)})
    container.check(ids == {"-u": str(APP_UID), "-g": str(APP_UID)}, f"podman exec id: {ids}")
    container.check(len(owners) >= 2, f"expected gunicorn's master and workers, found {owners}")
    for pid, fields in owners.items():
        container.check(all(value == str(APP_UID) for ids_ in fields.values() for value in ids_),
                        f"process {pid} runs with {fields}, not {APP_UID}")


def test_root_filesystem_is_read_only(container: Container, report: dict[str, Any]) -> None:
    container.check(container.inspect("{{.HostConfig.ReadonlyRootfs}}") == "true", "not started with --read-only")
    # As root inside, so only a read-only mount (not file permissions) can stop the write.
    refused = {}
    for path in ("/probe", "/app/probe", "/usr/local/bin/probe", "/run/probe", "/var/tmp/probe"):
        attempt = container.exec("sh", "-c", f": > {path}", user="0")
        refused[path] = attempt.returncode != 0 and "Read-only file system" in attempt.stderr
    # As the app user, the two declared volumes take the writes the service makes.
    writable = {}
    for directory in ("/tmp", "/metrics"):
        attempt = container.exec("sh", "-c", f": > {directory}/probe && rm {directory}/probe")
        writable[directory] = attempt.returncode == 0
    record(report, "read_only_root", {"writes_refused": refused, "volumes_writable": writable})
    container.check(all(refused.values()), f"writes outside the volumes not refused as read-only: {refused}")
    container.check(all(writable.values()), f"volumes not writable by the app user: {writable}")


# --- SIGTERM under load ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    request_id: str
    start: float
    end: float
    outcome: str  # "ok": a complete 200 for this request; "not_connected": connect() failed; "failed": anything else
    detail: str


class Load:
    """Client threads POSTing /assess back to back, each on a new connection, recording how each request ended.

    A request counts as sent only once connect() has succeeded: before that the server has not taken the
    connection, so a refusal there is the server saying no, not losing a request.
    """

    def __init__(self, port: int, bodies: list[bytes], threads: int) -> None:
        self.port = port
        self.bodies = bodies
        self.rows: list[Row] = []
        self.readyz: list[tuple[float, int]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(threads)]
        self._threads.append(threading.Thread(target=self._poll_readyz, daemon=True))

    def __enter__(self) -> Self:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)

    def ok_count(self) -> int:
        with self._lock:
            return sum(row.outcome == "ok" for row in self.rows)

    def _add(self, row: Row) -> None:
        with self._lock:
            self.rows.append(row)

    def _client(self, index: int) -> None:
        number = 0
        while not self._stop.is_set():
            number += 1
            request_id = f"sigterm-{index}-{number}"
            body = self.bodies[(index + number) % len(self.bodies)]
            start = time.monotonic()
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                try:
                    connection.connect()
                except OSError as error:
                    self._add(Row(request_id, start, time.monotonic(), "not_connected", type(error).__name__))
                    time.sleep(0.02)  # a closed port answers at once; do not spin
                    continue
                outcome, detail = "failed", ""
                try:
                    connection.request("POST", "/assess", body=body, headers={
                        "Content-Type": "application/json", "X-Request-ID": request_id, "X-Test-Traffic": "1"})
                    response = connection.getresponse()
                    data = response.read()
                    answered = json.loads(data)["disposition"]["level"]
                    if response.status == 200 and response.headers["X-Request-ID"] == request_id and answered:
                        outcome = "ok"
                    else:
                        detail = f"HTTP {response.status}"
                except Exception as error:  # noqa: BLE001 - every way a sent request can end is a result here
                    detail = type(error).__name__
                self._add(Row(request_id, start, time.monotonic(), outcome, detail))
            finally:
                connection.close()

    def _poll_readyz(self) -> None:
        while not self._stop.is_set():
            try:
                status = request(self.port, "GET", "/readyz", timeout=2)[0]
            except (OSError, http.client.HTTPException):
                status = 0
            with self._lock:
                self.readyz.append((time.monotonic(), status))
            time.sleep(0.05)


def served_requests(log: str, prefix: str) -> dict[str, int]:
    """Request id -> status for every request a worker read and answered: its one JSON log line."""
    served: dict[str, int] = {}
    for line in log.splitlines():
        if line.startswith("{") and f'"{prefix}' in line:
            entry = json.loads(line)
            if entry.get("event") == "request" and str(entry.get("request_id", "")).startswith(prefix):
                served[entry["request_id"]] = int(entry["status"])
    return served


def test_sigterm_under_load_stops_within_the_grace_period_and_fails_no_accepted_request(
        image: Image, report: dict[str, Any]) -> None:
    grace = termination_grace_seconds()
    bodies = [json.dumps(vignette["request"]).encode() for vignette in load_vignettes()]
    with Container(image) as container:
        with Load(container.port, bodies, LOAD_THREADS) as load:
            deadline = time.monotonic() + 20
            while load.ok_count() < 100 and time.monotonic() < deadline:
                time.sleep(0.05)
            container.check(load.ok_count() >= 100, f"load never got going: {load.ok_count()} answers in 20s")
            sigterm_at = time.monotonic()
            stop = container.store.podman("stop", "--time", str(grace), container.id, what="podman stop",
                                          timeout=grace + 60, check=False)
            stopped_at = time.monotonic()
            time.sleep(0.5)  # keep sending a moment after the stop: those connections must be refused
        exit_code = container.inspect("{{.State.ExitCode}}")
        log = container.log()
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", container.port), timeout=2):
            pass

    rows, readyz = load.rows, load.readyz
    served = served_requests(log, "sigterm-")
    ok = {row.request_id for row in rows if row.outcome == "ok"}
    failed = [row for row in rows if row.outcome == "failed"]
    not_connected = [row for row in rows if row.outcome == "not_connected"]
    flipped = next((t for t, status in readyz if t > sigterm_at and status == 503), None)
    # Reset with nothing answered, and never read by a worker: still in the kernel's accept queue when
    # the last worker closed the listening socket (a TCP listener cannot stop taking connections and
    # keep its queue). Clients that stop on /readyz 503, as load balancers do, never send these.
    unread = [row for row in failed if row.request_id not in served]
    booted = set(re.findall(r"Booting worker with pid: (\d+)", log))
    exited = set(re.findall(r"Worker exiting \(pid: (\d+)\)", log))
    summary = {
        "grace_seconds": grace, "stop_seconds": round(stopped_at - sigterm_at, 2), "exit_code": exit_code,
        "requests": len(rows), "ok": len(ok),
        "ok_after_sigterm": sum(1 for row in rows if row.outcome == "ok" and row.start > sigterm_at),
        "refused_at_connect": len(not_connected), "reset_before_read": len(unread),
        "failed_after_read": len(failed) - len(unread),
        "readyz_503_after_seconds": None if flipped is None else round(flipped - sigterm_at, 2),
        "workers_booted": len(booted), "workers_exited_cleanly": len(exited & booted),
    }
    record(report, "sigterm_under_load", summary)
    print(f"\n  SIGTERM under load: {json.dumps(summary)}")

    def check(condition: object, what: str) -> None:
        if not condition:
            pytest.fail(f"{what}\nsummary: {json.dumps(summary)}\npodman stop: {stop.stderr.strip()}\n"
                        f"--- container log (gunicorn lines) ---\n"
                        + "\n".join(line for line in log.splitlines() if not line.startswith("{"))[-4000:]
                        + f"\n--- container log (last {LOG_TAIL_LINES} lines) ---\n{tail(log)}", pytrace=False)

    check(stop.returncode == 0, "podman stop failed")
    check(stopped_at - sigterm_at < grace, f"not stopped within the {grace}s grace period")
    check(exit_code == "0", f"gunicorn exited {exit_code}: killed at the end of the grace period, or crashed")
    check(booted and exited == booted, f"workers booted {sorted(booted)}, exited cleanly {sorted(exited)}")
    for sign in ("WORKER TIMEOUT", "SIGKILL", "Traceback"):
        check(sign not in log, f"{sign!r} in the container log")
    check(all(row.outcome == "ok" for row in rows if row.start < sigterm_at),
          "a request sent before SIGTERM did not get a complete 200")
    check(not_connected and all(row.start > sigterm_at for row in not_connected),
          "connections must be refused after shutdown starts, and only then")
    # The drain: readiness fails first while requests are still answered.
    check(flipped is not None and all(status == 200 for t, status in readyz if t < sigterm_at),
          "/readyz did not turn 503 after SIGTERM (or failed before it)")
    check(any(row.outcome == "ok" and row.start > (flipped or stopped_at) for row in rows),
          "no request answered after /readyz turned 503: the drain did not keep serving")
    # The server's log is the evidence of what a worker read, so it must hold every answer the clients got.
    missing = sorted(ok - set(served))
    check(not missing, f"{len(missing)} answered requests missing from the container log: {missing[:5]}")
    # Every request a worker read was answered completely, and reached its client.
    check(all(status == 200 for status in served.values()), "a request read by a worker was not answered 200")
    lost = sorted(set(served) - ok)
    check(not lost, f"{len(lost)} requests answered by the server did not reach their client complete: {lost[:5]}")
    # What did fail was never read, failed before any answer, only at the stop, at most one per client.
    read_then_failed = [row for row in failed if row.request_id in served]
    check(not read_then_failed, f"requests read by a worker then failed: {read_then_failed[:5]}")
    check(all(row.start > sigterm_at and row.detail in CLOSED_UNANSWERED
              for row in unread), f"unexpected failures: {unread[:5]}")
    check(len(unread) <= LOAD_THREADS, f"{len(unread)} unread resets: more than one queued connection per client")
