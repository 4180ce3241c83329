"""The HTML pages' words in one language: page words, error messages, dates and numbers.

Page words and messages come from the edition's presentation.toml tables (translated in
locales/<tag>.toml); dates and numbers are written as CLDR says for the language (Babel), so
"3 December 2026" is "December 3, 2026" in en-US and "3 de diciembre de 2026" in es.

Error messages are made by the request schema in en-GB (marshmallow's words and schemas/fields.py's),
and the JSON API keeps them so. The HTML pages say them in the page's language by matching each against
the en-GB templates of [message] ("Must be greater than or equal to {min} and less than or equal to
{max}.") and filling the translation with the same parts. A message no template matches is shown as
it is, marked with its language (lang="en-GB") so a screen reader pronounces it right;
tests/render/test_words.py checks that every message the schema can give has a template.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from types import SimpleNamespace

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, get_decimal_symbol
from markupsafe import Markup, escape

from service.content import KnowledgeBase, KnowledgeBaseError
from service.content.templates import placeholders, render

SOURCE_LANGUAGE = "en-GB"  # the language the schema's messages are made in
# Every page word the templates and renderers use (presentation.toml [page]); a missing one stops start-up.
PAGE_WORDS = frozenset({
    "service_name", "skip_link", "unnamed_medicine", "attribution", "kb_version", "page_reviewed", "next_review",
    "advice_reviewed", "why_heading", "advice_heading", "withheld_heading", "safety_heading", "sources",
    "take_care", "withheld_because", "because", "questionnaire_title", "questionnaire_lead", "not_stored",
    "submit", "result_title", "followup_title", "followup_lead", "update", "start_again", "error_prefix",
    "error_summary_title", "choices_or", "other_answers", "row", "row_field", "unknown_form_answer",
    "unknown_answer", "cannot_read_answers", "cannot_advise", "cannot_assess", "cannot_read_request",
})
_PART = re.compile(r"\{([a-z_]+)\}")


def _pattern(template: str) -> re.Pattern[str]:
    """A message template as a regular expression: literal text, and each {name} as a named part."""
    pieces, last = [], 0
    for found in _PART.finditer(template):
        pieces.append(re.escape(template[last:found.start()]))
        pieces.append(f"(?P<{found.group(1)}>.+?)")
        last = found.end()
    pieces.append(re.escape(template[last:]))
    return re.compile("".join(pieces), re.DOTALL)


class Messages:
    """Error messages (made in en-GB) in one language."""

    def __init__(self, source: Mapping[str, str], translated: Mapping[str, str], language: str) -> None:
        self.language = language
        self._same_language = language.split("-")[0] == SOURCE_LANGUAGE.split("-")[0]
        self._exact: dict[str, str] = {}
        self._patterns: list[tuple[re.Pattern[str], str]] = []
        for name, template in source.items():
            target = translated[name]
            if placeholders(template):
                self._patterns.append((_pattern(template), target))
            else:
                self._exact[template] = target
        # Longer templates first: "at most {n} items, each value at most once." before "at most {n} items."
        self._patterns.sort(key=lambda pair: len(pair[0].pattern), reverse=True)

    def say(self, message: str) -> Markup:
        """The message in this language (escaped), or as made, marked with its language."""
        found = self._exact.get(message)
        if found is not None:
            return escape(found)
        for pattern, target in self._patterns:
            match = pattern.fullmatch(message)
            if match:
                return escape(render(target, match.groupdict()))
        if self._same_language:
            return escape(message)
        return Markup('<span lang="{}">{}</span>').format(SOURCE_LANGUAGE, message)

    def knows(self, message: str) -> bool:
        return message in self._exact or any(p.fullmatch(message) for p, _ in self._patterns)


class Words:
    """The page words, messages, dates and numbers of one language."""

    def __init__(self, kb: KnowledgeBase, source: KnowledgeBase, language: str) -> None:
        missing = sorted(PAGE_WORDS - set(kb.presentation.page))
        if missing:
            raise KnowledgeBaseError(f"presentation.toml: [page] needs '{missing[0]}' (the pages use it)")
        self.language = language
        self.page = kb.presentation.page
        # For the templates: `w.submit` (a namespace, so no word can shadow a mapping method).
        self.namespace = SimpleNamespace(**self.page)
        self.messages = Messages(source.presentation.messages, kb.presentation.messages, language)
        self._locale = Locale.parse(language, sep="-")
        self.decimal = get_decimal_symbol(self._locale)

    def fill(self, word: str, **parts: str) -> str:
        """A page word with its {parts} filled ("{label} {number}" -> "Medicine 2")."""
        return render(self.page[word], parts)

    def date(self, iso: str) -> str:
        """"2026-12-03" -> "3 December 2026" (en-GB), "December 3, 2026" (en-US), "3 de diciembre de 2026" (es)."""
        return format_date(datetime.date.fromisoformat(iso), format="long", locale=self._locale)

    def number(self, value: int | float) -> str:
        """A number as the person reads it in this language (0.5 is "0,5" in es); no rounding."""
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            value = int(value)
        return format_decimal(value, format="#,##0.###############", locale=self._locale)
