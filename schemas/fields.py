"""Strict marshmallow fields: a JSON value is accepted only as the JSON type the contract names.

marshmallow's own fields coerce ("5" -> 5, 5.5 -> 5, "yes" -> True, 0 -> False). A coerced value
can silently change a triage answer, so these fields check the Python type that a JSON parser
produces and nothing else. Error messages are fixed strings: they never echo the submitted value,
which may be health data.

Every request loads through marshmallow's own `Schema.load`; these are custom fields made the
documented way (`_deserialize`, `make_error`, `default_error_messages`), nothing more.
"""
from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow.validate import Validator

NULL_MESSAGE = "Must not be null; leave the field out if it is not known."
NOT_AN_OBJECT = "Must be a JSON object."


class StrictInteger(fields.Field):
    """A JSON integer as JSON Schema 2020-12 defines it: any number with a whole value.

    45 and 45.0 both load as the int 45 (the contract, "Numbers"), so the engine never sees a float
    where it expects an integer. 45.5, "45" and true are rejected.
    """

    default_error_messages = {"invalid": "Not a valid integer.", "null": NULL_MESSAGE}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        kind = type(value)  # exact type: bool is a subclass of int
        if kind is int:
            return value
        if kind is float and math.isfinite(value) and value.is_integer():
            return int(value)
        raise self.make_error("invalid")


class StrictNumber(fields.Field):
    """A finite JSON number (int or float, never bool or str); NaN and infinities are rejected."""

    default_error_messages = {
        "invalid": "Not a valid number.",
        "not_finite": "Must be a finite number.",
        "null": NULL_MESSAGE,
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | float:
        kind = type(value)
        if kind is int:
            return value
        if kind is not float:
            raise self.make_error("invalid")
        if not math.isfinite(value):
            raise self.make_error("not_finite")
        return value


class StrictBoolean(fields.Field):
    """A JSON boolean: only true or false (not 0, 1, "yes" or "true")."""

    default_error_messages = {"invalid": "Not a valid boolean.", "null": NULL_MESSAGE}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if type(value) is not bool:
            raise self.make_error("invalid")
        return value


class StrictString(fields.Field):
    """A JSON string, returned unchanged (no stripping, no case folding)."""

    default_error_messages = {"invalid": "Not a valid string.", "null": NULL_MESSAGE}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if type(value) is not str:
            raise self.make_error("invalid")
        return value


# ECMA-262 whitespace (JSON Schema's regex dialect, so what "\\S" in openapi.yaml means); Python's
# str.isspace() differs: it adds U+001C-U+001F and U+0085 and lacks U+FEFF.
_ONLY_SPACE = re.compile("[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*")


class NotBlank(Validator):
    """Rejects a string that is only whitespace (documented in OpenAPI as pattern "\\S").

    The empty string is left to the Length validator, so it gets one error, not two.
    """

    error = "Must not be blank."

    def __call__(self, value: str) -> str:
        if value and _ONLY_SPACE.fullmatch(value):
            raise ValidationError(self.error)
        return value


class StrictList(fields.List):
    """A JSON array with a hard item limit, checked before any item is read, and optional uniqueness.

    The limit is checked first so that a huge array costs one error, not one error per item.
    A repeated item is reported at its own index, so the pointer names the duplicate.
    """

    default_error_messages = {
        "invalid": "Not a valid list.",
        "too_long": "Must have at most {max_items} items.",
        "too_long_unique": "Must have at most {max_items} items, each value at most once.",
        "duplicate": "Duplicate of an earlier item.",
        "null": NULL_MESSAGE,
    }

    def __init__(
        self,
        cls_or_instance: fields.Field | type[fields.Field],
        *,
        max_items: int,
        unique: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(cls_or_instance, **kwargs)
        self.max_items = max_items
        self.unique = unique

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list:
        if type(value) is not list:
            raise self.make_error("invalid")
        if len(value) > self.max_items:
            raise self.make_error("too_long_unique" if self.unique else "too_long", max_items=self.max_items)
        result = super()._deserialize(value, attr, data, **kwargs)
        if self.unique:
            # A list, not a set: items need not be hashable, and there are at most max_items of them.
            seen: list[Any] = []
            errors: dict[int, list[str]] = {}
            for index, item in enumerate(result):
                if item in seen:
                    errors[index] = [self.error_messages["duplicate"]]
                else:
                    seen.append(item)
            if errors:
                raise ValidationError(errors, valid_data=result)
        return result


class StrictNested(fields.Nested):
    """A nested JSON object; null gets the same plain message as every other field."""

    default_error_messages = {"null": NULL_MESSAGE}


class StrictSchema(Schema):
    """Base for request schemas: unknown fields raise, and a non-object says so plainly."""

    error_messages = {"type": NOT_AN_OBJECT, "unknown": "Unknown field."}

    class Meta:
        unknown = RAISE
