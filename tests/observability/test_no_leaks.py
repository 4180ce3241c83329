"""No request value reaches logs, metrics or error bodies: every free-text and number field carries a
distinctive marker, and none of the markers may appear anywhere the service writes."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import fields
from marshmallow.validate import OneOf, Range

from schemas import ASSESS_REQUEST
from schemas.fields import StrictInteger, StrictList, StrictNumber, StrictString

TEXT_MARKER = "ZQXJ"


def marked(schema: Any, markers: list[str], counter: list[int]) -> dict[str, Any]:
    """A valid object setting every field: numbers get distinctive in-range values, text a marker."""
    body: dict[str, Any] = {}
    for name, field in schema.fields.items():
        counter[0] += 1
        if isinstance(field, fields.Nested):
            body[name] = marked(field.schema, markers, counter)
        elif isinstance(field, StrictList):
            inner = field.inner
            if isinstance(inner, fields.Nested):
                body[name] = [marked(inner.schema, markers, counter) for _ in range(2)]
            else:
                choices = next(v for v in inner.validators if isinstance(v, OneOf)).choices
                body[name] = list(choices)[:2]
        elif isinstance(field, (StrictInteger, StrictNumber)):
            bounds = next(v for v in field.validators if isinstance(v, Range))
            if isinstance(field, StrictInteger):
                value: float = bounds.min + (bounds.max - bounds.min) * 7 // 9
            else:
                # Five decimals: log lines carry durations and timestamps with three, and a marker
                # like 0.925 once matched a request's duration_ms of 0.925 (a false alarm in CI).
                value = round(bounds.min + (bounds.max - bounds.min) * 0.0417 + counter[0] / 1000 + 0.00037, 5)
            body[name] = value
            if isinstance(value, float):  # small integers (ages, heart rates) would match timestamps
                markers.append(str(value))
        elif isinstance(field, StrictString):
            choices = next((v for v in field.validators if isinstance(v, OneOf)), None)
            if choices is not None:
                body[name] = list(choices.choices)[-1]
            else:
                body[name] = f"{TEXT_MARKER}{counter[0]} pill"
                markers.append(f"{TEXT_MARKER}{counter[0]}")
        else:
            body[name] = True
    return body


def test_marker_request_is_valid_and_sets_every_field() -> None:
    markers: list[str] = []
    body = marked(ASSESS_REQUEST, markers, [0])
    assert ASSESS_REQUEST.load(body) == body
    assert len(markers) >= 12


def test_no_value_in_logs_metrics_or_errors(client: FlaskClient, capsys: pytest.CaptureFixture[str]) -> None:
    markers: list[str] = []
    valid = marked(ASSESS_REQUEST, markers, [0])
    invalid = {**valid, f"{TEXT_MARKER}key": f"{TEXT_MARKER}value",
               "person": {**valid["person"], "age": f"{TEXT_MARKER}age"}}
    markers += [f"{TEXT_MARKER}value", f"{TEXT_MARKER}age", f"{TEXT_MARKER}key"]
    assert client.post("/assess", json=valid).status_code == 200
    error = client.post("/assess", json=invalid)
    assert error.status_code == 422
    error_body = error.get_data(as_text=True)
    metrics = client.get("/metrics").get_data(as_text=True)
    logs = capsys.readouterr().out
    for marker in markers:
        assert marker not in logs, marker
        assert marker not in metrics, marker
        # The unknown key's *name* is the pointer of the error; its value never is.
        assert marker not in error_body.replace(f'"/{TEXT_MARKER}key"', '""'), marker
