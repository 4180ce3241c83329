"""Request fields in plain words: "Because you said: Which leg is swollen: Right", form labels, choices.

The words come from the knowledge base (data/fields.toml and data/presentation.toml, in the edition's
language; numbers written as the language writes them); this module
only looks them up. At construction it checks them against the request schema, so a field without a
label, a choice without words or words for a value the schema does not allow stops start-up, naming
fields.toml and the field.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from marshmallow import fields as mfields
from marshmallow.validate import OneOf, Range

from schemas.fields import StrictBoolean, StrictInteger, StrictList, StrictNumber, StrictString
from schemas.request import ASSESS_REQUEST, AssessRequestSchema, walk
from service.content import KnowledgeBase, KnowledgeBaseError
from service.content.models import FieldText

# What a field holds, read from its marshmallow type: the form codec and the widgets follow it.
BOOLEAN, INTEGER, NUMBER, CHOICE, TEXT, CHOICES, OBJECT, ROWS = (
    "boolean", "integer", "number", "choice", "text", "choices", "object", "rows",
)


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One request field (a pointer template, "-" for array items): its kind, limits and words."""

    pointer: str
    kind: str
    text: FieldText
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    max_items: int | None = None


def template_of(pointer: str) -> str:
    """"/medications/3/name" -> "/medications/-/name": the schema's name for a concrete pointer."""
    return "/".join("-" if part.isascii() and part.isdigit() else part for part in pointer.split("/"))


def _kind(field: mfields.Field) -> tuple[str, tuple[str, ...]]:
    one_of = next((v for v in field.validators if isinstance(v, OneOf)), None)
    if isinstance(field, StrictBoolean):
        return BOOLEAN, ()
    if isinstance(field, StrictInteger):
        return INTEGER, ()
    if isinstance(field, StrictNumber):
        return NUMBER, ()
    if isinstance(field, StrictString):
        return (CHOICE, tuple(one_of.choices)) if one_of is not None else (TEXT, ())
    if isinstance(field, StrictList):
        inner = field.inner
        if isinstance(inner, mfields.Nested):
            return ROWS, ()
        return CHOICES, _kind(inner)[1]
    if isinstance(field, mfields.Nested):
        return OBJECT, ()
    raise TypeError(f"no kind for {type(field).__name__}")


def _describe(schema: AssessRequestSchema, texts: Mapping[str, FieldText]) -> dict[str, FieldInfo]:
    """Every request field with its words; KnowledgeBaseError (naming fields.toml) for any gap."""
    infos: dict[str, FieldInfo] = {}
    lists: set[str] = set()
    for pointer, field in walk(schema):
        parent = pointer.rpartition("/")[0]
        if pointer.endswith("/-") and parent in lists:
            continue  # an item of a list of choices: the list's words cover it
        text = texts.get(pointer)
        if text is None:
            raise KnowledgeBaseError(f"fields.toml: no entry for request field {pointer}")
        kind, choices = _kind(field)
        if kind == CHOICES:
            lists.add(pointer)
        if set(text.options) != set(choices):
            raise KnowledgeBaseError(
                f"fields.toml: field '{pointer}': 'options' must name exactly the values {', '.join(choices)}"
                if choices else f"fields.toml: field '{pointer}': 'options' is only for choices"
            )
        if text.none and kind not in (CHOICES, ROWS):
            raise KnowledgeBaseError(f"fields.toml: field '{pointer}': 'none' is only for lists")
        bounds = next((v for v in field.validators if isinstance(v, Range)), None)
        infos[pointer] = FieldInfo(
            pointer, kind, text, choices,
            bounds.min if bounds else None, bounds.max if bounds else None,
            getattr(field, "max_items", None),
        )
    extra = set(texts) - set(infos)
    if extra:
        raise KnowledgeBaseError(f"fields.toml: entries for fields the request does not have: {sorted(extra)}")
    return infos


def plain_number(value: int | float) -> str:
    """A number as JSON writes it, without a needless ".0"."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


class Labels:
    """Plain words for request fields and their answers, checked against the schema once."""

    def __init__(self, kb: KnowledgeBase, schema: AssessRequestSchema = ASSESS_REQUEST,
                 number: Callable[[int | float], str] | None = None) -> None:
        self.fields = _describe(schema, kb.fields)
        self.number = number or plain_number  # the language's way (Words.number) on the pages
        self.answers = kb.presentation.answers
        self.unnamed_medicine = kb.presentation.unnamed_medicine
        self._infos: dict[str, FieldInfo] = {}  # by concrete pointer: the engine's pointers are a finite set
        self._said: dict[tuple[str, Any], str] = {}  # yes/no and choice lines of fields outside a medicine row

    def info(self, pointer: str) -> FieldInfo:
        """The field a concrete pointer names ("/cramp/locations/1" is the list's)."""
        found = self._infos.get(pointer)
        if found is None:
            found = self._infos[pointer] = self._lookup(pointer)
        return found

    def _lookup(self, pointer: str) -> FieldInfo:
        template = template_of(pointer)
        found = self.fields.get(template)
        if found is None and template.endswith("/-"):
            found = self.fields.get(template[:-2])
        if found is None:
            raise KeyError(pointer)
        return found

    def answer(self, info: FieldInfo, value: Any) -> str:
        """An answer in plain words ("Yes", "Right", "12 hours", "Calf, Foot")."""
        kind = info.kind
        if kind == BOOLEAN:
            return self.answers["yes" if value else "no"]
        if kind == CHOICE:
            return info.text.options.get(value, str(value))
        if kind == CHOICES:
            return ", ".join(info.text.options.get(item, str(item)) for item in value) or info.text.none
        if kind in (INTEGER, NUMBER):
            unit = info.text.unit
            return f"{self.number(value)} {unit}" if unit else self.number(value)
        if kind == ROWS:
            return ", ".join(str(row.get("name", "")) for row in value) or info.text.none
        if kind == TEXT:
            return str(value)
        return ""

    def said(self, pointer: str, facts: Mapping[str, Any]) -> str:
        """What the person said for one pointer, as "label: answer" (the label alone for an object)."""
        info = self.info(pointer)
        parts = pointer.split("/")[1:]
        value: Any = facts
        for part in parts:
            if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            elif isinstance(value, dict) and part in value:
                value = value[part]
            else:
                return info.text.label  # not in the answers (a derived fact): name the field only
        label = info.text.label
        if "/-/" in info.pointer and not info.pointer.endswith("/name"):
            # A detail of one medicine: say which ("Recent change to the medicine (atorvastatin): Started").
            item = facts
            for part in parts[:2]:
                item = item[int(part)] if isinstance(item, list) else item[part]
            if isinstance(item, dict) and "name" in item:
                label = f"{label} ({item['name']})"
        elif info.kind in (BOOLEAN, CHOICE):  # finitely many lines (no caller text): say each once
            key = (info.pointer, value)
            line = self._said.get(key)
            if line is None:
                line = self._said[key] = self._line(label, self.answer(info, value))
            return line
        return self._line(label, self.answer(info, value))

    @staticmethod
    def _line(label: str, words: str) -> str:
        return f"{label}: {words}" if words else label
