"""Browser tests: Debian's chromium, driven by playwright, against a real gunicorn serving the service.

Fixtures, for any page the service serves:
- `live_server` (session): a running `GunicornServer` (tests/e2e/server.py); `.url` is its origin.
- `browser` (session): a playwright `Browser` on /usr/bin/chromium (playwright's own browser builds
  cannot be downloaded here, and are not needed).
- `open_page` (function): a factory, `open_page(**context_options) -> RecordedPage`, for a page in a
  fresh browser context (its own cache and storage) with `base_url` set to the live server; options
  are playwright's `Browser.new_context` ones (viewport, java_script_enabled, color_scheme, ...).
- `page` (function): `open_page()` at 1280x900.
  When a test fails, each page it opened is saved as .run/artifacts/failed-<test>-<n>.png.
- `run_axe` (session): `run_axe(recorded_page, include=None) -> list of axe violations` (WCAG 2.0,
  2.1 and 2.2 A/AA tags), with axe-core from tests/browser/node_modules (`npm ci` there).

A `RecordedPage` (tests/browser/browsing.py) holds the playwright `Page` (`.page`) and everything it
did: `.requests` (every request), `.console` (every console message) and `.page_errors` (uncaught
exceptions); ask it for `.off_origin_requests()` and `.console_errors()` (CSP violations are console
errors), and save a named screenshot to .run/artifacts/ with `.screenshot(name)`. browsing.py also
has `save_screenshot(page, name)` and `describe_violations(violations)` for assertion messages.

Every test under tests/browser is marked e2e. Without playwright, chromium or axe-core the tests skip
locally and fail in CI.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from browsing import RecordedPage, origin  # tests/browser and tests/e2e are not packages
from server import GunicornServer
from tooling import skip_or_fail

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright

CHROMIUM = Path("/usr/bin/chromium")
# From ../shared/notes/browser-testing.md: no background traffic of chromium's own in the request log.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed  # read by open_page's teardown
    return report


_FAILED = pytest.StashKey[bool]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GunicornServer]:
    with GunicornServer(tmp_path_factory.mktemp("browser-gunicorn")) as server:
        yield server


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (the test extras)")
    if not CHROMIUM.is_file():
        skip_or_fail(f"{CHROMIUM} not found (Debian package `chromium`; .ci/run installs it)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def open_page(browser: Browser, live_server: GunicornServer,
              request: pytest.FixtureRequest) -> Iterator[Callable[..., RecordedPage]]:
    contexts: list[BrowserContext] = []
    pages: list[RecordedPage] = []

    def open_(**context_options: Any) -> RecordedPage:
        options = {"viewport": {"width": 1280, "height": 900}, **context_options}
        context = browser.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        page = context.new_page()
        recorded = RecordedPage(page, origin(live_server.url))
        # On the context, not the page: requests of workers and popups count too.
        context.on("request", lambda request: recorded.requests.append(request))
        context.on("console", lambda message: recorded.console.append(message))
        page.on("pageerror", lambda error: recorded.page_errors.append(str(error)))
        pages.append(recorded)
        return recorded

    yield open_
    if request.node.stash.get(_FAILED, False):  # what the page showed when the test failed
        for number, recorded in enumerate(pages):
            recorded.screenshot(f"failed-{request.node.name}-{number}", full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: Callable[..., RecordedPage]) -> RecordedPage:
    return open_page()


@pytest.fixture(scope="session")
def run_axe() -> Callable[..., list[dict[str, Any]]]:
    if not AXE.is_file():
        skip_or_fail(f"{AXE} not found (run `npm ci --prefix tests/browser`, as `make test` and .ci/run do)")
    source = AXE.read_text(encoding="utf-8")

    def run(recorded: RecordedPage, include: str | None = None) -> list[dict[str, Any]]:
        """axe's violations on the page as it is now (or on the `include` selector's subtree).
        Needs JavaScript on in the page's context: with it off, playwright cannot evaluate there."""
        # Evaluated through the driver, not added as a <script>: the page's own CSP would block that,
        # and the blocked attempt would itself be a console error.
        recorded.page.evaluate(source + "\n;0")
        context = json.dumps(include) if include else "document"
        options = json.dumps({"runOnly": {"type": "tag", "values": AXE_TAGS}})
        result = recorded.page.evaluate(f"axe.run({context}, {options})")
        return list(result["violations"])

    return run
