"""The PrometheusRule in k8s/base: its shape, the alerts issue 3 asks for, and promtool.

spec.groups of the PrometheusRule is the single source of truth; these tests extract it into a
plain rules file (the format promtool reads) next to copies of the unit tests in
k8s/monitoring/tests/, whose `rule_files` name it `rules.yml`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tooling import exported_metric_names, find_tool

ROOT = Path(__file__).resolve().parents[2]
RULE_FILE = ROOT / "k8s" / "base" / "prometheusrule.yaml"
DEPLOYMENT_FILE = ROOT / "k8s" / "base" / "deployment.yaml"
UNIT_TEST_DIR = ROOT / "k8s" / "monitoring" / "tests"
UNIT_TEST_FILES = sorted(UNIT_TEST_DIR.glob("*.yml"))

# Metric names agreed in the ops spec (plus the series a histogram exposes, and Prometheus' `up`).
AGREED_METRICS = exported_metric_names()
# Labels an alert may be grouped or joined by: placement and versions, never request content.
GROUPING_LABELS = {"namespace", "job", "pod", "le", "version", "sha256"}

# alert -> (severity, for): the design agreed for issue 3.
EXPECTED_ALERTS = {
    "CrampAdviceHighErrorRatio": ("critical", "5m"),
    "CrampAdviceAssessLatencyHigh": ("warning", "10m"),
    "CrampAdviceNoScrapeTargets": ("critical", "5m"),
    "CrampAdviceWorkersSaturated": ("warning", "5m"),
    "CrampAdviceEmergencyShareShift": ("warning", "15m"),
    "CrampAdviceUrgentOrEmergencyShareShift": ("warning", "15m"),
    "CrampAdviceRedFlagRateSurge": ("warning", "15m"),
    "CrampAdviceRedFlagRateDrop": ("warning", "15m"),
    "CrampAdviceKnowledgeBaseVersionMismatch": ("warning", "15m"),
}


def promtool() -> str:
    return find_tool("promtool", "the Debian package `prometheus`")


def run_promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run promtool and keep its output for the assertion message."""
    return subprocess.run(
        [promtool(), *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def prometheus_rule() -> dict[str, Any]:
    """The PrometheusRule object as committed."""
    return yaml.safe_load(RULE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def alerts(prometheus_rule: dict[str, Any]) -> list[dict[str, Any]]:
    """Every alerting rule across the groups."""
    return [r for g in prometheus_rule["spec"]["groups"] for r in g["rules"] if "alert" in r]


@pytest.fixture(scope="module")
def rules_dir(prometheus_rule: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with rules.yml (spec.groups as a plain rules file) and the unit-test files."""
    directory = tmp_path_factory.mktemp("prometheus-rules")
    rules = {"groups": prometheus_rule["spec"]["groups"]}
    (directory / "rules.yml").write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    for test_file in UNIT_TEST_FILES:
        shutil.copy(test_file, directory / test_file.name)
    return directory


def test_prometheus_rule_is_the_agreed_object(prometheus_rule: dict[str, Any]) -> None:
    assert prometheus_rule["apiVersion"] == "monitoring.coreos.com/v1"
    assert prometheus_rule["kind"] == "PrometheusRule"
    metadata = prometheus_rule["metadata"]
    assert metadata["name"] == "cramp-advice"
    assert "namespace" not in metadata, "overlays set the namespace"
    assert metadata["labels"] == {"app.kubernetes.io/name": "cramp-advice", "release": "prometheus"}
    assert set(prometheus_rule["spec"]) == {"groups"}


def test_the_agreed_alerts_exist_once_with_severity_and_for(alerts: list[dict[str, Any]]) -> None:
    names = [a["alert"] for a in alerts]
    assert len(names) == len(set(names)), "duplicate alert names"
    assert set(names) == set(EXPECTED_ALERTS)
    for alert in alerts:
        severity, for_ = EXPECTED_ALERTS[alert["alert"]]
        assert alert["labels"]["severity"] == severity, alert["alert"]
        assert alert["for"] == for_, alert["alert"]


def test_every_alert_says_what_happened_and_what_to_check(alerts: list[dict[str, Any]]) -> None:
    for alert in alerts:
        annotations = alert["annotations"]
        assert set(annotations) >= {"summary", "description"}, alert["alert"]
        assert annotations["summary"].startswith("cramp-advice: "), alert["alert"]
        assert "Check:" in annotations["description"], f"{alert['alert']}: no runbook steps"
        assert len(annotations["description"]) > 150, f"{alert['alert']}: description too thin"


def test_expressions_use_the_job_and_only_agreed_metrics(alerts: list[dict[str, Any]]) -> None:
    for alert in alerts:
        expr = alert["expr"]
        assert 'job="cramp-advice"' in expr, alert["alert"]
        used = set(re.findall(r"\bcramp_[a-z_]+\b", expr))
        assert used <= AGREED_METRICS, f"{alert['alert']}: unknown metrics {used - AGREED_METRICS}"


def test_expressions_group_only_by_placement_and_version_labels(
    alerts: list[dict[str, Any]],
) -> None:
    for alert in alerts:
        for clause in re.findall(r"\b(?:by|on|ignoring)\s*\(([^)]*)\)", alert["expr"]):
            labels = {label.strip() for label in clause.split(",") if label.strip()}
            assert labels <= GROUPING_LABELS, f"{alert['alert']}: grouped by {labels}"


def test_request_rates_use_5m_windows(alerts: list[dict[str, Any]]) -> None:
    for alert in alerts:
        for window in re.findall(r"\brate\([^\[]*\[([^\]]+)\]", alert["expr"]):
            assert window == "5m", f"{alert['alert']}: rate window {window}"


def test_saturation_threshold_uses_the_deployments_worker_count(
    alerts: list[dict[str, Any]],
) -> None:
    if not DEPLOYMENT_FILE.exists():
        pytest.skip("no base Deployment yet")
    docs = [d for d in yaml.safe_load_all(DEPLOYMENT_FILE.read_text(encoding="utf-8")) if d]
    (deployment,) = [d for d in docs if d.get("kind") == "Deployment"]
    env = {
        e["name"]: e.get("value")
        for c in deployment["spec"]["template"]["spec"]["containers"]
        for e in c.get("env", [])
    }
    (saturation,) = [a for a in alerts if a["alert"] == "CrampAdviceWorkersSaturated"]
    assert f">= 0.8 * {int(env['WEB_CONCURRENCY'])}" in saturation["expr"]


def test_promtool_check_rules_passes(rules_dir: Path, alerts: list[dict[str, Any]]) -> None:
    result = run_promtool("check", "rules", "rules.yml", cwd=rules_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alerts)} rules found" in result.stdout


def test_unit_test_files_exist_and_load_the_extracted_rules() -> None:
    assert UNIT_TEST_FILES, f"no promtool unit tests in {UNIT_TEST_DIR}"
    for test_file in UNIT_TEST_FILES:
        assert yaml.safe_load(test_file.read_text(encoding="utf-8"))["rule_files"] == ["rules.yml"]


@pytest.mark.parametrize("test_file", UNIT_TEST_FILES, ids=lambda p: p.name)
def test_promtool_unit_tests_pass(rules_dir: Path, test_file: Path) -> None:
    result = run_promtool("test", "rules", test_file.name, cwd=rules_dir)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_firing_and_a_quiet_unit_test(alerts: list[dict[str, Any]]) -> None:
    firing: set[str] = set()
    quiet: set[str] = set()
    for test_file in UNIT_TEST_FILES:
        for group in yaml.safe_load(test_file.read_text(encoding="utf-8"))["tests"]:
            for case in group.get("alert_rule_test", []):
                expected = case.get("exp_alerts") or []
                (firing if expected else quiet).add(case["alertname"])
                for exp in expected:
                    assert exp["exp_labels"].get("severity"), case["alertname"]
                    assert set(exp["exp_annotations"]) >= {"summary", "description"}
    names = {a["alert"] for a in alerts}
    assert names - firing == set(), "alerts without a firing test"
    assert names - quiet == set(), "alerts without a not-firing test"
