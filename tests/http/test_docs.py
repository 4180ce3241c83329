"""/docs and its assets through the Flask test client: what the page names, what it loads, how it is served.

The page in a real browser (rendering, console, network, accessibility) is tests/browser/test_docs_page.py.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from service.app import create_app
from service.config import Settings
from service.http import docs
from service.http.security import key_hash

ROOT = Path(__file__).resolve().parents[2]
VENDOR = docs.STATIC / "vendor" / docs.SWAGGER_UI


class Page(HTMLParser):
    """The tags of a page that load something, and any inline script or style."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.loads: list[tuple[str, str]] = []  # (tag, URL)
        self.inline: list[str] = []
        self._in_script = False
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "style" in found or any(name.startswith("on") for name in found):
            self.inline.append(f"<{tag}> attribute")
        if tag == "style":
            self.inline.append("<style>")
        if tag == "script":
            self._in_script = True
            self.loads.append((tag, found.get("src") or ""))
        if tag == "link":
            self.loads.append((tag, found.get("href") or ""))
        if tag == "tr":
            self._row = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append("<script> body")
        if self._row is not None and data.strip():
            self._row.append(data.strip())


@pytest.fixture
def page(client: FlaskClient) -> Page:
    return Page(client.get("/docs").get_data(as_text=True))


def asset_urls(page: Page) -> list[str]:
    return [url for _, url in page.loads if url.startswith("/docs/assets/")]


def test_the_page_names_every_operation_in_the_served_spec(app: Flask, page: Page) -> None:
    """Swagger UI renders the reference; the page itself (its no-JavaScript fallback) names every
    operation, so a client without scripts still sees what exists."""
    spec = yaml.safe_load(app.extensions["cramp"].openapi)
    expected = {(method.upper(), path) for path, item in spec["paths"].items() for method in item
                if method in {"get", "put", "post", "patch", "delete", "options", "head", "trace"}}
    listed = {(row[0], row[1]) for row in page.rows if len(row) >= 2 and row[0] != "Method"}
    assert listed == expected


def test_the_page_has_no_inline_script_or_style(page: Page) -> None:
    assert page.inline == []
    scripts = [url for tag, url in page.loads if tag == "script"]
    assert scripts and all(url.startswith("/docs/assets/") for url in scripts)


def test_the_page_loads_nothing_from_elsewhere(page: Page) -> None:
    for _, url in page.loads:
        assert url.startswith("/docs/assets/") or url == "data:,", url  # data:, is the empty favicon
    assert {url.rsplit("/", 1)[1] for url in asset_urls(page)} == set(docs.ASSET_FILES)


def test_the_policy_allows_only_what_the_page_serves(client: FlaskClient) -> None:
    policy = client.get("/docs").headers["Content-Security-Policy"]
    directives = {name: rest for name, _, rest in (d.strip().partition(" ") for d in policy.split(";"))}
    assert directives == {
        "default-src": "'none'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",  # swagger-ui.css draws its icons as data: SVG images
        "connect-src": "'self'",  # the spec, and "Try it out"
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "form-action": "'none'",
    }
    assert "unsafe" not in policy


@pytest.mark.parametrize("name", sorted(docs.ASSET_FILES))
def test_assets_are_served_with_their_type_and_cached_for_a_year(app: Flask, page: Page, name: str) -> None:
    client = FlaskClient(app)  # not the spec-checking one: asset URLs are not API operations
    url = next(url for url in asset_urls(page) if url.endswith("/" + name))
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == {
        ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}[Path(name).suffix]
    assert response.headers.getlist("Cache-Control") == ["public, max-age=31536000, immutable"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # a wrong type would be refused
    assert response.data == (docs.STATIC / docs.ASSET_FILES[name]).read_bytes()
    assert hashlib.sha256(response.data).hexdigest().startswith(url.split("/")[3])


def test_a_stale_or_unknown_asset_url_is_a_problem_404(app: Flask, page: Page) -> None:
    client = FlaskClient(app)
    current = asset_urls(page)[0]
    stale = re.sub(r"/docs/assets/[0-9a-f]+/", "/docs/assets/0123456789abcdef/", current)
    for url in (stale, "/docs/assets/0123456789abcdef/openapi.yaml", "/docs/assets/x/../../service/app.py"):
        response = client.get(url)
        assert response.status_code == 404 and response.mimetype == "application/problem+json", url


def test_the_page_and_its_assets_need_no_key(page: Page) -> None:
    keyed = create_app(Settings(api_keys=(("portal-a", key_hash("k" * 32)),))).test_client()
    for url in ["/docs", *asset_urls(page)]:
        assert keyed.get(url).status_code == 200, url


def test_vendored_files_match_their_manifest() -> None:
    """The renderer is exactly what npm swagger-ui-dist ships: `make vendor-swagger-ui` wrote these
    SHA-256s; an edited, added or missing file fails here."""
    manifest = dict(reversed(line.split("  ", 1)) for line in (VENDOR / "SHA256SUMS").read_text().splitlines())
    on_disk = {path.name for path in VENDOR.iterdir()} - {"SHA256SUMS"}
    assert on_disk == set(manifest)
    for name, digest in manifest.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert {"LICENSE", "NOTICE"} <= on_disk


def test_the_makefile_vendors_the_version_the_service_serves() -> None:
    makefile = (ROOT / "Makefile").read_text()
    version = re.search(r"^SWAGGER_UI_VERSION := (\S+)$", makefile, re.MULTILINE)
    assert version and docs.SWAGGER_UI == f"swagger-ui-dist-{version.group(1)}"
    assert [p.name for p in VENDOR.parent.iterdir()] == [docs.SWAGGER_UI]  # no old copy left behind


def test_the_wheel_carries_the_page_and_its_assets() -> None:
    """The image installs a wheel: every file /docs needs must match the package-data globs."""
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = ROOT / "service"
    packaged = {path for pattern in package_data["service"] for path in package.glob(pattern) if path.is_file()}
    needed = {package / "templates" / "docs.html", *(docs.STATIC / f for f in docs.ASSET_FILES.values())}
    needed |= {path for path in VENDOR.iterdir()}  # the licence and notice travel with the code
    assert needed <= packaged, sorted(str(p) for p in needed - packaged)


def test_the_document_comes_as_json_to_a_caller_that_prefers_it(client: FlaskClient) -> None:
    """Code generators that read no YAML ask for JSON; everyone else gets the YAML as written."""
    as_yaml = client.get("/openapi.yaml")
    as_json = client.get("/openapi.yaml", headers={"Accept": "application/json"})
    assert as_yaml.mimetype == "application/yaml" and as_json.mimetype == "application/json"
    assert as_json.get_json() == yaml.safe_load(as_yaml.data)
    assert "Accept" in as_yaml.headers.get("Vary", "") and "Accept" in as_json.headers.get("Vary", "")
    assert client.get("/openapi.yaml", headers={"Accept": "*/*"}).mimetype == "application/yaml"
