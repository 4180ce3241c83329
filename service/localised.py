"""Answers in the person's language, naming their region's numbers: one engine per content edition.

Built once per process from service/content/editions.py: an Engine for every (language, region)
edition, and an Answerer for every (language, request region code) pair, so a request picks its
answerer with a dict look-up and the engine does exactly the work it does for the default. Every
renderer (the JSON answer, the HTML fragment) gets the same localised assessment from `assess`, and
the edition's KnowledgeBase for any words of its own.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from service.advice import Engine
from service.content import Edition, Editions
from service.http.language import LanguageNegotiator, negotiator


@dataclass(frozen=True, slots=True, eq=False)
class Answerer:
    engine: Engine
    edition: Edition
    language: str
    region: str | None  # the request's code (FR), not the table entry it shares (EU)
    knowledge_base: dict[str, Any]  # the answer's knowledge_base object; shared, never mutated

    def assess(self, facts: dict[str, Any]) -> dict[str, Any]:
        """The engine's assessment of validated facts (without `region`), saying which content answered."""
        assessment = self.engine.assess(facts)
        assessment["knowledge_base"] = self.knowledge_base  # a fresh dict per call: safe to set
        return assessment


@dataclass(frozen=True, slots=True, eq=False)
class Localised:
    editions: Editions
    answerers: dict[tuple[str, str | None], Answerer]
    languages: LanguageNegotiator

    def answerer(self, language: str, region: str | None) -> Answerer:
        return self.answerers[(language, region)]

    def default(self, region: str | None = None) -> Answerer:
        return self.answerers[(self.editions.default_language, region)]


@functools.lru_cache(maxsize=4)
def localised(editions: Editions) -> Localised:
    """Engines and answerers for every edition (cached per Editions: apps built from the same content share them)."""
    engines = {key: Engine(edition.kb) for key, edition in editions.by_key.items()}
    answerers: dict[tuple[str, str | None], Answerer] = {}
    for language in editions.languages:
        for code in (None, *editions.regions.by_code):
            edition = editions.edition(language, code)
            key = (language, None if edition.region is None else edition.region.id)
            kb = edition.kb
            answerers[(language, code)] = Answerer(engines[key], edition, language, code, {
                "version": kb.version, "sha256": kb.sha256, "last_reviewed": kb.last_reviewed,
                "language": language, "region": code, "translation_reviewed": edition.translation_reviewed,
            })
    return Localised(editions, answerers, negotiator(editions.languages, editions.default_language))
