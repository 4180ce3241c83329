"""The mock EHR against a real gunicorn: discovery, prefetch, both services, feedback, then /metrics."""
from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from mock_ehr import MockEhr, draft_orders
from server import GunicornServer

pytestmark = pytest.mark.e2e


def http_sender(base: str):  # type: ignore[no-untyped-def]
    def send(method: str, path: str, body: dict[str, Any] | None,
             headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(base + path, data=data, method=method, headers={
            "Content-Type": "application/json", "Accept": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read()), dict(response.headers)
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null"), dict(err.headers)
    return send


def test_a_mock_ehr_against_gunicorn(tmp_path: Path) -> None:
    with GunicornServer(tmp_path, workers=2) as server:
        ehr = MockEhr(http_sender(server.url))
        services = ehr.discover()
        status, review, headers = ehr.call(services["leg-cramp-review"])
        assert status == 200 and len(review["cards"]) == 5 and headers["Content-Language"] == "en-GB"
        spanish = MockEhr(http_sender(server.url)).speaks("es")  # the same chart, a patient preferring Spanish
        status, cards, headers = spanish.call(services["leg-cramp-review"])  # checked against the schemas
        assert status == 200 and headers["Content-Language"] == "es" and len(cards["cards"]) == 5
        assert all("**Fuentes**" in c["detail"] and c["extension"]["cramp-advice"]["translation_reviewed"] is False
                   for c in cards["cards"])
        context = {"userId": "Practitioner/gp-1", "patientId": "example-patient-1", "draftOrders": draft_orders()}
        status, order, _ = ehr.call(services["quinine-for-cramps"], "order-sign", context)
        assert status == 200 and [c["indicator"] for c in order["cards"]] == ["critical"]
        card = order["cards"][0]
        status, body, _ = ehr.feedback("quinine-for-cramps", [{
            "card": card["uuid"], "outcome": "accepted", "acceptedSuggestions": [{"id": card["suggestions"][0]["uuid"]}],
            "outcomeTimestamp": "2026-12-03T10:00:00Z"}])
        assert (status, body) == (200, {"received": 1})
        overridden = [{"card": c["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-12-03T10:00:00Z"}
                      for c in review["cards"]]
        assert ehr.feedback("leg-cramp-review", overridden)[:2] == (200, {"received": 5})
        with urllib.request.urlopen(server.url + "/metrics", timeout=10) as response:
            metrics = response.read().decode()
        log = server.log()
    assert 'cramp_cds_feedback_total{card="quinine_order",outcome="accepted",service="quinine-for-cramps"} 1.0' in metrics
    assert 'cramp_cds_feedback_total{card="what_to_check",outcome="overridden",service="leg-cramp-review"} 1.0' in metrics
    assert 'cramp_cds_cards_total{card="quinine_order",service="quinine-for-cramps"} 1.0' in metrics
    assert 'route="/cds-services/leg-cramp-review"' in metrics
    # Nothing from the record reaches the logs: no medicine, no result, no patient id.
    for secret in ("Furosemide", "example-patient-1", "mmol/L", "Quinine sulfate"):
        assert secret not in log and secret not in metrics
