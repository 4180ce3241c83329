"""Prometheus metrics: RED for HTTP, a clinical mix without health data, and build/knowledge-base info.

Under gunicorn every worker writes its own files in PROMETHEUS_MULTIPROC_DIR and a scrape merges them
through a fresh registry; without that variable (tests, `flask run`) the default registry is used.
Every label is bounded: routes are URL-rule templates, methods a fixed set, pointers schema fields.
"""
from __future__ import annotations

import os
import time
from typing import Any, Mapping

from flask import Blueprint, Flask, Request, Response, current_app, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from werkzeug.exceptions import NotFound

from schemas import metric_pointer
from service import __version__
from service.observability.requests import RequestState

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
TEST_TRAFFIC_ENVIRON = "HTTP_X_TEST_TRAFFIC"  # "X-Test-Traffic: 1": not counted in the clinical mix

HTTP_REQUESTS = Counter("cramp_http_requests", "HTTP requests answered.", ["route", "method", "status"])
HTTP_DURATION = Histogram(
    "cramp_http_request_duration_seconds", "Time to answer an HTTP request.", ["route", "method"], buckets=BUCKETS
)
IN_FLIGHT = Gauge("cramp_http_requests_in_flight", "HTTP requests being answered now.", multiprocess_mode="livesum")
ASSESSMENTS = Counter("cramp_assessments", "Assessments answered, by disposition level.", ["level"])
RED_FLAGS = Counter("cramp_red_flags", "Red flags fired, by rule id.", ["rule"])
RECOMMENDATIONS = Counter("cramp_recommendations", "Recommendations given, by topic id.", ["recommendation"])
VALIDATION_FAILURES = Counter(
    "cramp_validation_failures", "Invalid request fields, by JSON Pointer (never the value).", ["pointer"]
)
UNRECOGNISED_MEDICATIONS = Counter(
    "cramp_unrecognised_medications", "Medication names the lexicon could not map (a count, never a name)."
)
API_KEY_REQUESTS = Counter(
    "cramp_api_key_requests", "Assessment requests by calling app (API key name, 'anonymous' or 'rejected').",
    ["client"],
)
KNOWLEDGE_BASE_INFO = Gauge(
    "cramp_knowledge_base_info", "The knowledge base this process answers from.", ["version", "sha256"],
    multiprocess_mode="max",
)
# CDS Hooks: cards answered and the clinicians' feedback on them, by service and card kind (both
# bounded sets from service/cds/content.py; feedback on a card this service did not make is "unknown").
CDS_CARDS = Counter("cramp_cds_cards", "CDS Hooks cards answered, by service and card kind.", ["service", "card"])
CDS_FEEDBACK = Counter(
    "cramp_cds_feedback", "CDS Hooks card outcomes reported by CDS clients.", ["service", "card", "outcome"]
)
BUILD_INFO = Gauge("cramp_build_info", "The service build.", ["version"], multiprocess_mode="max")

blueprint = Blueprint("metrics", __name__)


class Children:
    """`metric.labels(...)` takes a lock and builds its key on every call; requests reuse a few
    dozen label sets, so keep each child once it exists (labels are bounded, so is the cache)."""

    def __init__(self, metric: Any) -> None:
        self._metric, self._cache = metric, {}

    def __call__(self, *labels: str) -> Any:
        child = self._cache.get(labels)
        if child is None:
            child = self._cache[labels] = self._metric.labels(*labels)
        return child


_http_requests = Children(HTTP_REQUESTS)
_http_duration = Children(HTTP_DURATION)
_assessments = Children(ASSESSMENTS)
_red_flags = Children(RED_FLAGS)
_recommendations = Children(RECOMMENDATIONS)
_validation_failures = Children(VALIDATION_FAILURES)
_api_key_requests = Children(API_KEY_REQUESTS)
_cds_cards = Children(CDS_CARDS)
_cds_feedback = Children(CDS_FEEDBACK)


def record_cds_cards(service: str, kinds: tuple[str, ...]) -> None:
    for kind in kinds:
        _cds_cards(service, kind).inc()


def record_cds_feedback(service: str, outcomes: list[tuple[str, str]]) -> None:
    for kind, outcome in outcomes:
        _cds_feedback(service, kind, outcome).inc()


def _multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def _local_port() -> int | None:
    sock = request.environ.get("gunicorn.socket")
    try:
        return int(sock.getsockname()[1]) if sock is not None else int(request.environ.get("SERVER_PORT", ""))
    except (OSError, ValueError, TypeError, IndexError):
        return None


def metrics_allowed() -> bool:
    """With METRICS_BIND set, /metrics answers only on that listener, so public callers cannot read it."""
    port = current_app.extensions["cramp"].settings.metrics_port
    return port is None or _local_port() == port


@blueprint.get("/metrics")
def metrics() -> Response:
    if not metrics_allowed():
        raise NotFound()
    if _multiprocess():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    response = Response(generate_latest(registry))
    response.headers["Content-Type"] = CONTENT_TYPE_PLAIN_0_0_4
    return response


def record_assessment(assessment: Mapping[str, Any], unrecognised: int) -> None:
    _assessments(assessment["disposition"]["level"]).inc()
    for flag in assessment["red_flags"]:
        _red_flags(flag["id"]).inc()
    for recommendation in assessment["recommendations"]:
        _recommendations(recommendation["id"]).inc()
    if unrecognised:
        UNRECOGNISED_MEDICATIONS.inc(unrecognised)


class RequestMetrics:
    """RED metrics and the clinical mix for each request; info gauges once per process."""

    def __init__(self, app: Flask) -> None:
        self.runtime = app.extensions["cramp"]
        self.info_pid = 0

    def _publish_info(self) -> None:
        # Per process, not at import: gunicorn's master (which preloads the app) empties the directory.
        KNOWLEDGE_BASE_INFO.labels(self.runtime.kb.version, self.runtime.kb.sha256).set(1)
        BUILD_INFO.labels(__version__).set(1)
        self.info_pid = os.getpid()

    def before(self, req: Request, state: RequestState) -> None:
        if self.info_pid != os.getpid():
            self._publish_info()
        state.metrics_started = time.perf_counter()
        IN_FLIGHT.inc()

    def after(self, req: Request, state: RequestState, response: Response, labels: tuple[str, str]) -> None:
        """`labels`: route_and_method(req), computed once for the metrics and the log line."""
        route, method = labels
        _http_requests(route, method, str(response.status_code)).inc()
        started = state.metrics_started
        if started is not None:
            _http_duration(route, method).observe(time.perf_counter() - started)
        if req.endpoint == "assess.assess":
            _api_key_requests(state.client or "anonymous").inc()
        for pointer in state.validation_pointers or ():
            _validation_failures(metric_pointer(pointer) or "(root)").inc()
        assessment = state.assessment
        if assessment is not None and req.environ.get(TEST_TRAFFIC_ENVIRON) != "1":
            record_assessment(assessment, len(assessment["data_quality"]["unrecognised_medications"]))

    def teardown(self, state: RequestState | None) -> None:
        if state is not None and state.metrics_started is not None:
            IN_FLIGHT.dec()
