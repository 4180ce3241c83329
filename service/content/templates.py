"""Placeholders in content texts: `{name}`, filled once at start-up, never per request.

A text names a number or a service only through a placeholder (`Call {emergency_number} now`), so
the region table (data/regions.toml) is the one place a number is written. Texts use phrase names
(`{emergency_number}`, `{urgent_care}`); phrases use region fields (`{emergency}`, `{service}`), and
a region-neutral phrase names the region it quotes (`{GB.emergency}`).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
PHRASE_NAME = re.compile(r"^[a-z][a-z_]*$")
# In a phrase: a field of the region being rendered, or CODE.field for a named region.
REGION_FIELD = re.compile(r"^(?:(?P<code>[A-Z]{2}(?:-[A-Z0-9]{1,3})?)\.)?(?P<field>[a-z][a-z_]*)$")


class TemplateError(ValueError):
    """A malformed text; the caller adds the file and entry."""


def placeholders(text: str) -> tuple[str, ...]:
    """The placeholder names in a text, in order; a stray brace is an error."""
    found = tuple(_PLACEHOLDER.findall(text))
    if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        raise TemplateError("has a brace that is not part of a {placeholder}")
    return found


def render(text: str, values: Mapping[str, str]) -> str:
    """The text with every placeholder replaced; an unknown name is an error."""
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise TemplateError(f"names {{{name}}}, which is not defined here")
        return values[name]

    return _PLACEHOLDER.sub(fill, text)


def literal_numbers(text: str, numbers: Iterable[str]) -> list[str]:
    """The numbers among `numbers` that the text writes out itself (outside its placeholders).

    Digits match on their own (so 100.4 does not hold 100 and 1,000 does not hold 000), and the
    spaces inside a long number may be written or left out.
    """
    return _numbers_pattern(tuple(sorted(set(numbers)))).findall(_PLACEHOLDER.sub(" ", text))


@functools.lru_cache(maxsize=8)
def _numbers_pattern(numbers: tuple[str, ...]) -> re.Pattern[str]:
    spelled = [r"[\s-]?".join(d for d in number if d.isdigit()) for number in numbers]
    longest_first = sorted(spelled, key=len, reverse=True)
    return re.compile(r"(?<![\d.,])(?:" + "|".join(longest_first) + r")(?![\d.,]\d|\d)")
