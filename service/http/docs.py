"""The OpenAPI document, served as written, and a small human-readable page that points to it."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app


blueprint = Blueprint("docs", __name__)
_CANDIDATES = (Path(__file__).resolve().parents[2] / "openapi.yaml", Path.cwd() / "openapi.yaml")


def load_openapi() -> bytes:
    """Read the spec once at start-up; a service without its contract document should not start."""
    for path in _CANDIDATES:
        if path.is_file():
            return path.read_bytes()
    raise FileNotFoundError("openapi.yaml not found next to the service package or in the working directory")


@blueprint.get("/openapi.yaml")
def openapi() -> Response:
    return Response(current_app.extensions["cramp"].openapi, mimetype="application/yaml",
                    headers={"Cache-Control": "public, max-age=300"})
