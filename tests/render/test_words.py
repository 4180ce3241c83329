"""The pages' words in every language (service/render/words.py): every page word a template uses exists,
every error message the request schema can give is said in every language, and dates and numbers are
written as each language writes them."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from marshmallow import ValidationError

from schemas import ASSESS_REQUEST, validation_errors
from schemas.fields import StrictList, StrictNumber, StrictString
from schemas.request import walk
from service.content import KnowledgeBaseError, load_editions
from service.render.form import FormCodec
from service.render.labels import Labels
from service.render.words import PAGE_WORDS, SOURCE_LANGUAGE, Messages, Words

EDITIONS = load_editions()
SOURCE = EDITIONS.default.kb
LANGUAGES = EDITIONS.languages
TEMPLATES = Path(__file__).parents[2] / "service" / "templates" / "embed"


def words_of(language: str) -> Words:
    return Words(EDITIONS.edition(language, None).kb, SOURCE, language)


def _request_with(pointer: str, value: Any) -> Any:
    """A request holding only `value`, at `pointer` ("-" is the first item of a list)."""
    node = value
    for part in reversed(pointer[1:].split("/")):
        node = [node] if part == "-" else {part: node}
    return node


def _bad_values(field: Any) -> list[Any]:
    """Values the field refuses, one of each kind of refusal it can give."""
    values: list[Any] = [None, {"x": 1}]
    for validator in field.validators:
        low, high = getattr(validator, "min", None), getattr(validator, "max", None)
        if isinstance(field, StrictString):
            values += ["", " ", "x" * (high + 1)] if high is not None else ["not-a-choice"]
        elif low is not None or high is not None:
            values += [v for v in (low - 1 if low is not None else None, high + 1 if high is not None else None)
                       if v is not None]
    if isinstance(field, StrictNumber):
        values.append(float("nan"))
    if isinstance(field, StrictList):
        choices = getattr(next(iter(field.inner.validators), None), "choices", None)
        values += [[0] * (field.max_items + 1)]
        if choices:
            values += [[choices[0], choices[0]]]
    return values


def every_schema_message() -> set[str]:
    """Every message the request schema gives for a bad value of any field, and for unknown fields."""
    found: set[str] = set()
    requests: list[dict[str, Any]] = [{"unknown": 1}, {"medications": [{}]}, []]  # type: ignore[list-item]
    for pointer, field in walk(ASSESS_REQUEST):
        requests += [_request_with(pointer, value) for value in _bad_values(field)]
    for request in requests:
        try:
            ASSESS_REQUEST.load(request)
        except ValidationError as err:
            found |= {e["detail"] for e in validation_errors(err.messages if isinstance(err.messages, dict)
                                                             else {"_schema": err.messages})}
    return found


MESSAGES = sorted(every_schema_message())


def test_the_schema_gives_every_kind_of_message() -> None:
    """The enumeration reaches range, choice, length, list, type and unknown-field messages alike."""
    joined = "\n".join(MESSAGES)
    for expected in ("Not a valid integer.", "Not a valid boolean.", "Must be one of:", "Unknown field.",
                     "Must be greater than or equal to", "Must not be null", "Duplicate of an earlier item.",
                     "Must have at most", "Length must be between", "Must not be blank."):
        assert expected in joined


@pytest.mark.parametrize("message", MESSAGES)
def test_every_message_the_schema_gives_is_said_in_every_language(message: str) -> None:
    for language in LANGUAGES:
        messages = words_of(language).messages
        assert messages.knows(message), message
        said = str(messages.say(message))
        assert "lang=" not in said
        if language.split("-")[0] != "en":
            assert said != str(Messages({}, {}, SOURCE_LANGUAGE).say(message)), (language, message)


def test_a_message_fills_its_parts_and_an_unknown_one_is_marked_with_its_language() -> None:
    spanish = words_of("es").messages
    said = str(spanish.say("Must be greater than or equal to 0 and less than or equal to 120."))
    assert "0" in said and "120" in said and "Must" not in said
    unknown = str(spanish.say("Something <new> went wrong."))
    assert unknown == '<span lang="en-GB">Something &lt;new&gt; went wrong.</span>'
    assert str(words_of("en-US").messages.say("Something new.")) == "Something new."


def test_every_page_word_a_template_uses_is_known() -> None:
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"\b(?:w|words)\.([a-z_]+)", template.read_text()))
    used -= {"id", "errors", "hint", "kind", "name", "none", "options", "question", "rows", "unit", "value",
             "inline", "inputmode", "width", "reason"}  # a widget's (`w`) own attributes, not page words
    assert used <= PAGE_WORDS, sorted(used - PAGE_WORDS)
    assert PAGE_WORDS <= set(SOURCE.presentation.page)


def test_a_missing_page_word_stops_start_up_naming_the_file() -> None:
    page = {k: v for k, v in SOURCE.presentation.page.items() if k != "submit"}
    kb = replace(SOURCE, presentation=replace(SOURCE.presentation, page=MappingProxyType(page)))
    with pytest.raises(KnowledgeBaseError, match=r"presentation.toml: \[page\] needs 'submit'"):
        Words(kb, SOURCE, SOURCE_LANGUAGE)


@pytest.mark.parametrize("language,date,number", [
    ("en-GB", "3 December 2026", "0.5"), ("en-US", "December 3, 2026", "0.5"), ("es", "3 de diciembre de 2026", "0,5"),
])
def test_dates_and_numbers_as_each_language_writes_them(language: str, date: str, number: str) -> None:
    words = words_of(language)
    assert words.date("2026-12-03") == date
    assert words.number(0.5) == number
    assert words.number(45.0) == "45" and words.number(2) == "2"


def test_the_spanish_form_reads_a_decimal_comma_and_a_point() -> None:
    kb = EDITIONS.edition("es", None).kb
    codec = FormCodec(Labels(kb), decimal=words_of("es").decimal)
    form = _Form({"cramp.duration_minutes": ["0,5"], "cramp.episodes_per_week": ["1.5"]})
    assert codec.decode(form).request == {"cramp": {"duration_minutes": 0.5, "episodes_per_week": 1.5}}
    english = FormCodec(Labels(SOURCE))
    assert english.decode(_Form({"cramp.duration_minutes": ["0,5"]})).request == {"cramp": {"duration_minutes": "0,5"}}


class _Form(dict):  # type: ignore[type-arg]
    """The part of werkzeug's MultiDict the codec reads."""

    def getlist(self, name: str) -> list[str]:
        return list(self[name])
