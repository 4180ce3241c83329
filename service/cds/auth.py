"""CDS Hooks 2.0 "Trusting CDS Clients": a signed JWT on every call, verified with PyJWT.

Configured by CRAMP_CDS_ISSUERS (issuer -> its JWK Set, held locally: this service fetches nothing,
so a `jku` header is never followed) and CRAMP_CDS_BASE_URL (the public base URL the tokens' `aud`
names). A token must be signed with ES384 (P-384 key) or RS384 (RSA key) - the two algorithms the
specification recommends; `none` and every symmetric algorithm are refused, as it requires. Checked:
signature with the issuer's key named by `kid`, `iss` allow-listed, `aud` equal to the URL of the
endpoint called, `exp` and `iat` (60 s leeway), the header's `typ` JWT, and a `jti` string (REQUIRED by the
specification). `jti` is not tracked (the service keeps no state); a replay is bounded by `exp`.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.exceptions import InvalidJTIError, PyJWKError, PyJWTError

from service.config import ConfigError

ALGORITHMS = ("ES384", "RS384")
LEEWAY_SECONDS = 60
JTI_NOT_A_STRING = "The token's jti must be a non-empty string."
MAX_TOKEN_BYTES = 8192


class AuthError(Exception):
    """A token the service will not accept; the message says which check failed, never the token."""


@dataclass(frozen=True, slots=True)
class _Key:
    algorithm: str
    key: Any  # the cryptography public key PyJWT verifies with


def _algorithm(jwk: Mapping[str, Any]) -> str:
    if jwk.get("kty") == "EC" and jwk.get("crv") == "P-384":
        expected = "ES384"
    elif jwk.get("kty") == "RSA":
        expected = "RS384"
    else:
        raise ConfigError("CRAMP_CDS_ISSUERS keys must be EC P-384 (ES384) or RSA (RS384)")
    if jwk.get("alg", expected) != expected:
        raise ConfigError(f"CRAMP_CDS_ISSUERS: a key with alg {jwk.get('alg')!r} cannot verify {expected}")
    return expected


class TrustedIssuers:
    """The allow-list of issuers and their keys, built once at start-up."""

    def __init__(self, issuers: tuple[tuple[str, str], ...], base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._keys: dict[str, dict[str, _Key]] = {}
        for issuer, jwks in issuers:
            keys = {}
            for jwk in json.loads(jwks)["keys"]:
                if not isinstance(jwk.get("kid"), str) or not jwk["kid"]:
                    raise ConfigError("CRAMP_CDS_ISSUERS: every key needs a kid (CDS Hooks requires it in the token)")
                algorithm = _algorithm(jwk)
                try:
                    keys[jwk["kid"]] = _Key(algorithm, jwt.PyJWK(jwk, algorithm).key)
                except PyJWKError:
                    raise ConfigError("CRAMP_CDS_ISSUERS: a key could not be read as a JWK") from None
            self._keys[issuer] = keys

    @property
    def enabled(self) -> bool:
        return bool(self._keys)

    def verify(self, authorization: str | None, path: str) -> str:
        """The issuer of a valid token for this endpoint; AuthError otherwise."""
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthError("Send a signed JWT as 'Authorization: Bearer <JWT>'.")
        if len(token) > MAX_TOKEN_BYTES:
            raise AuthError("The token is too long.")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except PyJWTError:
            raise AuthError("The token is not a JWT.") from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise AuthError("The token must be signed with ES384 or RS384.")
        if header.get("typ") != "JWT":  # REQUIRED in the JOSE header, fixed value JWT (CDS Hooks 2.0)
            raise AuthError("The token's typ must be JWT.")
        issuer = unverified.get("iss")
        keys = self._keys.get(issuer) if isinstance(issuer, str) else None
        if keys is None:
            raise AuthError("The token's issuer is not trusted.")
        key = keys.get(header.get("kid")) if isinstance(header.get("kid"), str) else None
        if key is None or key.algorithm != algorithm:
            raise AuthError("The token's kid names no key of its issuer for its algorithm.")
        try:
            claims = jwt.decode(
                token, key=key.key, algorithms=[algorithm], audience=self.base_url + path, issuer=issuer,
                leeway=LEEWAY_SECONDS, options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("The token has expired.") from None
        except jwt.InvalidAudienceError:
            raise AuthError("The token's aud is not this endpoint's URL.") from None
        except jwt.ImmatureSignatureError:
            raise AuthError("The token's iat is in the future.") from None
        except jwt.MissingRequiredClaimError:
            raise AuthError("The token lacks one of iss, aud, exp, iat, jti.") from None
        except InvalidJTIError:
            raise AuthError(JTI_NOT_A_STRING) from None
        except PyJWTError:
            raise AuthError("The token's signature or claims are not valid.") from None
        if not isinstance(claims["jti"], str) or not claims["jti"]:  # PyJWT lets an empty string through
            raise AuthError(JTI_NOT_A_STRING)
        return issuer
