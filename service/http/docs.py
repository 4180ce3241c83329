"""The OpenAPI document, served as written, and /docs: the API reference rendered from it by Swagger UI.

Swagger UI 5 renders OpenAPI 3.1 with its Markdown, every request and response field (type, range,
enum values, description), the examples and each operation's responses. It is vendored, exactly as
npm `swagger-ui-dist` ships it, under `service/static/vendor/` (version pinned in the Makefile's
`vendor-swagger-ui` target; tests/http/test_docs.py checks the files against their SHA256SUMS), so
the page loads nothing from another origin. Redoc 2 was tried too: it injects <style> elements at run
time, which a strict CSP blocks (it needs 'unsafe-inline').

The page is a static shell rendered once at start-up: no inline script or style. Its script and
stylesheets are files served here, under /docs/assets/<digest>/<name>, so the page's CSP allows
'self' only, and the content digest in each URL lets browsers cache them for a year. Two additions
to the API's `default-src 'none'`, both for the vendored files: `connect-src 'self'` (Swagger UI
fetches /openapi.yaml, and "Try it out" calls this service) and `img-src data:` (swagger-ui.css draws
its icons as data: SVG images). Without JavaScript the page still lists every operation.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import orjson
import yaml
from flask import Blueprint, Response, abort, current_app, request

blueprint = Blueprint("docs", __name__)
_CANDIDATES = (Path(__file__).resolve().parents[2] / "openapi.yaml", Path.cwd() / "openapi.yaml")
STATIC = Path(__file__).resolve().parents[1] / "static"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
SWAGGER_UI = "swagger-ui-dist-5.35.0"  # the folder `make vendor-swagger-ui` fills; same version there
# URL name -> file under service/static; nothing else is served from there.
ASSET_FILES = {
    "swagger-ui.css": f"vendor/{SWAGGER_UI}/swagger-ui.css",
    "swagger-ui-bundle.js": f"vendor/{SWAGGER_UI}/swagger-ui-bundle.js",
    "docs.css": "docs/docs.css",
    "docs.js": "docs/docs.js",
}
_MIMETYPES = {".js": "text/javascript", ".css": "text/css"}
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
DOCS_CACHE = "public, max-age=300"
ASSET_CACHE = "public, max-age=31536000, immutable"  # safe: a changed file gets a new URL
_METHODS = ("get", "put", "post", "patch", "delete", "options", "head", "trace")


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    mimetype: str
    digest: str  # first 16 hex digits of the SHA-256: the URL's cache key


@dataclass(frozen=True, slots=True)
class DocsSite:
    html: bytes
    assets: dict[str, Asset]
    spec_json: bytes = b""  # the same document as JSON, for tools that cannot read YAML

    def url(self, name: str) -> str:
        return f"/docs/assets/{self.assets[name].digest}/{name}"


def load_openapi() -> bytes:
    """Read the spec once at start-up; a service without its contract document should not start."""
    for path in _CANDIDATES:
        if path.is_file():
            return path.read_bytes()
    raise FileNotFoundError("openapi.yaml not found next to the service package or in the working directory")


def load_assets() -> dict[str, Asset]:
    """Every file the page uses, read once (a missing one stops start-up, as a missing spec does)."""
    assets = {}
    for name, relative in ASSET_FILES.items():
        body = (STATIC / relative).read_bytes()
        assets[name] = Asset(body, _MIMETYPES[Path(name).suffix], hashlib.sha256(body).hexdigest()[:16])
    return assets


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Each operation in document order: method, path, summary and the statuses it documents."""
    found = []
    for path, item in (spec.get("paths") or {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if operation:
                found.append({"method": method.upper(), "path": path, "summary": operation.get("summary", ""),
                              "statuses": list(operation.get("responses") or {})})
    return found


def build_docs(raw: bytes) -> DocsSite:
    spec: dict[str, Any] = yaml.safe_load(raw)
    site = DocsSite(b"", load_assets())  # the page names its assets by URL, so they come first
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                     undefined=jinja2.StrictUndefined)
    html = environment.get_template("docs.html").render(
        info=spec.get("info") or {}, operations=operations(spec), asset=site.url, spec_url="/openapi.yaml",
    )
    return DocsSite(html.encode(), site.assets, orjson.dumps(spec))


_SPEC_TYPES = ("application/yaml", "application/json")  # YAML first: it wins ties such as */*


@blueprint.get("/openapi.yaml")
def openapi() -> Response:
    """YAML as written; JSON only for a caller that prefers it (code generators that read no YAML)."""
    runtime = current_app.extensions["cramp"]
    headers = {"Cache-Control": DOCS_CACHE, "Vary": "Accept"}
    if request.accept_mimetypes.best_match(_SPEC_TYPES, default=_SPEC_TYPES[0]) == "application/json":
        return Response(runtime.docs.spec_json, mimetype="application/json", headers=headers)
    return Response(runtime.openapi, mimetype="application/yaml", headers=headers)


@blueprint.get("/docs")
def docs() -> Response:
    return Response(current_app.extensions["cramp"].docs.html, mimetype="text/html",
                    headers={"Cache-Control": DOCS_CACHE, "Content-Security-Policy": DOCS_CSP})


@blueprint.get("/docs/assets/<digest>/<name>")
def asset(digest: str, name: str) -> Response:
    found = current_app.extensions["cramp"].docs.assets.get(name)
    if found is None or found.digest != digest:  # an old URL never gets new content cached for a year
        abort(404)
    return Response(found.body, mimetype=found.mimetype, headers={"Cache-Control": ASSET_CACHE})
