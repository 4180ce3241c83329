"""One JSON line per request with field names only: no request value ever reaches a log line."""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.advice import Engine

MARKER = "QXZV"  # distinctive text placed in every string field
NUMBER = 37.913  # distinctive number placed in number fields


def marked_requests() -> list[Any]:
    valid = {
        "person": {"age": 37, "sex": "female", "gestation_weeks": 37},
        "cramp": {"duration_minutes": NUMBER, "history_weeks": NUMBER, "episodes_per_week": NUMBER},
        "signs": {"temperature_c": NUMBER, "heart_rate": 137},
        "context": {"alcohol_units_per_week": NUMBER, "wound": {"present": True, "days_ago": NUMBER}},
        "medications": [{"name": f"{MARKER}-pill 5 mg"}, {"name": f"atorvastatin {MARKER}"}],
    }
    invalid = {
        "person": {"age": f"{MARKER}", "sex": MARKER},
        MARKER: MARKER,
        "cramp": {"duration_minutes": -NUMBER, "locations": [MARKER]},
        "medications": [{"name": MARKER * 40}],
    }
    return [valid, invalid]


@pytest.mark.parametrize("body", marked_requests())
def test_no_request_value_in_logs(client: FlaskClient, capsys: pytest.CaptureFixture[str], body: Any) -> None:
    response = client.post("/assess", json=body, headers={"X-Request-ID": "log-test-1"})
    assert response.status_code in (200, 422)
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert len(lines) == 1
    entry = lines[0]
    assert entry["event"] == "request" and entry["request_id"] == "log-test-1"
    assert entry["route"] == "/assess" and entry["method"] == "POST" and "duration_ms" in entry
    assert MARKER not in out.replace(f"/{MARKER}", "/")  # an unknown *field name* may be listed, never a value
    assert str(NUMBER) not in out and "137" not in out


def test_unhandled_exception_log_has_type_not_message(client: FlaskClient, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_: Any) -> None:
        raise ValueError(f"age {MARKER}")

    monkeypatch.setattr(Engine, "assess", explode)  # every language's and region's engine
    client.post("/assess", json={})
    out = capsys.readouterr().out
    assert "ValueError" in out and MARKER not in out


def test_formatted_events_carry_the_api_timestamp_of_their_record() -> None:
    import logging

    from service.observability.logs import JsonFormatter

    record = logging.LogRecord("cramp", logging.WARNING, __file__, 1, "kb_loaded", None, None)
    record.created, record.msecs = 1795683525.1239, 123.0  # 2026-11-26T08:58:45.123Z
    line = json.loads(JsonFormatter().format(record))
    assert line["time"] == "2026-11-26T08:58:45.123Z" and line["event"] == "kb_loaded"
