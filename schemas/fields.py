"""Strict marshmallow fields: a JSON value is accepted only as the JSON type the contract names.

marshmallow's own fields coerce ("5" -> 5, 5.5 -> 5, "yes" -> True, 0 -> False). A coerced value
can silently change a triage answer, so these fields check the Python type that a JSON parser
produces and nothing else. Error messages are fixed strings: they never echo the submitted value,
which may be health data.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, missing
from marshmallow.error_store import ErrorStore
from marshmallow.validate import OneOf, Range, Validator

NULL_MESSAGE = "Must not be null; leave the field out if it is not known."
NOT_AN_OBJECT = "Must be a JSON object."

# Fast checks: most requests are valid, and marshmallow's per-field machinery (missing and null
# handling, _deserialize, an And() over the validators) cost several calls per field. Each strict
# field compiles one closure from its own declaration that returns the loaded value when the value
# is certainly valid, or SLOW otherwise; SLOW sends the whole request through marshmallow, which
# decides and words the errors. A property test checks both roads give the same results.
SLOW: Any = object()
Check = Callable[[Any], Any]


def _validators_test(validators: list[Validator]) -> Callable[[Any], bool]:
    """One test for a field's validators: Range and OneOf inlined, any other validator called."""
    tests: list[Callable[[Any], bool]] = []
    for validator in validators:
        if type(validator) is Range:
            tests.append(_range_test(validator))
        elif type(validator) is OneOf:
            tests.append(frozenset(validator.choices).__contains__)
        else:
            tests.append(_passes(validator))
    if not tests:
        return lambda value: True
    if len(tests) == 1:
        return tests[0]
    return lambda value: all(test(value) for test in tests)


def _range_test(validator: Range) -> Callable[[Any], bool]:
    low, high = validator.min, validator.max
    if low is not None and high is not None and validator.min_inclusive and validator.max_inclusive:
        return lambda value: low <= value <= high

    def within(value: Any) -> bool:
        if low is not None and (value < low if validator.min_inclusive else value <= low):
            return False
        return not (high is not None and (value > high if validator.max_inclusive else value >= high))

    return within


def _exact_type_check(kind: type, validators: list[Validator]) -> Check:
    """Values of exactly this JSON type (a bool is not an int) that pass the field's validators."""
    valid = _validators_test(validators)
    return lambda value: value if type(value) is kind and valid(value) else SLOW


def _passes(validator: Validator) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        try:
            return validator(value) is not False
        except ValidationError:
            return False

    return test


class StrictInteger(fields.Field):
    """A JSON integer: an int that is not a bool. 5.0, "5" and true are rejected."""

    default_error_messages = {"invalid": "Not a valid integer.", "null": NULL_MESSAGE}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if type(value) is not int:  # exact type: bool is a subclass of int
            raise self.make_error("invalid")
        return value

    def fast_check(self) -> Check:
        return _exact_type_check(int, self.validators)


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

    def fast_check(self) -> Check:
        valid, finite = _validators_test(self.validators), math.isfinite

        def check(value: Any) -> Any:
            kind = type(value)
            if (kind is int or (kind is float and finite(value))) and valid(value):
                return value
            return SLOW

        return check


class StrictBoolean(fields.Field):
    """A JSON boolean: only true or false (not 0, 1, "yes" or "true")."""

    default_error_messages = {"invalid": "Not a valid boolean.", "null": NULL_MESSAGE}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if type(value) is not bool:
            raise self.make_error("invalid")
        return value

    def fast_check(self) -> Check:
        return _exact_type_check(bool, self.validators)


class StrictString(fields.Field):
    """A JSON string, returned unchanged (no stripping, no case folding)."""

    default_error_messages = {"invalid": "Not a valid string.", "null": NULL_MESSAGE}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if type(value) is not str:
            raise self.make_error("invalid")
        return value

    def fast_check(self) -> Check:
        return _exact_type_check(str, self.validators)


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

    def fast_check(self) -> Check | None:
        inner = fast_check_of(self.inner)
        if inner is None or self.validators:
            return None
        max_items, unique = self.max_items, self.unique

        def check(value: Any) -> Any:
            if type(value) is not list or len(value) > max_items:
                return SLOW
            result = [inner(item) for item in value]
            if SLOW in result:
                return SLOW
            if unique:
                try:
                    if len(set(result)) != len(result):
                        return SLOW
                except TypeError:  # unhashable items: let marshmallow compare them
                    return SLOW
            return result

        return check


class StrictNested(fields.Nested):
    """A nested JSON object; null gets the same plain message as every other field."""

    default_error_messages = {"null": NULL_MESSAGE}

    def _deserialize(self, value: Any, attr: str | None, data: Any, partial: Any = None, **kwargs: Any) -> Any:
        # marshmallow loads a nested object through a full Schema.load (hooks, validators, a new
        # error store) although these schemas declare none; go straight to the strict loop instead.
        schema = self.schema
        if (not StrictSchema.fast_path or partial is not None or self.many or schema.many
                or self.unknown not in (None, RAISE) or not isinstance(schema, StrictSchema)):
            return super()._deserialize(value, attr, data, partial=partial, **kwargs)
        errors = ErrorStore()
        result = schema._deserialize(value, error_store=errors)
        if errors.errors:
            raise ValidationError(errors.errors, valid_data=result)
        return result

    def fast_check(self) -> Check | None:
        schema = self.schema
        if self.many or self.validators or not isinstance(schema, StrictSchema) or schema.many:
            return None
        return schema.fast_load if schema.fast_plan() is not None else None


def fast_check_of(field: fields.Field) -> Check | None:
    """The field's compiled check, or None when it has none (marshmallow then loads the request)."""
    compile_check = getattr(field, "fast_check", None)
    if (compile_check is None or field.data_key is not None or field.attribute is not None or field.allow_none
            or field.load_default is not missing):
        return None
    return compile_check()


class StrictSchema(Schema):
    """Base for request schemas: unknown fields raise, and a non-object says so plainly."""

    error_messages = {"type": NOT_AN_OBJECT, "unknown": "Unknown field."}

    class Meta:
        unknown = RAISE

    # marshmallow's own loop visits every declared field for every object, present or not; a request
    # sets a dozen of the ~130 fields, so that loop dominated the cost of an assessment. This one visits
    # only the keys the object has, with the same results (tests compare it against marshmallow's).
    fast_path = True
    _plan: dict[str, Check] | None = None
    _planned = False

    def fast_plan(self) -> dict[str, Check] | None:
        """Compiled checks per field name, built once; None when some field cannot be compiled."""
        if not self._planned:
            checks = {name: fast_check_of(field) for name, field in self.load_fields.items()}
            usable = all(checks.values()) and not any(self._hooks.values()) and not self.many
            self._plan = {name: check for name, check in checks.items() if check} if usable else None
            self._required = frozenset(name for name, field in self.load_fields.items() if field.required)
            self._planned = True
        return self._plan

    def fast_load(self, data: Any) -> Any:
        """The loaded object when every key is known and every value certainly valid; else SLOW."""
        if type(data) is not dict or not StrictSchema.fast_path:
            return SLOW
        plan = self._plan if self._planned else self.fast_plan()
        if plan is None or not self._required <= data.keys():
            return SLOW
        result = {}
        for key, raw in data.items():
            check = plan.get(key)
            if check is None:
                return SLOW
            value = check(raw)
            if value is SLOW:
                return SLOW
            result[key] = value
        return result

    def load(self, data: Any, *, many: bool | None = None, partial: Any = None, unknown: Any = None) -> Any:
        if many is None and partial is None and unknown is None:
            result = self.fast_load(data)
            if result is not SLOW:
                return result
        return super().load(data, many=many, partial=partial, unknown=unknown)

    def _deserialize(  # type: ignore[override]
        self,
        data: Any,
        *,
        error_store: Any,
        many: bool = False,
        partial: Any = None,
        unknown: Any = RAISE,
        index: Any = None,
    ) -> Any:
        if many or partial is not None or unknown != RAISE or not StrictSchema.fast_path:
            return super()._deserialize(
                data, error_store=error_store, many=many, partial=partial, unknown=unknown, index=index
            )
        index = index if self.opts.index_errors else None
        result: dict[str, Any] = {}
        if not isinstance(data, dict):
            error_store.store_error([self.error_messages["type"]], index=index)
            return result
        load_fields = self.load_fields
        for key, raw in data.items():
            field = load_fields.get(key)
            if field is None:
                error_store.store_error([self.error_messages["unknown"]], key, index=index)
                continue
            try:
                result[key] = field.deserialize(raw, key, data)
            except ValidationError as error:
                error_store.store_error(error.messages, key, index=index)
        for name, field in load_fields.items():
            if field.required and name not in data:
                error_store.store_error([field.error_messages["required"]], name, index=index)
        return result
