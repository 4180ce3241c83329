"""Kubernetes manifests: every overlay renders, validates, and says what ops agreed.

Each overlay is rendered with `kubectl kustomize`; the built-in kinds go through
`kubernetes-validate --strict` (against the oldest Kubernetes minor we target and
the newest the tool bundles). The tool has no schemas for the Prometheus Operator
CRDs and only warns about them, so those kinds are taken out by name (CRD_KINDS)
before validation, any remaining warning fails the test, and the CRD objects are
checked here against the fields of their upstream CRD schemas instead.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tooling import find_tool
import yaml

ROOT = Path(__file__).resolve().parents[2]
OVERLAYS_DIR = ROOT / "k8s" / "overlays"
APP_LABELS = {"app.kubernetes.io/name": "cramp-advice"}
APP_UID = 10001
JOB = "cramp-advice"
DEFAULT_GRACEFUL_TIMEOUT = 20  # gunicorn.conf.py default (ops spec)
DEFAULT_WEB_CONCURRENCY = 2  # gunicorn.conf.py default (ops spec)
SHUTDOWN_MARGIN_SECONDS = 5
OLDEST_KUBERNETES = "1.31"

# Not known to kubernetes-validate: skipped there on purpose, checked below instead.
CRD_KINDS = frozenset(
    {
        ("monitoring.coreos.com/v1", "ServiceMonitor"),
        ("monitoring.coreos.com/v1", "PrometheusRule"),
    }
)
REQUIRED_KINDS = frozenset(
    {
        "Namespace",
        "ServiceAccount",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ServiceMonitor",
        "PrometheusRule",
        "ConfigMap",
    }
)
CLUSTER_SCOPED = frozenset({"Namespace"})


@dataclass(frozen=True)
class Expected:
    namespace: str
    min_replicas: int
    max_replicas: int
    image_tag: re.Pattern[str]
    pdb_min_available: int | None


OVERLAYS = {
    "dev": Expected("cramp-advice-dev", 1, 2, re.compile(r"dev"), None),
    "prod": Expected("cramp-advice", 3, 10, re.compile(r"\d+\.\d+\.\d+"), 2),
}


@dataclass(frozen=True)
class Rendered:
    overlay: str
    expected: Expected
    objects: tuple[dict[str, Any], ...]

    def one(self, kind: str) -> dict[str, Any]:
        found = [o for o in self.objects if o["kind"] == kind]
        assert len(found) == 1, f"{self.overlay}: expected one {kind}, found {len(found)}"
        return found[0]

    @property
    def pod(self) -> dict[str, Any]:
        return self.one("Deployment")["spec"]["template"]

    @property
    def container(self) -> dict[str, Any]:
        containers = self.pod["spec"]["containers"]
        assert len(containers) == 1
        return containers[0]

    @property
    def env(self) -> dict[str, str]:
        return {e["name"]: e.get("value", "") for e in self.container.get("env", [])}

    @property
    def container_ports(self) -> dict[str, int]:
        return {p["name"]: p["containerPort"] for p in self.container["ports"]}


@pytest.fixture(scope="module", params=sorted(OVERLAYS))
def rendered(request: pytest.FixtureRequest) -> Rendered:
    """One overlay rendered by `kubectl kustomize`, parsed."""
    kubectl = find_tool("kubectl")
    overlay = request.param
    result = subprocess.run(
        [kubectl, "kustomize", str(OVERLAYS_DIR / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    objects = tuple(o for o in yaml.safe_load_all(result.stdout) if o)
    return Rendered(overlay, OVERLAYS[overlay], objects)


def subset(small: dict[str, str], big: dict[str, str] | None) -> bool:
    return bool(small) and all((big or {}).get(k) == v for k, v in small.items())


def cpu_cores(quantity: str | int | float) -> Decimal:
    text = str(quantity)
    return Decimal(text[:-1]) / 1000 if text.endswith("m") else Decimal(text)


def workers_for(cpu_request: str | int | float) -> int:
    """The rule: 2 workers per requested core, rounded half up, at least 1."""
    doubled = (2 * cpu_cores(cpu_request)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(1, int(doubled))


BINARY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def memory_bytes(quantity: str) -> int:
    for suffix, factor in BINARY_SUFFIXES.items():
        if quantity.endswith(suffix):
            return int(quantity[: -len(suffix)]) * factor
    return int(quantity)


def prestop_sleep_seconds(container: dict[str, Any]) -> int:
    pre_stop = container["lifecycle"]["preStop"]
    if "sleep" in pre_stop:
        return int(pre_stop["sleep"]["seconds"])
    words = " ".join(pre_stop["exec"]["command"])
    match = re.fullmatch(r"(?:/bin/sh -c )?(?:/bin/|/usr/bin/)?sleep (\d+)", words)
    assert match, f"preStop must be a plain sleep, got {words!r}"
    return int(match.group(1))


# --- rendering and schema validation ---------------------------------------------------


def test_renders_required_kinds_into_overlay_namespace(rendered: Rendered) -> None:
    kinds = {o["kind"] for o in rendered.objects}
    assert kinds >= REQUIRED_KINDS, f"missing: {sorted(REQUIRED_KINDS - kinds)}"
    for obj in rendered.objects:
        if obj["kind"] in CLUSTER_SCOPED:
            continue
        assert obj["metadata"].get("namespace") == rendered.expected.namespace, obj["kind"]
    namespace = rendered.one("Namespace")
    assert namespace["metadata"]["name"] == rendered.expected.namespace
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


@pytest.mark.parametrize("kubernetes_version", [OLDEST_KUBERNETES, "bundled-latest"])
def test_builtin_kinds_pass_strict_schema_validation(
    rendered: Rendered, kubernetes_version: str, tmp_path: Path
) -> None:
    validator = find_tool("kubernetes-validate")
    builtin = [o for o in rendered.objects if (o["apiVersion"], o["kind"]) not in CRD_KINDS]
    manifest = tmp_path / f"{rendered.overlay}.yaml"
    manifest.write_text(yaml.safe_dump_all(builtin))
    command = [validator, "--strict"]
    if kubernetes_version != "bundled-latest":
        command += ["--kubernetes-version", kubernetes_version]
    result = subprocess.run([*command, str(manifest)], capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # An unknown kind is only a WARN with exit 0: treat it as a failure, so nothing
    # is skipped unless it is listed in CRD_KINDS.
    assert "WARN" not in output and "ERROR" not in output, output
    assert output.count(" passed for resource ") == len(builtin), output


def test_strict_validation_rejects_unknown_fields(tmp_path: Path) -> None:
    """Guards the check above: --strict must still fail on a misspelt field."""
    validator = find_tool("kubernetes-validate")
    manifest = tmp_path / "bad.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "x"},
                "spec": {"ports": [{"port": 80}], "selectr": {"a": "b"}},
            }
        )
    )
    result = subprocess.run(
        [validator, "--strict", str(manifest)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0


# --- Deployment --------------------------------------------------------------------------


def test_pod_runs_restricted(rendered: Rendered) -> None:
    spec = rendered.pod["spec"]
    pod_security = spec["securityContext"]
    assert pod_security["runAsNonRoot"] is True
    assert pod_security["runAsUser"] == APP_UID
    assert pod_security["runAsGroup"] == APP_UID
    assert pod_security["seccompProfile"]["type"] == "RuntimeDefault"
    assert spec.get("automountServiceAccountToken") is False
    assert not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC")
    for container in spec["containers"] + spec.get("initContainers", []):
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False, container["name"]
        assert security["readOnlyRootFilesystem"] is True, container["name"]
        assert security["capabilities"]["drop"] == ["ALL"], container["name"]
        assert not security["capabilities"].get("add"), container["name"]
        assert security.get("privileged", False) is False, container["name"]
        assert security.get("runAsNonRoot", True) is True, container["name"]
        assert security.get("runAsUser", APP_UID) == APP_UID, container["name"]
        profile = security.get("seccompProfile", pod_security["seccompProfile"])
        assert profile["type"] == "RuntimeDefault", container["name"]


def test_writable_paths_are_size_limited_memory_empty_dirs(rendered: Rendered) -> None:
    volumes = {v["name"]: v for v in rendered.pod["spec"]["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in rendered.container["volumeMounts"]}
    for path in ("/tmp", "/metrics"):
        assert path in mounts, f"{path} must be mounted (read-only root filesystem)"
        empty_dir = volumes[mounts[path]]["emptyDir"]
        assert empty_dir["medium"] == "Memory"
        assert memory_bytes(empty_dir["sizeLimit"]) > 0
    assert rendered.env.get("PROMETHEUS_MULTIPROC_DIR", "/metrics") == "/metrics"


def test_ports_binds_and_probes(rendered: Rendered) -> None:
    ports = rendered.container_ports
    assert ports == {"http": 8000, "metrics": 9100}
    assert rendered.env["BIND"] == f"0.0.0.0:{ports['http']}"
    assert rendered.env["METRICS_BIND"] == f"0.0.0.0:{ports['metrics']}"
    expected_paths = {
        "startupProbe": "/livez",
        "livenessProbe": "/livez",
        "readinessProbe": "/readyz",
    }
    for probe, path in expected_paths.items():
        get = rendered.container[probe]["httpGet"]
        assert get["path"] == path, probe
        assert get["port"] in ("http", ports["http"]), probe


def test_no_replicas_and_hpa_owns_the_count(rendered: Rendered) -> None:
    deployment = rendered.one("Deployment")
    assert "replicas" not in deployment["spec"]
    hpa = rendered.one("HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    assert target == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert hpa["spec"]["minReplicas"] == rendered.expected.min_replicas
    assert hpa["spec"]["maxReplicas"] == rendered.expected.max_replicas
    assert hpa["spec"]["metrics"], "an HPA needs at least one metric"


def test_termination_grace_covers_prestop_and_graceful_timeout(rendered: Rendered) -> None:
    grace = rendered.pod["spec"]["terminationGracePeriodSeconds"]
    sleep = prestop_sleep_seconds(rendered.container)
    graceful = int(rendered.env.get("GUNICORN_GRACEFUL_TIMEOUT", DEFAULT_GRACEFUL_TIMEOUT))
    assert sleep > 0
    assert grace >= sleep + graceful + SHUTDOWN_MARGIN_SECONDS


def test_web_concurrency_follows_cpu_request(rendered: Rendered) -> None:
    """Rule: WEB_CONCURRENCY = 2 x CPU request in cores, rounded half up, minimum 1."""
    cpu = rendered.container["resources"]["requests"]["cpu"]
    workers = int(rendered.env.get("WEB_CONCURRENCY", DEFAULT_WEB_CONCURRENCY))
    assert workers == workers_for(cpu), f"cpu request {cpu} -> {workers_for(cpu)} workers"


@pytest.mark.parametrize(
    ("cpu", "workers"),
    [("1", 2), (1, 2), ("500m", 1), ("250m", 1), ("750m", 2), ("1500m", 3), ("2", 4)],
)
def test_worker_rule(cpu: str | int, workers: int) -> None:
    assert workers_for(cpu) == workers


def test_resources_cover_memory_backed_volumes(rendered: Rendered) -> None:
    resources = rendered.container["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"])
    limit = memory_bytes(resources["limits"]["memory"])
    assert limit >= memory_bytes(resources["requests"]["memory"])
    in_memory = sum(
        memory_bytes(v["emptyDir"]["sizeLimit"])
        for v in rendered.pod["spec"]["volumes"]
        if v.get("emptyDir", {}).get("medium") == "Memory"
    )
    assert limit > in_memory, "tmpfs emptyDirs count against the memory limit"


def test_image_tag_per_overlay(rendered: Rendered) -> None:
    image = rendered.container["image"]
    name, _, tag = image.rpartition(":")
    assert name.endswith("cramp-advice-api")
    assert tag != "latest"
    assert rendered.expected.image_tag.fullmatch(tag), image


def test_pdb_selects_pods_and_allows_drains(rendered: Rendered) -> None:
    pdb = rendered.one("PodDisruptionBudget")["spec"]
    assert subset(pdb["selector"]["matchLabels"], rendered.pod["metadata"]["labels"])
    expected = rendered.expected.pdb_min_available
    if expected is not None:
        assert pdb["minAvailable"] == expected
        assert "maxUnavailable" not in pdb
    min_available = pdb.get("minAvailable")
    if isinstance(min_available, int):
        assert min_available < rendered.expected.min_replicas, "a drain could never evict"
    else:
        assert pdb.get("maxUnavailable", 0) not in (0, "0%")


# --- Service, monitoring ---------------------------------------------------------------


def test_service_selects_pods_and_names_ports(rendered: Rendered) -> None:
    service = rendered.one("Service")
    assert service["metadata"]["name"] == "cramp-advice"
    assert subset(service["spec"]["selector"], rendered.pod["metadata"]["labels"])
    ports = {p["name"]: (p["port"], p["targetPort"]) for p in service["spec"]["ports"]}
    assert ports == {"http": (8000, "http"), "metrics": (9100, "metrics")}


def test_servicemonitor_scrapes_the_metrics_port_as_job(rendered: Rendered) -> None:
    service = rendered.one("Service")
    monitor = rendered.one("ServiceMonitor")
    spec = monitor["spec"]
    assert monitor["metadata"]["namespace"] == service["metadata"]["namespace"]
    assert subset(spec["selector"]["matchLabels"], service["metadata"]["labels"])
    service_ports = {p["name"] for p in service["spec"]["ports"]}
    endpoints = spec["endpoints"]
    assert [e["port"] for e in endpoints] == ["metrics"]
    assert {e["port"] for e in endpoints} <= service_ports
    assert all(e.get("path", "/metrics") == "/metrics" for e in endpoints)
    assert service["metadata"]["labels"][spec["jobLabel"]] == JOB


DURATION = (
    r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"
)
STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
LABEL_SELECTOR = {
    "type": "object",
    "properties": {
        "matchLabels": STRING_MAP,
        "matchExpressions": {"type": "array"},
    },
    "additionalProperties": False,
}


def unchecked(names: str) -> dict[str, dict[str, Any]]:
    """Fields the CRD has but this deployment does not use: allowed, not type-checked."""
    return {name: {} for name in names.split()}


# Field names and the types of the fields used here, from the v1 CRDs of
# prometheus-operator (example/prometheus-operator-crd/, 2026).
SERVICE_MONITOR_SPEC = {
    "type": "object",
    "required": ["endpoints", "selector"],
    "additionalProperties": False,
    "properties": {
        **unchecked(
            "attachMetadata bodySizeLimit convertClassicHistogramsToNHCB "
            "fallbackScrapeProtocol keepDroppedTargets labelLimit labelNameLengthLimit "
            "labelValueLengthLimit namespaceSelector nativeHistogramBucketLimit "
            "nativeHistogramMinBucketFactor podTargetLabels sampleLimit scrapeClass "
            "scrapeClassicHistograms scrapeNativeHistograms scrapeProtocols "
            "selectorMechanism serviceDiscoveryRole targetLabels targetLimit"
        ),
        "jobLabel": {"type": "string"},
        "selector": LABEL_SELECTOR,
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    **unchecked(
                        "authorization basicAuth bearerTokenFile bearerTokenSecret "
                        "enableHttp2 filterRunning followRedirects honorLabels "
                        "honorTimestamps metricRelabelings noProxy oauth2 params "
                        "proxyConnectHeader proxyFromEnvironment proxyUrl relabelings "
                        "targetPort tlsConfig trackTimestampsStaleness"
                    ),
                    "port": {"type": "string"},
                    "path": {"type": "string"},
                    "scheme": {"enum": ["http", "https", "HTTP", "HTTPS"]},
                    "interval": {"type": "string", "pattern": DURATION},
                    "scrapeTimeout": {"type": "string", "pattern": DURATION},
                },
            },
        },
    },
}
PROMETHEUS_RULE_SPEC = {
    "type": "object",
    "required": ["groups"],
    "additionalProperties": False,
    "properties": {
        "groups": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "rules"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "interval": {"type": "string", "pattern": DURATION},
                    "query_offset": {"type": "string", "pattern": DURATION},
                    "labels": STRING_MAP,
                    "limit": {"type": "integer"},
                    "partial_response_strategy": {"type": "string"},
                    "rules": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["expr"],
                            "additionalProperties": False,
                            "properties": {
                                "alert": {"type": "string", "minLength": 1},
                                "record": {"type": "string", "minLength": 1},
                                "expr": {"type": ["string", "integer"], "minLength": 1},
                                "for": {"type": "string", "pattern": DURATION},
                                "keep_firing_for": {"type": "string", "pattern": DURATION},
                                "labels": STRING_MAP,
                                "annotations": STRING_MAP,
                            },
                            "oneOf": [{"required": ["alert"]}, {"required": ["record"]}],
                        },
                    },
                },
            },
        }
    },
}
CRD_SPEC_SCHEMAS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): SERVICE_MONITOR_SPEC,
    ("monitoring.coreos.com/v1", "PrometheusRule"): PROMETHEUS_RULE_SPEC,
}


def test_every_skipped_crd_kind_has_a_field_check() -> None:
    assert set(CRD_SPEC_SCHEMAS) == CRD_KINDS


def test_crd_objects_match_their_crd_fields(rendered: Rendered) -> None:
    crds = [o for o in rendered.objects if (o["apiVersion"], o["kind"]) in CRD_KINDS]
    assert {o["kind"] for o in crds} == {kind for _, kind in CRD_KINDS}
    for obj in crds:
        assert set(obj) <= {"apiVersion", "kind", "metadata", "spec"}, obj["kind"]
        assert obj["metadata"]["name"], obj["kind"]
        for key in ("labels", "annotations"):
            jsonschema.validate(obj["metadata"].get(key, {}), STRING_MAP)
        schema = CRD_SPEC_SCHEMAS[(obj["apiVersion"], obj["kind"])]
        jsonschema.validate(obj["spec"], schema)


def test_prometheus_rule_groups_are_unique(rendered: Rendered) -> None:
    groups = rendered.one("PrometheusRule")["spec"]["groups"]
    names = [g["name"] for g in groups]
    assert len(names) == len(set(names))


def test_grafana_dashboard_configmap(rendered: Rendered) -> None:
    maps = [
        o
        for o in rendered.objects
        if o["kind"] == "ConfigMap" and o["metadata"].get("labels", {}).get("grafana_dashboard")
    ]
    assert len(maps) == 1
    dashboard = maps[0]
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert dashboard["metadata"]["name"] == "cramp-advice-dashboard", "no hash suffix"
    assert set(dashboard["data"]) == {"cramp-advice.json"}
    assert isinstance(json.loads(dashboard["data"]["cramp-advice.json"]), dict)


# --- NetworkPolicy -----------------------------------------------------------------------

MONITORING_PEER = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}
}


def test_networkpolicy_limits_metrics_to_monitoring(rendered: Rendered) -> None:
    policy = rendered.one("NetworkPolicy")["spec"]
    named = rendered.container_ports
    assert subset(policy["podSelector"]["matchLabels"], rendered.pod["metadata"]["labels"])
    assert {"Ingress", "Egress"} <= set(policy["policyTypes"])

    def numbers(rule: dict[str, Any]) -> set[int]:
        assert rule.get("ports"), "a rule without ports opens every port"
        return {named.get(p["port"], p["port"]) for p in rule["ports"]}

    http_open = False
    metrics_rules = 0
    for rule in policy["ingress"]:
        ports = numbers(rule)
        assert rule.get("from"), "a rule without peers admits everyone"
        if named["metrics"] in ports:
            metrics_rules += 1
            assert ports == {named["metrics"]}
            assert rule["from"] == [MONITORING_PEER]
        if named["http"] in ports:
            http_open = True
    assert http_open and metrics_rules == 1

    for rule in policy.get("egress", []):
        assert numbers(rule) == {53}, "the service calls nothing but DNS"
        assert {p.get("protocol", "TCP") for p in rule["ports"]} <= {"UDP", "TCP"}
