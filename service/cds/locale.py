"""Which language a CDS answer is in: the patient's (Patient.communication), else Accept-Language.

The cards' own statements (service/cds/data/cards.toml) are written in en-GB; the knowledge-base parts
of a card (source labels, drug-class labels, rule titles and advice) come from the knowledge base of the
chosen locale. So a locale is offered when its language is the cards' language (en-GB, en-US today);
Spanish is offered once cards.toml has Spanish statements. Matching is the service's own BCP 47
negotiator (service/http/language.py) when the content has locales, else exact tags.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

CARDS_LANGUAGE = "en"
DEFAULT = "en-GB"


def offered(locales: Iterable[str]) -> tuple[str, ...]:
    """The content locales the cards can be answered in (their language is the cards' language)."""
    return tuple(tag for tag in locales if tag.split("-")[0].lower() == CARDS_LANGUAGE) or (DEFAULT,)


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
