"""Accept-Language: which of the service's locales answers, by BCP 47 matching (RFC 4647 lookup order,
CLDR language distances through langcodes).

The header is parsed by werkzeug (q-values, ties in header order); each tag, best first, is matched by
its language and region subtags only. langcodes decides every match, but never sees a caller's string:
its results are kept per (language, region) subtag pair, a finite set (two-letter languages, and
regions only for a language with several locales), so a caller cannot grow memory with made-up tags
and a request costs a parse and a dict look-up. Nothing matches: the default locale.
"""
from __future__ import annotations

import functools
import string
from collections.abc import Sequence

import langcodes
from flask import Response
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

# langcodes' own default: farther than this is another language (e.g. Basque 20 -> Spanish, French 84).
MAX_DISTANCE = 25


class LanguageNegotiator:
    """Picks one of `locales` (BCP 47 tags, the first of each language answering a bare tag)."""

    def __init__(self, locales: Sequence[str], default: str) -> None:
        self.default = default
        self._locales = tuple(locales)
        by_language: dict[str, list[str]] = {}
        for tag in self._locales:
            by_language.setdefault(tag.split("-")[0].lower(), []).append(tag)
        # Languages with one locale (es) answer any region of theirs; those with several (en) need the region.
        self._several = {language: tuple(tags) for language, tags in by_language.items() if len(tags) > 1}
        self._scripts = {language: langcodes.Language.get(language).maximize().script for language in by_language}
        self._by_language: dict[str, str | None] = {}
        for a in string.ascii_lowercase:
            for b in string.ascii_lowercase:
                language = a + b
                own = by_language.get(language)
                self._by_language[language] = own[0] if own else langcodes.closest_supported_match(
                    language, self._locales, MAX_DISTANCE)
        self._by_region: dict[tuple[str, str], str | None] = {}  # filled on first use; bounded by its keys

    def choose(self, header: str | None) -> str:
        """The locale for an Accept-Language header (None or empty: the default)."""
        if not header:
            return self.default
        for value, quality in parse_accept_header(header, LanguageAccept):  # best first
            if quality <= 0:
                break  # "not acceptable"; the rest are 0 too
            if value == "*":
                return self.default
            found = self.match(value)
            if found is not None:
                return found
        return self.default

    def match(self, tag: str) -> str | None:
        """The locale one language tag matches, or None."""
        subtags = tag.replace("_", "-").lower().split("-")
        language = subtags[0]
        if len(language) != 2 or not (language.isascii() and language.isalpha()):
            return None  # three-letter languages, private use (x-...), grandfathered tags: no match
        rest = [s for s in subtags[1:] if s]
        script = region = None
        if rest and len(rest[0]) == 4 and rest[0].isalpha():
            script = rest.pop(0).title()
        if rest and ((len(rest[0]) == 2 and rest[0].isalpha()) or (len(rest[0]) == 3 and rest[0].isdigit())):
            region = rest[0].upper()
        several = self._several.get(language)
        if several is None:
            return self._by_language.get(language)
        if script is not None and script != self._scripts.get(language):
            return None  # another script of the language (en-Shaw) is another language here
        if region is None or not region.isascii():
            return several[0]
        key = (language, region)
        if key not in self._by_region:
            self._by_region[key] = langcodes.closest_supported_match(f"{language}-{region}", several, MAX_DISTANCE)
        return self._by_region[key]


@functools.lru_cache(maxsize=8)
def negotiator(locales: tuple[str, ...], default: str) -> LanguageNegotiator:
    """One negotiator per locale set (building one asks langcodes about 676 languages, ~20 ms)."""
    return LanguageNegotiator(locales, default)


def add_vary(response: Response, *names: str) -> None:
    """Add header names to Vary, keeping those already there (one line, each name once)."""
    present = [v.strip() for line in response.headers.getlist("Vary") for v in line.split(",") if v.strip()]
    lowered = {v.lower() for v in present}
    merged = present + [n for n in names if n.lower() not in lowered]
    response.headers["Vary"] = ", ".join(merged)
