"""Reading the HTML answer and the /embed pages back in tests: what they state, and the rules of their markup.

`read(html)` parses a page or fragment with the standard library's HTMLParser into what a test compares
with the JSON answer: the level, the ids in each part (from `data-cramp-id`), the headings, the controls
and the visible text. `markup_problems(html)` lists every breach of the embedding rules (no script, no
inline style, `cramp-` class names only, ids unique).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

# The sections of the answer, by class, as the JSON answer names its lists.
PARTS = {"cramp-red-flags": "red_flags", "cramp-advice": "recommendations", "cramp-withheld": "withheld",
         "cramp-safety-net": "safety_net"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
POINTER_TEXT = re.compile(r"/(person|cramp|signs|context|medications|conditions|asks_about|self_treatment)\b")


@dataclass
class Page:
    level: str | None = None
    ids: dict[str, list[str]] = field(default_factory=lambda: {part: [] for part in PARTS.values()})
    headings: list[tuple[int, str]] = field(default_factory=list)
    inputs: list[dict[str, str]] = field(default_factory=list)
    element_ids: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    style_attributes: int = 0
    handler_attributes: int = 0
    text: str = ""
    sections_at_root: int = 0
    error_summary: list[tuple[str | None, str]] = field(default_factory=list)
    stylesheets: list[str] = field(default_factory=list)
    forms: list[dict[str, str]] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[tuple[str, set[str]]] = []
        self.heading: list[Any] | None = None
        self.summary_item: list[Any] | None = None
        self.texts: list[str] = []

    def _in(self, cls: str) -> bool:
        return any(cls in classes for _, classes in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        page = self.page
        classes = set(a.get("class", "").split())
        page.tags.append(tag)
        page.classes.extend(classes)
        page.style_attributes += "style" in a
        page.handler_attributes += any(k.startswith("on") for k in a)
        if "id" in a:
            page.element_ids.append(a["id"])
        if tag == "section" and not self.stack:
            page.sections_at_root += 1
        if "cramp" in classes and page.level is None:
            page.level = a.get("data-cramp-level")
        if "data-cramp-id" in a:
            part = next((PARTS[c] for _, cs in reversed(self.stack) for c in cs if c in PARTS), None)
            if part:
                page.ids[part].append(a["data-cramp-id"])
        if tag == "a":
            page.links.append(a.get("href", ""))
            if self._in("cramp-error-summary"):
                self.summary_item = [a.get("href"), ""]
        if tag == "li" and self._in("cramp-error-summary") and self.summary_item is None:
            self.summary_item = [None, ""]
        if tag == "input":
            page.inputs.append(a)
        if tag == "link" and a.get("rel") == "stylesheet":
            page.stylesheets.append(a.get("href", ""))
        if tag == "form":
            page.forms.append(a)
        if re.fullmatch(r"h[1-6]", tag):
            self.heading = [int(tag[1]), ""]
        if tag not in VOID:
            self.stack.append((tag, classes))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break
        if self.heading is not None and re.fullmatch(r"h[1-6]", tag):
            self.page.headings.append((self.heading[0], " ".join(self.heading[1].split())))
            self.heading = None
        if tag == "li" and self.summary_item is not None:
            href, text = self.summary_item
            self.page.error_summary.append((href, " ".join(text.split())))
            self.summary_item = None

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] in ("script", "style"):
            return
        self.texts.append(data)
        if self.heading is not None:
            self.heading[1] += data
        if self.summary_item is not None:
            self.summary_item[1] += data


def read(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.page.text = " ".join(" ".join(reader.texts).split())
    return reader.page


def markup_problems(html: str) -> list[str]:
    """Breaches of the embedding rules: script, inline style, event handlers, non-cramp classes, repeated ids."""
    page = read(html)
    problems = []
    if "script" in page.tags:
        problems.append("a <script> element")
    if "style" in page.tags:
        problems.append("a <style> element")
    if page.style_attributes:
        problems.append(f"{page.style_attributes} style attribute(s)")
    if page.handler_attributes:
        problems.append(f"{page.handler_attributes} on... event handler attribute(s)")
    foreign = sorted({c for c in page.classes if not c.startswith("cramp")})
    if foreign:
        problems.append(f"class names without the cramp- prefix: {foreign}")
    repeated = sorted({i for i in page.element_ids if page.element_ids.count(i) > 1})
    if repeated:
        problems.append(f"ids used twice: {repeated}")
    return problems


def same_statement(html: str, answer: dict[str, Any]) -> list[str]:
    """Where the HTML says something other than the JSON answer: level, and the ids of every part, in order."""
    page = read(html)
    differences = []
    if page.level != answer["disposition"]["level"]:
        differences.append(f"level {page.level!r} != {answer['disposition']['level']!r}")
    for part in PARTS.values():
        expected = [item["id"] for item in answer[part]]
        if page.ids[part] != expected:
            differences.append(f"{part}: {page.ids[part]} != {expected}")
    return differences
