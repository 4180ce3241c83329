"""The Grafana dashboard in k8s/base/dashboards: the panels issue 3 asks for, and valid PromQL.

Every query (panel targets, annotations, template variables) is made concrete by replacing the
Grafana variables and loaded as recording rules into a temporary file for `promtool check rules`,
which parses and type-checks each expression.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from tooling import exported_metric_names, find_tool

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD_FILE = ROOT / "k8s" / "base" / "dashboards" / "cramp-advice.json"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}

REQUIRED_PANELS = (
    "Request rate",
    "Error ratio",
    "Latency percentiles (/assess)",
    "In-flight requests per pod",
    "Disposition mix",
    "Top red flags",
    "Validation failures by field",
    "Knowledge-base version per pod",
)
AGREED_METRICS = exported_metric_names()
# Concrete stand-ins for the Grafana variables a query may use.
GRAFANA_VARIABLES = {
    "__rate_interval": "5m",
    "__interval": "1m",
    "__range": "1h",
    "namespace": "cramp-advice",
    "pod": ".*",
    "datasource": "prometheus",
}
VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")
LABEL_VALUES = re.compile(r"^\s*label_values\((.*),\s*\w+\s*\)\s*$", re.DOTALL)


def promtool() -> str:
    return find_tool("promtool", "the Debian package `prometheus`")


def concrete(expr: str) -> str:
    """The query with Grafana variables replaced; an unknown variable is a test failure."""

    def replace(match: re.Match[str]) -> str:
        name = next(group for group in match.groups() if group)
        assert name in GRAFANA_VARIABLES, f"unknown Grafana variable ${name} in {expr!r}"
        return GRAFANA_VARIABLES[name]

    return VARIABLE.sub(replace, expr)


def all_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Panels in order, including those nested in (collapsed) rows."""
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels", []))


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    """The dashboard JSON as committed."""
    return json.loads(DASHBOARD_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def panels(dashboard: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Non-row panels by title."""
    found = [p for p in all_panels(dashboard["panels"]) if p["type"] != "row"]
    titles = [p["title"] for p in found]
    assert len(titles) == len(set(titles)), "duplicate panel titles"
    return {p["title"]: p for p in found}


def queries(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, PromQL) for every panel target, annotation and query variable."""
    found = []
    for panel in all_panels(dashboard["panels"]):
        for target in panel.get("targets", []):
            found.append((f"panel {panel['title']!r} {target['refId']}", target["expr"]))
    for annotation in dashboard["annotations"]["list"]:
        if "expr" in annotation:
            found.append((f"annotation {annotation['name']!r}", annotation["expr"]))
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            match = LABEL_VALUES.match(variable["query"]["query"])
            assert match, f"variable {variable['name']}: expected label_values(selector, label)"
            found.append((f"variable {variable['name']!r}", match.group(1)))
    return found


def test_dashboard_header(dashboard: dict[str, Any]) -> None:
    assert dashboard["uid"] == "cramp-advice"
    assert 36 <= dashboard["schemaVersion"] <= 41
    ids = [p["id"] for p in all_panels(dashboard["panels"])]
    assert len(ids) == len(set(ids)), "duplicate panel ids"


def test_datasource_and_pod_variables(dashboard: dict[str, Any]) -> None:
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    pod = variables["pod"]
    assert pod["type"] == "query"
    assert pod["datasource"] == DATASOURCE
    assert pod["multi"] and pod["includeAll"] and pod["allValue"] == ".*"


@pytest.mark.parametrize("title", REQUIRED_PANELS)
def test_required_panel_exists_with_a_query(panels: dict[str, dict[str, Any]], title: str) -> None:
    assert title in panels, f"missing panel {title!r}"
    assert panels[title]["targets"], f"panel {title!r} has no query"


def test_panels_query_the_datasource_variable_and_filter_by_pod(
    panels: dict[str, dict[str, Any]],
) -> None:
    for title, panel in panels.items():
        assert panel["datasource"] == DATASOURCE, title
        for target in panel["targets"]:
            assert target["datasource"] == DATASOURCE, title
            assert 'job="cramp-advice"' in target["expr"], title
            assert 'pod=~"$pod"' in target["expr"], title


def test_queries_use_only_agreed_metrics(dashboard: dict[str, Any]) -> None:
    for where, expr in queries(dashboard):
        used = set(re.findall(r"\bcramp_[a-z_]+\b", expr))
        assert used <= AGREED_METRICS, f"{where}: unknown metrics {used - AGREED_METRICS}"


def test_knowledge_base_panel_shows_version_and_hash_per_pod(
    panels: dict[str, dict[str, Any]],
) -> None:
    (target,) = panels["Knowledge-base version per pod"]["targets"]
    assert "cramp_knowledge_base_info" in target["expr"]
    grouping = re.search(r"\bby\s*\(([^)]*)\)", target["expr"])
    assert grouping, "the panel must aggregate by pod, version and sha256"
    assert {"pod", "version", "sha256"} <= {label.strip() for label in grouping.group(1).split(",")}


def test_every_query_parses_with_promtool(dashboard: dict[str, Any], tmp_path: Path) -> None:
    found = queries(dashboard)
    rules = [
        {"record": f"dashboard:query_{index}:check", "expr": concrete(expr)}
        for index, (_, expr) in enumerate(found)
    ]
    rules_file = tmp_path / "dashboard-queries.yml"
    rules_file.write_text(
        yaml.safe_dump({"groups": [{"name": "dashboard-queries", "rules": rules}]}, sort_keys=False),
        encoding="utf-8",
    )
    result = subprocess.run(
        [promtool(), "check", "rules", str(rules_file)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    listing = "\n".join(f"{i}: {where}" for i, (where, _) in enumerate(found))
    assert result.returncode == 0, f"{result.stdout}{result.stderr}\nqueries:\n{listing}"
    assert f"SUCCESS: {len(rules)} rules found" in result.stdout


def test_concrete_rejects_unknown_variables() -> None:
    assert concrete('x{pod=~"${pod:regex}"}[$__rate_interval]') == 'x{pod=~".*"}[5m]'
    with pytest.raises(AssertionError):
        concrete("rate(x[$__unknown])")
