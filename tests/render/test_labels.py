"""The plain words of every request field are content, checked at start-up: a gap stops the service, naming
the file and the entry, before any "Because you said ..." could fall back to a JSON pointer."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

import pytest
from tooling import edit

from schemas import REQUEST_POINTERS
from service.content import (
    KnowledgeBase,
    KnowledgeBaseError,
    load_knowledge_base,
)
from service.content.models import FieldText
from service.render.labels import Labels


def test_every_request_field_has_plain_words(kb: KnowledgeBase) -> None:
    labels = Labels(kb)
    for pointer in REQUEST_POINTERS:
        info = labels.info(pointer.replace("/-", "/0"))
        assert info.text.label and "/" not in info.text.label, pointer
        assert set(info.text.options) == set(info.choices), pointer


def test_every_questionnaire_field_has_a_question_and_follow_ups_are_on_it(kb: KnowledgeBase) -> None:
    asked = {pointer for group in kb.presentation.groups for pointer in group.fields}
    assert set(kb.questions) <= asked
    assert all(kb.fields[pointer].question for pointer in asked)


def _without(fields: dict[str, FieldText], pointer: str) -> dict[str, FieldText]:
    return {p: text for p, text in fields.items() if p != pointer}


def _options(fields: dict[str, FieldText], pointer: str, options: dict[str, str]) -> dict[str, FieldText]:
    return {**fields, pointer: replace(fields[pointer], options=options)}


@pytest.mark.parametrize("change,message", [
    (lambda f: _without(f, "/signs/shivering"), "fields.toml: no entry for request field /signs/shivering"),
    (lambda f: {**f, "/signs/shiverin": f["/signs/shivering"]},
     "fields.toml: entries for fields the request does not have: ['/signs/shiverin']"),
    (lambda f: _options(f, "/cramp/side", {"left": "Left", "right": "Right"}),
     "fields.toml: field '/cramp/side': 'options' must name exactly the values left, right, both"),
    (lambda f: _options(f, "/signs/fever", {"yes": "Yes"}), "fields.toml: field '/signs/fever': 'options' is only for choices"),
])
def test_missing_words_stop_start_up_naming_file_and_field(kb: KnowledgeBase, change: Callable[[dict], dict],
                                                           message: str) -> None:
    """Checked against the request schema when the renderers are built (service/app.py, at start-up)."""
    with pytest.raises(KnowledgeBaseError) as caught:
        Labels(replace(kb, fields=change(dict(kb.fields))))
    assert message in str(caught.value)


@pytest.mark.parametrize("file,change,message", [
    ("fields.toml", lambda t: t.replace('pointer = "/signs/warmth"\nlabel = "Warm or hot skin over the painful area"',
                                        'pointer = "/signs/warmth"\nlabel = ""'),
     "fields.toml: field '/signs/warmth': 'label' must be a non-empty string"),
    ("fields.toml", lambda t: t.replace('pointer = "/person/age"', 'pointer = "person.age"'),
     "fields.toml: field 'person.age': 'pointer' must be a JSON Pointer"),
    ("presentation.toml", lambda t: t.replace('"/person/sex", ', '"/person/sex", "/signs/shivering", '),
     "presentation.toml: group 'about_you': field '/signs/shivering' has no 'question' in fields.toml"),
    ("presentation.toml", lambda t: t.replace('"/signs/confusion",', ''),
     "presentation.toml: questions.toml asks about fields no group has: ['/signs/confusion']"),
    ("presentation.toml", lambda t: t.replace('urgent = "Urgent"\n', ''),
     "presentation.toml: top level: 'levels' needs exactly"),
    ("kb.toml", lambda t: t.replace('next_review_due = "2027-12-03"', 'next_review_due = "2026-01-01"'),
     "kb.toml: top level: 'next_review_due' must come after 'last_reviewed'"),
])
def test_a_bad_words_file_stops_loading_naming_file_and_entry(data_dir: Path, file: str,
                                                              change: Callable[[str], str], message: str) -> None:
    edit(data_dir / file, change)
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(data_dir)
    assert message in str(caught.value)
