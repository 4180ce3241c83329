"""Random valid requests over HTTP: never a 500, always a spec-valid answer with a safety net."""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from service.app import create_app
from service.config import Settings
from spec_check import SpecCheckingClient
from strategies import valid_requests

APP = create_app(Settings())
APP.test_client_class = SpecCheckingClient
CLIENT = APP.test_client()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=valid_requests)
def test_random_valid_requests_never_fail(request: dict[str, Any]) -> None:
    response = CLIENT.post("/assess", json=request)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["safety_net"]
