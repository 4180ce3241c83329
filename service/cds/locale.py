"""Which language a CDS answer is in: the patient's (Patient.communication), else Accept-Language.

The cards' own statements are written in en-GB (service/cds/data/cards.toml) and translated per
language (cards.es.toml); the knowledge-base parts of a card (source labels, drug-class labels, rule
titles and advice) come from the knowledge base of the chosen locale. So a content locale is offered
when the card statements exist in its language: en-GB and en-US (English), es (Spanish). Matching is
the service's own BCP 47 negotiator (service/http/language.py) when the content has locales, else
exact tags.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

DEFAULT = "en-GB"


def language_of(tag: str) -> str:
    """The primary language subtag of a BCP 47 tag, lower case ("en-US" -> "en")."""
    return tag.split("-")[0].lower()


def offered(locales: Iterable[str], card_languages: Iterable[str]) -> tuple[str, ...]:
    """The content locales the cards can be answered in (their language has card statements)."""
    languages = frozenset(card_languages)
    return tuple(tag for tag in locales if language_of(tag) in languages) or (DEFAULT,)


def choose_language(patient_languages: Iterable[str], accept_language: str | None, negotiator: Any,
                    available: tuple[str, ...]) -> str:
    """The patient's first language the cards are offered in, else the Accept-Language choice, else the default."""
    default = available[0]
    for tag in patient_languages:
        found = negotiator.match(tag) if negotiator is not None else (tag if tag in available else None)
        if found in available:
            return found  # type: ignore[no-any-return]
    if negotiator is not None:
        chosen = negotiator.choose(accept_language)
        return chosen if chosen in available else default  # type: ignore[no-any-return]
    return default
