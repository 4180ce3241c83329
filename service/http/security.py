"""Optional API keys, an explicit CORS allow-list, and the security headers every response carries.

Keys are off by default so the two-command setup stays open on localhost. When configured, only
their SHA-256 hashes are held, every stored hash is compared in constant time, and a key is never
logged: logs and metrics see the key's *name* only.
"""
from __future__ import annotations

import hashlib
import hmac


from flask import Request, Response
from werkzeug.exceptions import MethodNotAllowed

from service.config import Settings
from service.http.problems import problem
from service.observability.requests import RequestState

UNAUTHORIZED = "urn:cramp-advice:problem:unauthorized"
FORBIDDEN = "urn:cramp-advice:problem:forbidden"
PROTECTED_ENDPOINTS = frozenset({"assess.assess"})
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# On every response unless it sets its own (the /docs page has its own CSP and caching); added by the
# WSGI layer, service/http/headers.py. Answers are about one person's health: no cache may keep them.
SECURITY_HEADERS = (
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", API_CSP),
    ("Referrer-Policy", "no-referrer"),
)
CORS_ALLOW_HEADERS = "Content-Type, Authorization, X-Request-ID, X-Test-Traffic"
CORS_MAX_AGE = "600"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def identify(settings: Settings, header: str | None) -> tuple[str | None, Response | None]:
    """The key name for an Authorization header, or the problem response to send instead."""
    scheme, _, key = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip() or len(key) > 256:
        return None, problem(401, "Unauthorized", "Send an API key as 'Authorization: Bearer <key>'.",
                             UNAUTHORIZED, headers={"WWW-Authenticate": 'Bearer realm="cramp-advice"'})
    presented = key_hash(key.strip()).encode()
    found = None
    for name, digest in settings.api_keys:  # no early exit: every comparison takes the same time
        if hmac.compare_digest(presented, digest.encode()):
            found = name
    if found is None:
        return None, problem(403, "Forbidden", "This API key is not allowed to use this service.", FORBIDDEN)
    return found, None


def _cors_headers(response: Response, origin: str) -> None:
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "X-Request-ID"
    response.vary.add("Origin")  # merged into any Vary the view set (/assess: Accept), one header line


class Security:
    """API keys on protected endpoints, CORS preflight and headers, security headers on everything."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def before(self, req: Request, state: RequestState) -> Response | None:
        if req.method == "OPTIONS":
            return self._preflight(req, req.environ.get("HTTP_ORIGIN"))
        if self.settings.api_keys and req.endpoint in PROTECTED_ENDPOINTS:
            client, refused = identify(self.settings, req.headers.get("Authorization"))
            state.client = client or "rejected"
            return refused
        state.client = "anonymous"
        return None

    def _preflight(self, req: Request, origin: str | None) -> Response | None:
        routing = req.routing_exception
        if isinstance(routing, MethodNotAllowed):
            methods = set(routing.valid_methods or ())
        elif req.url_rule is not None:
            methods = set(req.url_rule.methods or ())
        else:
            return None  # unknown path: routing answers 404
        allowed = ", ".join(sorted((methods - {"HEAD"}) | {"OPTIONS"}))
        if origin is None:
            return Response(status=204, headers={"Allow": allowed})
        if origin not in self.settings.cors_origins:
            return problem(403, "Forbidden", "This origin is not allowed to call the service from a browser.",
                           FORBIDDEN)
        response = Response(status=204, headers={"Allow": allowed})
        _cors_headers(response, origin)
        response.headers["Access-Control-Allow-Methods"] = allowed
        response.headers["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
        response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
        return response

    def after(self, req: Request, state: RequestState, response: Response) -> None:
        """CORS headers for allowed origins; SECURITY_HEADERS are added by the WSGI layer."""
        origin = req.environ.get("HTTP_ORIGIN")
        if origin and origin in self.settings.cors_origins and req.method != "OPTIONS":
            _cors_headers(response, origin)
