"""What the browser tests share besides fixtures: the recorded page, screenshots, axe reports.

Test modules import these (`from browsing import RecordedPage, save_screenshot, describe_violations`);
the fixtures that make them are in conftest.py beside this file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page, Request

ARTIFACTS = Path(__file__).resolve().parents[2] / ".run" / "artifacts"
LOCAL_SCHEMES = ("data:", "blob:", "about:")  # never leave the page, so never leave the origin


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class RecordedPage:
    """A playwright page and everything it asked for and said, from the moment it was opened."""

    page: Page
    origin: str
    requests: list[Request] = field(default_factory=list)
    console: list[ConsoleMessage] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def goto(self, path: str, **options: Any) -> Any:
        return self.page.goto(path, **options)

    def request_urls(self) -> list[str]:
        return [request.url for request in self.requests]

    def off_origin_requests(self) -> list[str]:
        return [url for url in self.request_urls()
                if not url.startswith(LOCAL_SCHEMES) and origin(url) != self.origin]

    def console_errors(self) -> list[str]:
        """Console errors (CSP violations and failed loads among them) and uncaught exceptions."""
        return [f"console.{m.type}: {m.text} at {m.location}" for m in self.console if m.type == "error"] + [
            f"page error: {error}" for error in self.page_errors]

    def screenshot(self, name: str, full_page: bool = False) -> Path:
        return save_screenshot(self.page, name, full_page=full_page)


def save_screenshot(page: Page, name: str, full_page: bool = False) -> Path:
    """Save `.run/artifacts/<name>.png` (kept after the run, gitignored) and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """One line per rule and up to three offending elements: enough to find and fix each."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} nodes): {violation['help']}")
        lines += [f"    {node['target']} {node['html'][:120]}" for node in violation["nodes"][:3]]
    return "\n".join(lines)
