"""Liveness never depends on anything; readiness follows the knowledge base and draining."""
from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from service.app import create_app
from service.config import Settings


def test_livez_and_readyz_ok(client: FlaskClient) -> None:
    assert client.get("/livez").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ok"}


def test_readyz_fails_while_draining(tmp_path: Path) -> None:
    drain = tmp_path / "drain"
    app = create_app(Settings(drain_file=str(drain)))
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    drain.touch()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert client.get("/livez").status_code == 200


def test_readyz_fails_before_ready(client: FlaskClient) -> None:
    client.application.extensions["cramp"].ready = False
    assert client.get("/readyz").status_code == 503


def test_openapi_document_is_served(client: FlaskClient) -> None:
    response = client.get("/openapi.yaml")
    assert response.status_code == 200 and b"openapi: 3.1" in response.data


def test_docs_page_is_html_with_a_strict_policy(client: FlaskClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert b"/assess" in response.data and b"<script>" not in response.data  # scripts are files only
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy and "unsafe" not in policy
