"""The questionnaire's form encoding: an HTML form's fields to the request dict `POST /assess` takes, and back.

A form field is named by its request field's path with dots ("signs.chest_pain", "context.wound.dirty",
"medications.0.name"). Decoding only turns text into JSON types; it never judges a value: whatever it
cannot read is passed on as text, so the same `ASSESS_REQUEST.load` gives the same error detail as
for JSON ("person.age=abc" gets "Not a valid integer." at /person/age). The rules of the encoding:

- An empty value is no answer: the field is left out (absent means unknown, never "no"). That is what
  an empty text box and the "I don't know" radio send.
- Yes/no questions send "yes" or "no".
- Numbers are read with a point, or with the language's decimal sign ("0,5" on the Spanish form).
- A list of choices sends one field per choice (checkboxes). "none" alone sends an empty list, a known
  "none of these"; next to real choices it is dropped, since the choices say more.
- Medicines are rows (medications.<row>.name, .recent_change, .weeks_since_change). A row with every
  field empty is a blank row and is skipped; a row with a change but no name keeps the change under the
  knowledge base's name for an unnamed medicine (a recent change counts even when the name is not known);
  "medications=none" is "I take no medicines" (an empty list).
- Every other name is an unknown field, refused as JSON refuses one ("Unknown field.").

`encode` is the inverse: the hidden fields that carry earlier answers into a follow-up form, so that
decode(encode(request)) loads to the same request (tests/render/test_form_codec.py checks it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from schemas.request import MAX_MEDICATION_NAME
from service.render.labels import BOOLEAN, CHOICE, CHOICES, INTEGER, NUMBER, OBJECT, ROWS, TEXT, FieldInfo, Labels

NONE = "none"  # the "none of these" answer of a list
YES, NO = "yes", "no"
MAX_ROWS = 20  # medicine rows the form interface accepts (JSON takes up to 50)
UNKNOWN_FIELD = "Unknown field."  # marshmallow's words for an unknown field (schemas/fields.py)
# A number as people and JSON write it; anything else goes to the schema as text, which refuses it.
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"-?\d+")
_MAX_NUMBER_TEXT = 40  # longer "numbers" are refused as text (and never reach int())
_MISSING = object()


@dataclass(slots=True)
class Decoded:
    """A form read as a request: `request` for ASSESS_REQUEST.load, `errors` for names no field has,
    `rows` the form row of each medicine in request order (an error at /medications/1 is about row rows[1])."""

    request: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


def form_name(pointer: str) -> str:
    """"/context/wound/dirty" -> "context.wound.dirty"."""
    return pointer[1:].replace("/", ".")


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def name_pointer(name: str) -> str:
    """A form name as a JSON Pointer, for an unknown field's error ("signs.fevr" -> "/signs/fevr")."""
    return "/" + "/".join(_escape(part) for part in name.split("."))


def _number(text: str, decimal: str = ".") -> Any:
    """A number from form text: an int when written as one, else a float; other text stays text.
    `decimal` is the language's decimal sign: "0,5" reads as 0.5 where the comma is (es); a point
    always works too."""
    stripped = text.strip()
    if decimal != "." and stripped.count(decimal) == 1 and "." not in stripped:
        stripped = stripped.replace(decimal, ".")
    if len(stripped) > _MAX_NUMBER_TEXT or not _NUMBER.fullmatch(stripped):
        return text
    if _INTEGER.fullmatch(stripped):
        return int(stripped)
    value = float(stripped)
    return value if value not in (float("inf"), float("-inf")) else text


def _put(request: dict[str, Any], path: list[str], value: Any) -> None:
    node = request
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def _get(request: Mapping[str, Any], path: list[str]) -> Any:
    node: Any = request
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


class FormCodec:
    """Form fields <-> request dict, derived from the request schema (through Labels), nothing listed by hand."""

    def __init__(self, labels: Labels, max_rows: int = MAX_ROWS, decimal: str = ".") -> None:
        self.max_rows = max_rows
        self.decimal = decimal
        self.unnamed = labels.unnamed_medicine
        self.scalars: dict[str, FieldInfo] = {}  # form name -> field, in schema order
        self.lists: dict[str, FieldInfo] = {}
        self.rows: dict[str, FieldInfo] = {}  # "medications" -> the list of objects
        self.row_fields: dict[str, dict[str, FieldInfo]] = {}  # "medications" -> {"name": ..., ...}
        for pointer, info in labels.fields.items():
            if info.kind == OBJECT:
                continue
            if "/-/" in pointer:
                parent, _, key = pointer.partition("/-/")
                self.row_fields.setdefault(form_name(parent), {})[key] = info
            elif info.kind == ROWS:
                self.rows[form_name(pointer)] = info
            elif info.kind == CHOICES:
                self.lists[form_name(pointer)] = info
            else:
                self.scalars[form_name(pointer)] = info
        rows_names = "|".join(re.escape(name) for name in self.rows)
        self._row_name = re.compile(rf"({rows_names})\.(0|[1-9][0-9]*)\.([a-z_]+)")

    # --- form -> request -----------------------------------------------------------------------------

    def decode(self, form: Any) -> Decoded:
        """Read a werkzeug MultiDict (request.form) into a request dict and unknown-field errors."""
        out = Decoded()
        rows: dict[str, dict[int, dict[str, list[str]]]] = {name: {} for name in self.rows}
        none_lists: set[str] = set()
        for name in form:  # a MultiDict iterates its distinct keys, in order
            values: list[str] = form.getlist(name)
            info = self.scalars.get(name)
            if info is not None:
                value = self._scalar(info, values)
                if value is not _MISSING:
                    _put(out.request, info.pointer[1:].split("/"), value)
                continue
            info = self.lists.get(name)
            if info is not None:
                # "none" once means "none of these" (dropped beside real choices); twice, it is passed on
                # for the schema to refuse, like any other repeated answer.
                chosen = [v for v in values if v != NONE] if values.count(NONE) == 1 else values
                _put(out.request, info.pointer[1:].split("/"), chosen)
                continue
            if name in self.rows:
                if values == [NONE]:
                    none_lists.add(name)
                else:  # anything else is not a list of medicines: let the schema say so
                    _put(out.request, [name], values[0] if len(values) == 1 else values)
                continue
            row = self.row_of(name)
            if row is not None:
                rows[row[0]].setdefault(row[1], {})[row[2]] = values
                continue
            out.errors.append({"pointer": name_pointer(name), "detail": UNKNOWN_FIELD})
        for name, found in rows.items():
            if name in out.request:
                continue  # an unreadable "medications" value: its error comes from the schema
            items = []
            for row in sorted(found):
                item = {}
                for key, values in found[row].items():
                    value = self._scalar(self.row_fields[name][key], values)
                    if value is not _MISSING:
                        item[key] = value
                if item:
                    item.setdefault("name", self.unnamed)
                    items.append(item)
                    out.rows.append(row)
            if items or name in none_lists:
                out.request[name] = items
        return out

    def _scalar(self, info: FieldInfo, values: list[str]) -> Any:
        given = [v for v in values if v != ""]
        if not given:
            return _MISSING
        if len(given) > 1:
            return given  # two answers to one question: the schema refuses the list
        text = given[0]
        if info.kind == BOOLEAN:
            return {YES: True, NO: False}.get(text, text)
        if info.kind in (INTEGER, NUMBER):
            return _number(text, self.decimal)
        return text

    def row_of(self, name: str) -> tuple[str, int, str] | None:
        """("medications", 2, "name") for "medications.2.name", when that is a field of a row the form takes."""
        match = self._row_name.fullmatch(name)
        if match and int(match[2]) < self.max_rows and match[3] in self.row_fields[match[1]]:
            return match[1], int(match[2]), match[3]
        return None

    def knows(self, name: str) -> bool:
        """Whether a form name is a field of the form (else it is an unknown field)."""
        return name in self.scalars or name in self.lists or name in self.rows or self.row_of(name) is not None

    def form_name_of(self, pointer: str, rows: list[int]) -> str:
        """The form field an error pointer is about: "/medications/1/name" -> "medications.<row>.name",
        "/cramp/locations/2" -> "cramp.locations"."""
        parts = pointer[1:].split("/")
        for name in self.rows:
            if parts[0] == name and len(parts) >= 2 and parts[1].isdigit():
                index = int(parts[1])
                row = rows[index] if index < len(rows) else index
                return ".".join([name, str(row), *parts[2:3]]) if len(parts) > 2 else f"{name}.{row}.name"
        name = ".".join(parts)
        while name and name not in self.scalars and name not in self.lists and name not in self.rows:
            if "." not in name:
                break
            name = name.rpartition(".")[0]  # a list item ("cramp.locations.2") is the list's
        return name

    # --- request -> form -----------------------------------------------------------------------------

    def encode(self, request: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Hidden fields for a loaded request: decode() of them loads to the same request."""
        pairs: list[tuple[str, str]] = []
        for name, info in self.scalars.items():
            value = _get(request, info.pointer[1:].split("/"))
            if value is not _MISSING:
                pairs.append((name, self.text(info, value)))
        for name, info in self.lists.items():
            value = _get(request, info.pointer[1:].split("/"))
            if value is not _MISSING:
                pairs.extend((name, item) for item in value) if value else pairs.append((name, NONE))
        for name in self.rows:
            items = request.get(name)
            if items is None:
                continue
            if not items:
                pairs.append((name, NONE))
            for index, item in enumerate(items):
                for key, info in self.row_fields[name].items():
                    if key in item:
                        pairs.append((f"{name}.{index}.{key}", self.text(info, item[key])))
        return pairs

    @staticmethod
    def text(info: FieldInfo, value: Any) -> str:
        """One answer as the form sends it."""
        if info.kind == BOOLEAN:
            return YES if value else NO
        if isinstance(value, float):
            return repr(value)  # the shortest text that reads back as the same float
        return str(value)

    # --- the documented form body (openapi.yaml: components/schemas/EmbedForm) -----------------------

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of a form body (an object of strings) that decode() accepts and the request
        schema then loads. tests/contract checks openapi.yaml's EmbedForm against this."""
        properties: dict[str, Any] = {}
        for name, info in self.scalars.items():
            properties[name] = self._value_schema(info)
        for name, info in self.lists.items():
            properties[name] = {
                "type": "array", "items": {"enum": [*info.choices, NONE]}, "uniqueItems": True,
                "maxItems": len(info.choices) + 1,
            }
        for name in self.rows:
            properties[name] = {"enum": [NONE]}
            for row in range(self.max_rows):
                for key, info in self.row_fields[name].items():
                    properties[f"{name}.{row}.{key}"] = self._value_schema(info)
        return {"type": "object", "additionalProperties": False, "properties": properties}

    @staticmethod
    def _value_schema(info: FieldInfo) -> dict[str, Any]:
        if info.kind == BOOLEAN:
            return {"enum": [YES, NO, ""]}
        if info.kind == CHOICE:
            return {"enum": [*info.choices, ""]}
        if info.kind in (INTEGER, NUMBER):
            number = {"type": "integer" if info.kind == INTEGER else "number", "minimum": info.low,
                      "maximum": info.high}
            return {"anyOf": [number, {"const": ""}]}
        if info.kind == TEXT:  # a medicine's name; empty: a blank row, or a change without a name
            return {"type": "string", "maxLength": MAX_MEDICATION_NAME, "pattern": r"^$|\S"}
        raise ValueError(f"no form schema for {info.kind}")

    def names(self) -> Iterable[str]:
        return [*self.scalars, *self.lists, *self.rows]
