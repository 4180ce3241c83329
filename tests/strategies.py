"""Hypothesis strategies for valid /assess requests, derived from the strict request schema itself,
so that generated requests always mean what the schema (and openapi.yaml) say."""
from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from schemas import ASSESS_REQUEST
from schemas.fields import StrictBoolean, StrictInteger, StrictList, StrictNumber, StrictString

MEDICINE_NAMES = st.sampled_from([
    "atorvastatin 80 mg", "Lipitor", "salmeterol/fluticasone inhaler", "Cozaar 50 mg", "ramipril",
    "furosemide 40mg", "bendroflumethiazide", "spironolactone", "amlodipine", "warfarin", "naproxen",
    "quinine sulfate", "paracetamol", "sevelamer", "raloxifene", "insulin glargine", "clarithromycin",
])


def _validator(field: fields.Field, kind: type) -> Any:
    return next((v for v in field.validators if isinstance(v, kind)), None)


def field_strategy(field: fields.Field) -> st.SearchStrategy[Any]:
    if isinstance(field, fields.Nested):
        return schema_strategy(field.schema)
    if isinstance(field, StrictList):
        inner = field_strategy(field.inner)
        return st.lists(inner, max_size=min(field.max_items, 6), unique=field.unique)
    if isinstance(field, StrictBoolean):
        return st.booleans()
    bounds = _validator(field, Range)
    if isinstance(field, StrictInteger):
        return st.integers(bounds.min, bounds.max)
    if isinstance(field, StrictNumber):
        return st.one_of(
            st.integers(int(bounds.min), int(bounds.max)),
            st.floats(bounds.min, bounds.max, allow_nan=False, allow_infinity=False),
        )
    if isinstance(field, StrictString):
        choices = _validator(field, OneOf)
        if choices is not None:
            return st.sampled_from(list(choices.choices))
        length = _validator(field, Length)
        text = st.text(min_size=1, max_size=length.max if length else 100).filter(lambda s: s.strip())
        return st.one_of(MEDICINE_NAMES, text)
    raise TypeError(f"no strategy for {type(field).__name__}")


def schema_strategy(schema: Schema) -> st.SearchStrategy[dict[str, Any]]:
    required = {name: field_strategy(f) for name, f in schema.fields.items() if f.required}
    optional = {name: field_strategy(f) for name, f in schema.fields.items() if not f.required}
    return st.fixed_dictionaries(required, optional=optional)


valid_requests = schema_strategy(ASSESS_REQUEST)
# Every request field by the name the engine's index uses ("signs/fever", "context/wound",
# "conditions"), with a strategy for its values.
REQUEST_FIELDS: dict[str, st.SearchStrategy[Any]] = {}
for _name, _field in ASSESS_REQUEST.fields.items():
    if isinstance(_field, fields.Nested):
        REQUEST_FIELDS.update({f"{_name}/{key}": field_strategy(sub) for key, sub in _field.schema.fields.items()})
    else:
        REQUEST_FIELDS[_name] = field_strategy(_field)


def sparse_schema_strategy(schema: Schema, most: int = 6) -> st.SearchStrategy[dict[str, Any]]:
    """Like schema_strategy, but with at most `most` of the optional fields of each object, as real
    forms send them. Dense random requests nearly always hold a chest symptom, so the emergency
    rules fire and the rules that defer to them rarely get a chance; sparse ones reach those too."""
    required = {name: sparse_field_strategy(f, most) for name, f in schema.fields.items() if f.required}
    optional = {name: sparse_field_strategy(f, most) for name, f in schema.fields.items() if not f.required}
    return st.lists(st.sampled_from(sorted(optional)), max_size=most, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({**required, **{name: optional[name] for name in chosen}}))


def sparse_field_strategy(field: fields.Field, most: int) -> st.SearchStrategy[Any]:
    if isinstance(field, fields.Nested):
        return sparse_schema_strategy(field.schema, most)
    if isinstance(field, StrictList) and isinstance(field.inner, fields.Nested):
        return st.lists(sparse_schema_strategy(field.inner.schema, most), max_size=min(field.max_items, 4))
    return field_strategy(field)


sparse_requests = sparse_schema_strategy(ASSESS_REQUEST)
