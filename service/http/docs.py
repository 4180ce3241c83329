"""The OpenAPI document, served as written, and a plain HTML page rendered from it at start-up.

No JavaScript viewer: the well-kept offline bundles do not render OpenAPI 3.1, and a static page
needs nothing but a strict Content-Security-Policy (its one style block is allowed by hash).
"""
from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, Response, current_app

blueprint = Blueprint("docs", __name__)
_CANDIDATES = (Path(__file__).resolve().parents[2] / "openapi.yaml", Path.cwd() / "openapi.yaml")
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
    "code,pre{background:#f4f4f4;padding:.1rem .3rem}pre{padding:.6rem;overflow-x:auto}"
    "h2{border-top:1px solid #ccc;padding-top:1rem}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
DOCS_CSP = f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; frame-ancestors 'none'; base-uri 'none'"
_METHODS = ("get", "post", "put", "patch", "delete")


def load_openapi() -> bytes:
    """Read the spec once at start-up; a service without its contract document should not start."""
    for path in _CANDIDATES:
        if path.is_file():
            return path.read_bytes()
    raise FileNotFoundError("openapi.yaml not found next to the service package or in the working directory")


def render_docs(raw: bytes) -> bytes:
    spec: dict[str, Any] = yaml.safe_load(raw)
    info = spec.get("info", {})
    parts = [
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{escape(info.get('title', 'API'))}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(info.get('title', 'API'))} <small>{escape(str(info.get('version', '')))}</small></h1>",
        f"<p>{escape(info.get('description', ''))}</p>",
        "<p>The machine-readable contract is <a href=\"/openapi.yaml\">/openapi.yaml</a> (OpenAPI 3.1).</p>",
    ]
    for path, item in spec.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if not operation:
                continue
            parts.append(f"<h2><code>{method.upper()} {escape(path)}</code></h2>")
            parts.append(f"<p><strong>{escape(operation.get('summary', ''))}</strong></p>")
            if operation.get("description"):
                parts.append(f"<p>{escape(operation['description'])}</p>")
            examples = (operation.get("requestBody", {}).get("content", {})
                        .get("application/json", {}).get("examples", {}))
            for name, example in examples.items():
                parts.append(f"<p>Example request: {escape(example.get('summary', name))}</p>")
                parts.append(f"<pre>{escape(json.dumps(example.get('value'), indent=2))}</pre>")
            rows = "".join(
                f"<tr><td>{escape(str(code))}</td><td>{escape(_describe(spec, response))}</td></tr>"
                for code, response in operation.get("responses", {}).items()
            )
            parts.append(f"<table><tr><th>Status</th><th>Meaning</th></tr>{rows}</table>")
    parts.append("</body></html>")
    return "".join(parts).encode()


def _describe(spec: dict[str, Any], response: dict[str, Any]) -> str:
    if "$ref" in response:
        node: Any = spec
        for part in response["$ref"].lstrip("#/").split("/"):
            node = node[part]
        response = node
    return str(response.get("description", ""))


@blueprint.get("/openapi.yaml")
def openapi() -> Response:
    return Response(current_app.extensions["cramp"].openapi, mimetype="application/yaml",
                    headers={"Cache-Control": "public, max-age=300"})


@blueprint.get("/docs")
def docs() -> Response:
    return Response(current_app.extensions["cramp"].docs_html, mimetype="text/html",
                    headers={"Cache-Control": "public, max-age=300", "Content-Security-Policy": DOCS_CSP})
