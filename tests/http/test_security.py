"""API keys (off by default), CORS allow-list, security headers, and a private /metrics listener."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY

from service.app import create_app
from service.config import ConfigError, Settings
from service.http.security import SECURITY_HEADERS, key_hash
from spec_check import SpecCheckingClient

KEY = "s3cret-key-for-portal-a-7f1c"
PORTAL = "https://portal.example.org"


def make_client(**settings: object) -> FlaskClient:
    app: Flask = create_app(Settings(**settings))  # type: ignore[arg-type]
    app.test_client_class = SpecCheckingClient
    return app.test_client()


@pytest.fixture
def keyed() -> FlaskClient:
    """A service that requires an API key (portal-a holds KEY)."""
    return make_client(api_keys=(("portal-a", key_hash(KEY)),))


def test_keys_are_off_by_default(client: FlaskClient) -> None:
    assert client.post("/assess", json={}).status_code == 200


def test_missing_or_malformed_key_is_401(keyed: FlaskClient) -> None:
    for headers in ({}, {"Authorization": KEY}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}):
        response = keyed.post("/assess", json={}, headers=headers)
        assert response.status_code == 401 and response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_key_is_403_and_right_key_is_200(keyed: FlaskClient) -> None:
    assert keyed.post("/assess", json={}, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert keyed.post("/assess", json={}, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200


def test_health_and_docs_need_no_key(keyed: FlaskClient) -> None:
    for path in ("/livez", "/readyz", "/openapi.yaml", "/docs"):
        assert keyed.get(path).status_code == 200


def test_key_is_never_logged_and_metrics_count_the_name(keyed: FlaskClient,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    before = REGISTRY.get_sample_value("cramp_api_key_requests_total", {"client": "portal-a"}) or 0
    keyed.post("/assess", json={}, headers={"Authorization": f"Bearer {KEY}"})
    keyed.post("/assess", json={}, headers={"Authorization": "Bearer wrong-" + KEY})
    out = capsys.readouterr().out
    assert KEY not in out and '"client":"portal-a"' in out and '"client":"rejected"' in out
    assert REGISTRY.get_sample_value("cramp_api_key_requests_total", {"client": "portal-a"}) == before + 1
    assert KEY not in keyed.get("/metrics").get_data(as_text=True)


def test_bad_key_configuration_stops_start_up() -> None:
    with pytest.raises(ConfigError, match="CRAMP_API_KEYS"):
        Settings.from_env({"CRAMP_API_KEYS": "portal-a:not-a-hash"})
    with pytest.raises(ConfigError, match="CRAMP_CORS_ORIGINS"):
        Settings.from_env({"CRAMP_CORS_ORIGINS": "*"})


def test_cors_allows_nothing_by_default(client: FlaskClient) -> None:
    response = client.post("/assess", json={}, headers={"Origin": PORTAL})
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options("/assess", headers={"Origin": PORTAL, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403


def test_cors_allows_listed_portal_only() -> None:
    client = make_client(cors_origins=frozenset({PORTAL}))
    preflight = client.options("/assess", headers={"Origin": PORTAL, "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == PORTAL
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    response = client.post("/assess", json={}, headers={"Origin": PORTAL})
    assert response.headers["Access-Control-Allow-Origin"] == PORTAL and "Origin" in response.headers["Vary"]
    other = client.post("/assess", json={}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_plain_options_lists_methods(client: FlaskClient) -> None:
    response = client.options("/assess")
    assert response.status_code == 204 and "POST" in response.headers["Allow"]


def test_security_headers(client: FlaskClient) -> None:
    response = client.post("/assess", json={})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "Server" not in response.headers or "/" not in response.headers["Server"]


def test_the_service_never_sets_a_session_cookie(client: FlaskClient) -> None:
    """Stateless: no secret key, so Flask gives every request an empty session and never saves one."""
    for response in (client.post("/assess", json={}), client.get("/readyz"), client.get("/nowhere")):
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/assess"), ("get", "/livez"), ("get", "/readyz"), ("get", "/metrics"), ("get", "/nowhere"),
    ("delete", "/assess"), ("options", "/assess"),
])
def test_every_api_response_carries_the_security_headers_once(client: FlaskClient, method: str, path: str) -> None:
    response = getattr(client, method)(path, json={} if method == "post" else None)
    for name, value in SECURITY_HEADERS:
        assert response.headers.getlist(name) == [value], name
    assert response.headers.getlist("X-Request-ID")


@pytest.mark.parametrize("path", ["/docs", "/openapi.yaml"])
def test_the_docs_keep_their_own_caching_and_policy(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.headers.getlist("Cache-Control") == ["public, max-age=300"]
    assert len(response.headers.getlist("Content-Security-Policy")) == 1
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_metrics_only_on_the_metrics_listener() -> None:
    client = make_client(metrics_port=9100)
    assert client.get("/metrics").status_code == 404
    private = client.get("/metrics", base_url="http://localhost:9100")
    assert private.status_code == 200 and b"cramp_build_info" in private.data
