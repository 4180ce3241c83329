"""openapi.yaml serves real integrators: clients generated from it by other people's tools, against a real gunicorn.

Python: openapi-python-client generates a client into a temporary folder and must print no warning;
its typed models send every public vignette through the plain (unauthenticated) `Client` and parse
every answer, and every problem a client can meet parses into the problem model the document names
for it (a `const` type or status is checked by the generated parser itself). TypeScript:
openapi-typescript types, `tsc --noEmit` over tests/contract/typescript/example.ts, and the compiled
example run with node. README: the curl, Python and fetch snippets of the same request run as written.

A 500 from the service itself cannot be provoked from outside; every other documented problem is.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import typing
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import httpx
import pytest

from vignette_files import load_vignettes
from e2e.server import GunicornServer
from spec_check import assert_response_matches_spec, schema_errors
from tooling import find_tool

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi.yaml"
README = ROOT / "README.md"
TS_DIR = Path(__file__).with_name("typescript")
PACKAGE = "cramp_advice_api_client"  # what the generator names the package after info.title
PROJECT = "cramp-advice-api-client"  # ...and the folder it writes
GENERATE = ["generate", "--path", "openapi.yaml"]  # the README's command, run where openapi.yaml is
# What the generator prints around any warning.
WARNING_HEADER = "Warning(s) encountered while generating. Client was generated, but some pieces may be missing\n"
TROUBLE = re.compile(r"warning|could not|cannot|unable|error|skipping|not in PATH", re.I)
PROBLEM_JSON = "application/problem+json"
THE_REQUEST = {  # the README's example request (curl, Python and fetch all send this one)
    "person": {"age": 49},
    "cramp": {"locations": ["calf"], "side": "right"},
    "signs": {"swelling_side": "right", "warmth": True, "breathlessness": False},
    "context": {"recent_long_travel_hours": 12},
}
THE_LEVEL = "urgent"
API_KEY = "generated-client-test-key"


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GunicornServer]:
    """The service in open mode (no API keys), as `make run` starts it."""
    with GunicornServer(tmp_path_factory.mktemp("open-server"), workers=2) as running:
        yield running


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """openapi-python-client run as the README says, in a temporary folder: its output and the project."""
    tool = find_tool("openapi-python-client")
    work = tmp_path_factory.mktemp("python-client")
    shutil.copyfile(SPEC, work / "openapi.yaml")
    # Its post-generation hooks run ruff (a dependency installed beside it) from PATH.
    env = {**os.environ, "PATH": f"{Path(tool).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([tool, *GENERATE], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    return SimpleNamespace(returncode=run.returncode, output=run.stdout + run.stderr, project=work / PROJECT)


@pytest.fixture(scope="module")
def client_package(generated: SimpleNamespace) -> Iterator[SimpleNamespace]:
    """The generated package, imported from the temporary folder (and forgotten afterwards)."""
    if generated.returncode != 0 or not (generated.project / PACKAGE).is_dir():
        pytest.fail(f"openapi-python-client failed (exit {generated.returncode}):\n{generated.output}")
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(generated.project))
        try:
            yield SimpleNamespace(
                root=importlib.import_module(PACKAGE),
                models=importlib.import_module(f"{PACKAGE}.models"),
                assess=importlib.import_module(f"{PACKAGE}.api.assessment.assess"),
                readyz=importlib.import_module(f"{PACKAGE}.api.operations.get_readyz"),
                options_assess=importlib.import_module(f"{PACKAGE}.api.cors.options_assess"),
            )
        finally:
            for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
                del sys.modules[name]


# --------------------------------------------------------------------------- the generator's output

def test_the_generator_prints_no_warning(generated: SimpleNamespace) -> None:
    left = generated.output
    assert generated.returncode == 0 and not TROUBLE.search(left), (
        f"openapi-python-client {' '.join(GENERATE)} printed more than it does for a clean document "
        f"(exit {generated.returncode}); fix openapi.yaml, not this test:\n{left}"
    )
    # A clean run says only where it wrote the client (its hooks, ruff, print nothing).
    assert [line for line in left.splitlines() if line.strip()] == [f"Generating {generated.project}"], left


def test_the_checker_catches_a_warning() -> None:
    """The check above reads the generator's real warning format (as it printed before the fix)."""
    old = (WARNING_HEADER + "\nUnable to process schema /components/schemas/PlainProblem:\n\n"
           "str can't be merged with Literal['about:blank']\n\nSkipping Integration\n\nruff is not in PATH\n")
    assert TROUBLE.search(old)


def test_open_mode_needs_no_credentials_in_the_generated_client(client_package: SimpleNamespace) -> None:
    """The document's optional auth reaches the generator: /assess takes the plain Client."""
    annotation = client_package.assess.sync_detailed.__annotations__["client"]
    assert client_package.root.Client in typing.get_args(annotation), (
        f"the generated assess() demands {annotation}; the document must say keys are optional")


# --------------------------------------------------------------------------- vignettes through the client

def test_every_public_vignette_through_the_generated_client(client_package: SimpleNamespace,
                                                            server: GunicornServer) -> None:
    models = client_package.models
    client = client_package.root.Client(base_url=server.url, raise_on_unexpected_status=True,
                                        headers={"X-Test-Traffic": "1"})
    mismatches = []
    with client:
        for case in load_vignettes():
            response = client_package.assess.sync_detailed(client=client, body=models.AssessRequest.from_dict(
                case["request"]))
            answer = response.parsed
            if not isinstance(answer, models.AssessmentResponse):
                mismatches.append(f"{case['id']}: {response.status_code} parsed as {type(answer).__name__}")
                continue
            if answer.disposition.level != models.Level(case["expected_level"]):
                mismatches.append(f"{case['id']}: level {answer.disposition.level}, expected {case['expected_level']}")
            # The typed model holds every field the service sent: nothing dropped, nothing invented.
            raw = json.loads(response.content)
            typed = answer.to_dict()
            assert answer.evaluated_at == datetime.fromisoformat(raw.pop("evaluated_at")), case["id"]
            typed.pop("evaluated_at")
            assert typed == raw, f"{case['id']}: the generated AssessmentResponse does not round-trip the answer"
    assert not mismatches, "generated client and service disagree:\n" + "\n".join(mismatches)


# --------------------------------------------------------------------------- every problem a client can meet

def check_problem(models: ModuleType, kind: str, method: str, path: str, response: httpx.Response,
                  parsed: Any = None) -> Any:
    """The body parses into `kind` (and into the generic Problem) with no member left over, as documented."""
    status = response.status_code
    where = f"{method} {path} -> {status}"
    assert response.headers["Content-Type"] == PROBLEM_JSON, where
    assert_response_matches_spec(method, path, status, response.headers.get("Content-Type"), response.content,
                                 response.headers)
    body = response.json()
    problem = parsed if parsed is not None else getattr(models, kind).from_dict(body)
    assert type(problem).__name__ == kind, f"{where}: parsed as {type(problem).__name__}, documented as {kind}"
    assert problem.status == status and problem.additional_properties == {}, (
        f"{where}: {kind} from the generated client left {problem.additional_properties} unparsed")
    assert problem.to_dict() == body, f"{where}: {kind} does not round-trip the body"
    generic = models.Problem.from_dict(body)
    assert generic.to_dict() == body and schema_errors("/components/schemas/Problem", body) == [], (
        f"{where}: not a Problem")
    return problem


def test_each_problem_parses_into_its_generated_model(client_package: SimpleNamespace,
                                                      server: GunicornServer) -> None:
    models, assess = client_package.models, client_package.assess
    client = client_package.root.Client(base_url=server.url, raise_on_unexpected_status=True,
                                        headers={"X-Test-Traffic": "1"})
    with client:
        # Through the generated operation: typed requests the service refuses.
        impossible = models.AssessRequest.from_dict({"person": {"age": 130}, "cramp": {"pain_severity": 11}})
        response = assess.sync_detailed(client=client, body=impossible)
        problem = check_problem(models, "ValidationProblem", "POST", "/assess", _as_httpx(response), response.parsed)
        assert {error.pointer for error in problem.errors} == {"/person/age", "/cramp/pain_severity"}

        too_big = models.AssessRequest.from_dict({"medications": [{"name": "x" * 100}] * 400})  # > 32 KiB
        response = assess.sync_detailed(client=client, body=too_big)
        check_problem(models, "PlainProblem", "POST", "/assess", _as_httpx(response), response.parsed)
        assert response.status_code == 413

        # Own clients for odd headers: with_headers() on an open client changes that client too.
        with client_package.root.Client(base_url=server.url, headers={"Accept": "application/xml"}) as xml_only:
            response = assess.sync_detailed(client=xml_only, body=models.AssessRequest.from_dict(THE_REQUEST))
        check_problem(models, "PlainProblem", "POST", "/assess", _as_httpx(response), response.parsed)
        assert response.status_code == 406

        with client_package.root.Client(base_url=server.url, headers={"Origin": "https://elsewhere.example"}) as cors:
            response = client_package.options_assess.sync_detailed(client=cors)
        check_problem(models, "ForbiddenProblem", "OPTIONS", "/assess", _as_httpx(response), response.parsed)

        # Raw bodies the typed models cannot produce, sent with the generated client's own httpx client.
        raw = client.get_httpx_client()
        json_type = {"Content-Type": "application/json"}
        for method, path, headers, content, kind, status in [
            ("POST", "/assess", json_type, b'{"person": ', "BadRequestProblem", 400),
            ("POST", "/assess", {"Content-Type": "text/plain"}, b"{}", "PlainProblem", 415),
            ("GET", "/nowhere", {}, None, "PlainProblem", 404),
            ("GET", "/assess", {}, None, "PlainProblem", 405),
            ("DELETE", "/livez", {}, None, "PlainProblem", 405),
        ]:
            response = raw.request(method, path, headers=headers, content=content)
            assert response.status_code == status, f"{method} {path}: {response.status_code}"
            problem = check_problem(models, kind, method, path, response)
        assert problem.status == 405 and "GET" in response.headers["Allow"]

        # Refused by gunicorn before the app runs (components/responses/HttpProtocolError).
        response = raw.post("/assess?" + "q" * 5000, headers=json_type, content=b"{}")
        assert response.status_code == 414
        check_problem(models, "PlainProblem", "POST", "/assess", response)
        response = raw.post("/assess", headers={**json_type, **{f"X-Pad-{i}": "1" for i in range(101)}},
                            content=b"{}")
        assert response.status_code == 431
        check_problem(models, "PlainProblem", "POST", "/assess", response)
    # A transfer coding gunicorn cannot decode: a 5xx, so a ServerProblem (httpx will not send one).
    response = _raw_http(server.port, b"POST /assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                      b"Transfer-Encoding: zstd\r\n\r\n{}")
    assert response.status_code == 501
    problem = check_problem(models, "ServerProblem", "POST", "/assess", response)
    assert problem.emergency_advice.strip()
    with pytest.raises(ValueError, match="must match const"):  # the 414/431/501 union tells the two apart
        models.PlainProblem.from_dict(response.json())


def test_keys_and_draining_through_the_generated_client(client_package: SimpleNamespace,
                                                        tmp_path: Path) -> None:
    """With API keys configured: AuthenticatedClient passes, the plain Client gets 401, a wrong key 403;
    then SIGTERM: /readyz answers 503 NotReadyProblem while the drain lasts."""
    models, root = client_package.models, client_package.root
    key_hash = hashlib.sha256(API_KEY.encode()).hexdigest()
    env = {"CRAMP_API_KEYS": f"tests:{key_hash}", "CRAMP_DRAIN_SECONDS": "5"}
    body = models.AssessRequest.from_dict(THE_REQUEST)
    with GunicornServer(tmp_path, workers=1, env=env) as keyed:
        with root.AuthenticatedClient(base_url=keyed.url, token=API_KEY, headers={"X-Test-Traffic": "1"}) as ok:
            answer = client_package.assess.sync(client=ok, body=body)
            assert isinstance(answer, models.AssessmentResponse) and str(answer.disposition.level) == THE_LEVEL
        for client, kind in [(root.Client(base_url=keyed.url), "UnauthorizedProblem"),
                             (root.AuthenticatedClient(base_url=keyed.url, token="not-a-key"), "ForbiddenProblem")]:
            with client:
                response = client_package.assess.sync_detailed(client=client, body=body)
                check_problem(models, kind, "POST", "/assess", _as_httpx(response), response.parsed)

        keyed.signal(signal.SIGTERM)
        with root.Client(base_url=keyed.url) as client:
            deadline = time.monotonic() + 4
            while (response := client_package.readyz.sync_detailed(client=client)).status_code == 200:
                assert time.monotonic() < deadline, "/readyz did not start failing after SIGTERM"
                time.sleep(0.05)
            check_problem(models, "NotReadyProblem", "GET", "/readyz", _as_httpx(response), response.parsed)
            assert response.headers["Retry-After"]


def _as_httpx(response: Any) -> httpx.Response:
    """The generated client's Response as the httpx response the checks read (status, headers, body)."""
    return httpx.Response(int(response.status_code), headers=dict(response.headers), content=response.content)


def _raw_http(port: int, request: bytes) -> httpx.Response:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(request)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines]
    return httpx.Response(int(status_line.split()[1]), headers=headers, content=body)


# --------------------------------------------------------------------------- TypeScript

@pytest.fixture(scope="module")
def node_modules() -> Path:
    """tests/contract/typescript's pinned npm packages, installed with `npm ci` once per lock file.

    Into .run/ (ignored by git, emptied by `make clean`), keyed by the lock's hash, so `make test` on a
    fresh machine needs only node and npm, and a changed lock installs afresh."""
    find_tool("node", "Node.js 20+")
    npm = find_tool("npm", "npm, with Node.js")
    manifest = (TS_DIR / "package.json").read_bytes() + (TS_DIR / "package-lock.json").read_bytes()
    target = ROOT / ".run" / "npm" / f"typescript-{hashlib.sha256(manifest).hexdigest()[:16]}"
    if not (target / "node_modules" / ".package-lock.json").is_file():
        staging = target.with_name(f"{target.name}.{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(TS_DIR / name, staging / name)
        run = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                             cwd=staging, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, f"npm ci in {TS_DIR} failed:\n{run.stdout}{run.stderr}"
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return target / "node_modules"


@pytest.fixture(scope="module")
def typescript(node_modules: Path, tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """example.ts and its tsconfig in a work folder, with openapi.ts generated beside them."""
    work = tmp_path_factory.mktemp("typescript")
    for name in ("example.ts", "tsconfig.json"):
        shutil.copyfile(TS_DIR / name, work / name)
    (work / "node_modules").symlink_to(node_modules, target_is_directory=True)
    (work / "package.json").write_text('{"type": "module"}\n')  # the compiled example is an ES module
    node = find_tool("node", "Node.js 20+")
    run = subprocess.run([node, str(node_modules / "openapi-typescript" / "bin" / "cli.js"), str(SPEC),
                          "--output", str(work / "openapi.ts")], capture_output=True, text=True, timeout=120)
    output = run.stdout + run.stderr
    assert run.returncode == 0 and not TROUBLE.search(output), f"openapi-typescript complained:\n{output}"
    return SimpleNamespace(work=work, node=node, tsc=str(node_modules / "typescript" / "bin" / "tsc"))


def tsc(ts: SimpleNamespace, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ts.node, ts.tsc, "-p", str(ts.work / "tsconfig.json"), *args], cwd=ts.work,
                          capture_output=True, text=True, timeout=120)


def test_the_typescript_example_type_checks(typescript: SimpleNamespace) -> None:
    run = tsc(typescript, "--noEmit")
    assert run.returncode == 0, (
        f"tsc --noEmit rejects example.ts against the types generated from openapi.yaml:\n{run.stdout}{run.stderr}")


def test_the_generated_types_catch_a_misread_field(typescript: SimpleNamespace) -> None:
    """The types are real, not `any`: a misspelt response field and a string age fail the check."""
    source = (typescript.work / "example.ts").read_text()
    broken = source.replace("answer.disposition.level", "answer.disposition.levle").replace(
        "person: { age: 49 }", 'person: { age: "49" }')
    assert broken != source and broken.count("levle") == 1
    (typescript.work / "example.ts").write_text(broken)
    try:
        run = tsc(typescript, "--noEmit")
    finally:
        (typescript.work / "example.ts").write_text(source)
    assert run.returncode != 0, "tsc accepted a misspelt field and a string age: the generated types are too loose"
    assert "'levle' does not exist" in run.stdout and "'string' is not assignable to type 'number'" in run.stdout, (
        run.stdout)


def test_the_typescript_example_runs_against_the_server(typescript: SimpleNamespace, server: GunicornServer) -> None:
    out = typescript.work / "out"
    run = tsc(typescript, "--outDir", str(out))
    assert run.returncode == 0, f"tsc could not compile example.ts:\n{run.stdout}{run.stderr}"
    emergency = next(case for case in load_vignettes() if case["expected_level"] == "emergency")
    for request, expected in [(None, THE_LEVEL), (emergency["request"], "emergency")]:
        argv = [typescript.node, str(out / "example.js"), server.url]
        if request is not None:
            argv.append(json.dumps(request))
        ran = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        assert (ran.returncode, ran.stdout) == (0, expected + "\n"), (
            f"node example.js printed {ran.stdout!r} (expected {expected!r}):\n{ran.stderr}")


# --------------------------------------------------------------------------- the README's snippets

def readme_block(language: str, must_contain: str) -> str:
    """The one fenced block of `language` in README.md that contains `must_contain`."""
    blocks = re.findall(rf"^```{language}\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)
    found = [block for block in blocks if must_contain in block]
    assert len(found) == 1, f"README.md has {len(found)} ```{language} blocks with {must_contain!r}, expected one"
    return found[0]


def test_the_readme_names_the_generator_command_this_module_runs() -> None:
    assert f"openapi-python-client {' '.join(GENERATE)}" in readme_block("sh", "openapi-python-client generate")


def same_request(name: str, block: str) -> None:
    """The snippet sends the README's example request (the one curl sends)."""
    for key, value in [("age", "49"), ("locations", "calf"), ("side", "right"), ("swelling_side", "right"),
                       ("warmth", "true"), ("breathlessness", "false"), ("recent_long_travel_hours", "12")]:
        assert re.search(rf"\b{key}\W+{value}\b", block, re.I), f"README's {name} snippet lacks {key}: {value}"


def test_the_readme_curl_snippet(server: GunicornServer) -> None:
    block = readme_block("sh", "curl -s -X POST localhost:8000/assess")
    same_request("curl", block)
    curl = find_tool("curl", "the curl package")
    command = block.replace("curl ", f"{curl} ", 1).replace("localhost:8000", server.url.removeprefix("http://"))
    ran = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, f"README's curl snippet failed:\n{ran.stderr}"
    assert json.loads(ran.stdout)["disposition"]["level"] == THE_LEVEL, ran.stdout


def test_the_readme_python_snippet(server: GunicornServer, generated: SimpleNamespace, tmp_path: Path) -> None:
    """Run as written, with the client this module generated on its path (as `pip install` would put it)."""
    block = readme_block("python", PACKAGE)
    same_request("Python", block)
    assert "http://127.0.0.1:8000" in block
    ran = subprocess.run([sys.executable, "-c", block.replace("http://127.0.0.1:8000", server.url)],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(generated.project)})
    assert (ran.returncode, ran.stdout) == (0, THE_LEVEL + "\n"), f"README's Python snippet:\n{ran.stdout}{ran.stderr}"


def test_the_readme_fetch_snippet(server: GunicornServer, tmp_path: Path) -> None:
    block = readme_block("js", "fetch(")
    same_request("fetch", block)
    assert "http://127.0.0.1:8000" in block
    node = find_tool("node", "Node.js 20+")
    script = tmp_path / "readme.mjs"  # a module, so top-level await works as in a browser console
    script.write_text(block.replace("http://127.0.0.1:8000", server.url))
    ran = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60)
    assert (ran.returncode, ran.stdout) == (0, THE_LEVEL + "\n"), f"README's fetch snippet:\n{ran.stdout}{ran.stderr}"
