"""Renderers of the engine's answer beyond JSON: the HTML fragment, the /embed pages and their stylesheet.

    labels.py  request fields in plain words (from the knowledge base), checked against the schema
    form.py    the questionnaire's form encoding <-> the request dict POST /assess takes
    html.py    the answer (and a refusal) as an HTML fragment
    pages.py   the /embed pages: questionnaire, result with follow-up, error
    static/    cramp-advice.css, the one stylesheet (GET /embed/cramp-advice.css)

Everything here is built once at start-up (`Renderers`), so a gap in the words stops start-up, not a request.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import jinja2

from service.content import KnowledgeBase
from service.render.form import FormCodec
from service.render.html import DEFAULT_HEADING_LEVEL, HEADING_LEVELS, AnswerHtml
from service.render.labels import Labels
from service.render.pages import Pages

STYLESHEET = Path(__file__).with_name("static") / "cramp-advice.css"

__all__ = ["DEFAULT_HEADING_LEVEL", "HEADING_LEVELS", "Renderers", "Stylesheet"]


@dataclass(frozen=True, slots=True)
class Stylesheet:
    """The stylesheet's bytes, read once; `version` (from its hash) makes its URL change when it does."""

    body: bytes
    etag: str
    version: str

    @classmethod
    def load(cls, path: Path = STYLESHEET) -> "Stylesheet":
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()
        return cls(body, digest[:32], digest[:12])


class Renderers:
    """The HTML renderers over one knowledge base and Flask's Jinja2 environment."""

    def __init__(self, env: jinja2.Environment, kb: KnowledgeBase) -> None:
        self.labels = Labels(kb)
        self.form = FormCodec(self.labels)
        self.answer = AnswerHtml(env, kb, self.labels)
        self.stylesheet = Stylesheet.load()
        self.pages = Pages(env, kb, self.labels, self.form, self.answer, self.stylesheet.version)
