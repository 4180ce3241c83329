"""Liveness touches nothing; readiness says whether this process should get traffic (Dockerflow style)."""
from __future__ import annotations

import os

from flask import Blueprint, Response, current_app

from service.http.problems import NOT_READY, problem

blueprint = Blueprint("health", __name__)
_OK = b'{"status":"ok"}'


@blueprint.get("/livez")
def livez() -> Response:
    return Response(_OK, mimetype="application/json")


@blueprint.get("/readyz")
def readyz() -> Response:
    runtime = current_app.extensions["cramp"]
    drain_file = runtime.settings.drain_file
    if not runtime.ready or (drain_file and os.path.exists(drain_file)):
        return problem(503, "Service Unavailable", "This instance is starting or shutting down.", NOT_READY,
                       headers={"Retry-After": "5"})
    return Response(_OK, mimetype="application/json")
