"""CDS Hooks 2.0 "Trusting CDS Clients": signed JWTs with keys the tests make (ES384, RS384)."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from flask import Flask
from flask.testing import FlaskClient

from service.app import create_app
from service.config import ConfigError, Settings

ISSUER = "https://ehr.example.org/"
BASE = "https://cds.example.org"
EC_KEY = ec.generate_private_key(ec.SECP384R1())
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key: Any, kid: str) -> dict[str, Any]:
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()) if isinstance(key, ec.EllipticCurvePrivateKey)
                        else jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**public, "kid": kid, "use": "sig"}


JWKS = {"keys": [_jwk(EC_KEY, "ec-1"), _jwk(RSA_KEY, "rsa-1")]}


def token(path: str, *, key: Any = EC_KEY, alg: str = "ES384", kid: str = "ec-1", typ: str | None = "JWT",
          **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": BASE + path, "exp": now + 300, "iat": now, "jti": "a1", **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key, algorithm=alg,
                      headers={"kid": kid, "typ": typ})


@pytest.fixture
def secured(tmp_path: Path) -> FlaskClient:
    (tmp_path / "jwks.json").write_text(json.dumps({ISSUER: JWKS}))
    app: Flask = create_app(Settings.from_env({"CRAMP_CDS_ISSUERS": str(tmp_path / "jwks.json"), "CRAMP_CDS_BASE_URL": BASE}))
    from spec_check import SpecCheckingClient
    app.test_client_class = SpecCheckingClient
    return app.test_client()


def _get(client: FlaskClient, bearer: str | None) -> Any:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer is not None else {}
    return client.get("/cds-services", headers=headers)


@pytest.mark.parametrize(("key", "alg", "kid"), [(EC_KEY, "ES384", "ec-1"), (RSA_KEY, "RS384", "rsa-1")])
def test_a_token_signed_by_a_trusted_issuer_is_accepted(secured: FlaskClient, key: Any, alg: str, kid: str) -> None:
    assert _get(secured, token("/cds-services", key=key, alg=alg, kid=kid)).status_code == 200
    response = secured.post("/cds-services/leg-cramp-review/feedback",
                            headers={"Authorization": f"Bearer {token('/cds-services/leg-cramp-review/feedback', key=key, alg=alg, kid=kid)}"},
                            json={"feedback": [{"card": "c", "outcome": "overridden", "outcomeTimestamp": "2026-12-03T10:00:00Z"}]})
    assert response.status_code == 200


def test_aud_may_be_an_array(secured: FlaskClient) -> None:
    assert _get(secured, token("/cds-services", aud=[BASE + "/cds-services"])).status_code == 200


OTHER_EC = ec.generate_private_key(ec.SECP384R1())
REFUSED = [
    ("no token", None, "Send a signed JWT"),
    ("not a JWT", "abc.def", "not a JWT"),
    ("wrong issuer", token("/cds-services", iss="https://other.example.org/"), "issuer is not trusted"),
    ("wrong audience", token("/cds-services", aud=BASE + "/cds-services/leg-cramp-review"), "aud"),
    ("audience of another host", token("/cds-services", aud="https://evil.example.org/cds-services"), "aud"),
    ("expired", token("/cds-services", exp=int(time.time()) - 3600, iat=int(time.time()) - 3700), "expired"),
    ("issued in the future", token("/cds-services", iat=int(time.time()) + 3600, exp=int(time.time()) + 4000), "future"),
    ("no exp", token("/cds-services", exp=None), "lacks"),
    ("no jti (REQUIRED by CDS Hooks 2.0)", token("/cds-services", jti=None), "lacks"),
    ("a number as jti", token("/cds-services", jti=7), "jti must be"),
    ("an empty jti", token("/cds-services", jti=""), "jti must be"),
    ("no typ (REQUIRED, JWT)", token("/cds-services", typ=None), "typ must be JWT"),
    ("typ other than JWT", token("/cds-services", typ="at+jwt"), "typ must be JWT"),
    ("alg none", jwt.encode({"iss": ISSUER, "aud": BASE + "/cds-services", "exp": int(time.time()) + 60,
                             "iat": int(time.time())}, None, algorithm="none", headers={"kid": "ec-1"}), "ES384 or RS384"),
    ("HS256 with the public key as secret", jwt.encode({"iss": ISSUER, "aud": BASE + "/cds-services", "exp": int(time.time()) + 60,
                                                         "iat": int(time.time())}, "a-shared-secret-of-32-bytes-long!",
                                                        algorithm="HS256", headers={"kid": "ec-1"}), "ES384 or RS384"),
    ("ES256", token("/cds-services", key=ec.generate_private_key(ec.SECP256R1()), alg="ES256"), "ES384 or RS384"),
    ("signed by another key", token("/cds-services", key=OTHER_EC), "signature"),
    ("unknown kid", token("/cds-services", kid="nope"), "kid"),
    ("RSA key named for an EC token", token("/cds-services", key=RSA_KEY, alg="RS384", kid="ec-1"), "kid"),
]


@pytest.mark.parametrize(("name", "bearer", "says"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_tokens_get_401(secured: FlaskClient, name: str, bearer: str | None, says: str) -> None:
    response = _get(secured, bearer)
    assert response.status_code == 401, name
    assert says in response.get_json()["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_for_one_endpoint_does_not_open_another(secured: FlaskClient) -> None:
    response = secured.post("/cds-services/leg-cramp-review",
                            headers={"Authorization": f"Bearer {token('/cds-services')}"}, json={})
    assert response.status_code == 401


def test_assess_is_not_affected(secured: FlaskClient) -> None:
    assert secured.post("/assess", json={}).status_code == 200


@pytest.mark.parametrize(("env", "says"), [
    ({"CRAMP_CDS_ISSUERS": "{not json"}, "not valid JSON"),
    ({"CRAMP_CDS_ISSUERS": "/nonexistent/jwks.json"}, "cannot be read"),
    ({"CRAMP_CDS_ISSUERS": json.dumps({ISSUER: JWKS})}, "CRAMP_CDS_BASE_URL is required"),
    ({"CRAMP_CDS_ISSUERS": json.dumps({ISSUER: {"keys": []}}), "CRAMP_CDS_BASE_URL": BASE}, "entries must be"),
    ({"CRAMP_CDS_BASE_URL": "cds.example.org"}, "CRAMP_CDS_BASE_URL"),
])
def test_bad_configuration_stops_start_up(env: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        Settings.from_env(env)


def test_keys_of_other_kinds_stop_start_up() -> None:
    p256 = _jwk(ec.generate_private_key(ec.SECP256R1()), "p256")
    settings = Settings.from_env({"CRAMP_CDS_ISSUERS": json.dumps({ISSUER: {"keys": [p256]}}), "CRAMP_CDS_BASE_URL": BASE})
    with pytest.raises(ConfigError, match="P-384"):
        create_app(settings)


def test_open_when_no_issuers_are_configured(client: FlaskClient) -> None:
    assert client.get("/cds-services").status_code == 200


def test_cors_for_browser_based_ehrs(tmp_path: Path) -> None:
    """CDS Hooks 2.0 "Cross-Origin Resource Sharing": the service's one allow-list (CRAMP_CORS_ORIGINS)."""
    (tmp_path / "jwks.json").write_text(json.dumps({ISSUER: JWKS}))
    app = create_app(Settings.from_env({"CRAMP_CORS_ORIGINS": "https://ehr.example.org",
                                        "CRAMP_CDS_ISSUERS": str(tmp_path / "jwks.json"), "CRAMP_CDS_BASE_URL": BASE}))
    from spec_check import SpecCheckingClient
    app.test_client_class = SpecCheckingClient
    client = app.test_client()
    preflight = client.options("/cds-services/leg-cramp-review", headers={
        "Origin": "https://ehr.example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert preflight.status_code == 204  # answered before any token is asked for
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://ehr.example.org"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    answer = client.get("/cds-services", headers={"Origin": "https://ehr.example.org",
                                                  "Authorization": f"Bearer {token('/cds-services')}"})
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "https://ehr.example.org"
    refused = client.options("/cds-services", headers={"Origin": "https://other.example.org",
                                                       "Access-Control-Request-Method": "GET"})
    assert refused.status_code == 403
