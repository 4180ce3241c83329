"""Schemathesis's own command line, `--checks all`, against a real gunicorn serving the service.

This is the run a new integrator would make (`schemathesis run openapi.yaml --checks all --url ...`),
so nothing of ours sits between the tool and the service: no tolerated divergence, no excluded check.
Every documented operation gets the document's examples, the coverage phase (boundary values,
unexpected methods, missing or odd headers) and Hypothesis-generated requests, schema-valid and
schema-breaking; every response must be documented (status, content type, headers, body), valid data
accepted and invalid data refused. The budget and determinism live in schemathesis.toml beside this
file; the NDJSON event report (a documented report format) gives the per-operation case counts.
"""
from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from server import ROOT, GunicornServer
from spec_check import load_spec
from tooling import find_tool

pytestmark = pytest.mark.e2e

CONFIG = Path(__file__).with_name("schemathesis.toml")
ARTIFACTS = ROOT / ".run" / "artifacts"
# What the run must reach, so a config change cannot quietly shrink it to nothing.
MIN_ASSESS_CASES = 1_000
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _case_counts(report: Path) -> Counter[str]:
    """Generated cases per operation label ("POST /assess"), summed over every phase."""
    counts: Counter[str] = Counter()
    for line in report.read_text(encoding="utf-8").splitlines():
        event: dict[str, Any] = json.loads(line)
        finished = event.get("ScenarioFinished")
        if finished and finished.get("recorder", {}).get("cases"):
            counts[finished["recorder"]["label"]] += len(finished["recorder"]["cases"])
    return counts


def _documented_operations() -> set[str]:
    return {f"{method.upper()} {path}" for path, item in load_spec()["paths"].items()
            for method in item if method in METHODS}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Counter[str]]:
    schemathesis = find_tool("schemathesis")
    tmp = tmp_path_factory.mktemp("schemathesis")
    with GunicornServer(tmp) as server:
        completed = subprocess.run(
            [schemathesis, "--config-file", str(CONFIG), "run", str(ROOT / "openapi.yaml"), "--url", server.url,
             "--checks", "all", "--no-color", "--report", "ndjson", "--report-ndjson-path", str(tmp / "events.ndjson")],
            cwd=tmp, capture_output=True, text=True, timeout=1800, env={**os.environ, "NO_COLOR": "1"},
        )
        server_log = server.log()
    counts = _case_counts(tmp / "events.ndjson")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    summary = completed.stdout[completed.stdout.rfind("SUMMARY"):]
    (ARTIFACTS / "schemathesis-summary.txt").write_text(
        summary + "\nCases per operation:\n" + "".join(f"  {k}: {v}\n" for k, v in sorted(counts.items())))
    print(f"\nschemathesis --checks all: {sum(counts.values())} cases; {dict(sorted(counts.items()))}")
    if completed.returncode != 0:
        pytest.fail(f"schemathesis exited {completed.returncode}:\n{completed.stdout[-8000:]}\n{completed.stderr[-2000:]}"
                    f"\n--- gunicorn log ---\n{server_log[-3000:]}")
    return completed, counts


def test_every_check_passes_on_every_operation(run: tuple[subprocess.CompletedProcess[str], Counter[str]]) -> None:
    completed, counts = run
    assert "No issues found" in completed.stdout, completed.stdout[-4000:]
    assert set(counts) == _documented_operations(), "schemathesis must reach every documented operation"


def test_the_budget_is_real(run: tuple[subprocess.CompletedProcess[str], Counter[str]]) -> None:
    _completed, counts = run
    assert counts["POST /assess"] >= MIN_ASSESS_CASES, counts


def _link_objects(spec: dict[str, Any]) -> list[str]:
    """Where the document declares OpenAPI Link objects: a response's `links`, or components/links.
    (Only there: a schema may well have a property named "links", as a CDS Hooks card does.)"""
    responses = [(f"{m.upper()} {p} {s}", r) for p, item in spec["paths"].items() for m, op in item.items()
                 if m in METHODS for s, r in op.get("responses", {}).items()]
    responses += [(f"components/responses/{n}", r) for n, r in spec.get("components", {}).get("responses", {}).items()]
    found = [where for where, response in responses if "links" in response]
    return found + (["components/links"] if spec.get("components", {}).get("links") else [])


def test_stateful_testing_does_not_apply() -> None:
    """The stateful phase is on, but the service is stateless: no OpenAPI links, no call sequences.

    When openapi.yaml gains links, this fails: then assert the stateful phase ran in the report.
    """
    assert _link_objects(load_spec()) == []
