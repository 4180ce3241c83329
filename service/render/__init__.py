"""Renderers of the engine's answer beyond JSON: the HTML fragment, the /embed pages and their stylesheet.

    words.py   the pages' own words, error messages, dates and numbers in one language
    labels.py  request fields in plain words (from the knowledge base), checked against the schema
    form.py    the questionnaire's form encoding <-> the request dict POST /assess takes
    html.py    the answer (and a refusal) as an HTML fragment
    pages.py   the /embed pages: questionnaire, result with follow-up, error
    static/    cramp-advice.css, the one stylesheet (GET /embed/cramp-advice.css)

Everything here is built once at start-up for every edition (`Renderers`), so a gap in the words of any
language stops start-up, not a request.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import jinja2

from service.content import Edition, Editions
from service.render.form import FormCodec
from service.render.html import DEFAULT_HEADING_LEVEL, HEADING_LEVELS, AnswerHtml
from service.render.labels import Labels
from service.render.pages import Pages
from service.render.words import Words

STYLESHEET = Path(__file__).with_name("static") / "cramp-advice.css"

__all__ = ["DEFAULT_HEADING_LEVEL", "HEADING_LEVELS", "EditionRenderers", "Renderers", "Stylesheet"]


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


@dataclass(frozen=True, slots=True, eq=False)
class EditionRenderers:
    """The HTML renderers of one edition: its language's words, its region's numbers."""

    words: Words
    labels: Labels
    form: FormCodec
    answer: AnswerHtml
    pages: Pages


class Renderers:
    """The HTML renderers of every edition (language x region) over Flask's Jinja2 environment.

    `labels`, `form`, `answer` and `pages` are the default edition's (the default language and region);
    `edition(language, region)` gives another's.
    """

    def __init__(self, env: jinja2.Environment, editions: Editions, default: Edition) -> None:
        self.stylesheet = Stylesheet.load()
        source = editions.default.kb
        # Page words and messages are filled per request, never from the region table, so a language's
        # are the same in every region: one Words per language.
        words_of = {language: Words(editions.edition(language, None).kb, source, language)
                    for language in editions.languages}
        self._by_key: dict[tuple[str, str | None], EditionRenderers] = {}
        for key, edition in editions.by_key.items():
            words = words_of[edition.language]
            labels = Labels(edition.kb, number=words.number)
            form = FormCodec(labels, decimal=words.decimal)
            answer = AnswerHtml(env, edition.kb, labels, words)
            pages = Pages(env, edition.kb, labels, form, answer, self.stylesheet.version, words)
            self._by_key[key] = EditionRenderers(words, labels, form, answer, pages)
        self.default = self.edition(default)
        self.labels, self.form, self.answer, self.pages = (
            self.default.labels, self.default.form, self.default.answer, self.default.pages)

    def edition(self, edition: Edition) -> EditionRenderers:
        """The renderers of an edition (the one an answerer answered from)."""
        return self._by_key[(edition.language, None if edition.region is None else edition.region.id)]
