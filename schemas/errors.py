"""Validation errors as RFC 6901 JSON Pointers: what a 422 lists and what a metric label may hold.

marshmallow reports errors as a nested dict keyed by field name, list index (int) or "_schema"
(an error about the containing object itself). The 422 body wants a flat, stably ordered list that
names each bad field; metrics want a bounded label. Neither ever carries a submitted value:
marshmallow's messages here are the fixed strings of schemas.fields and marshmallow's validators.
"""
from __future__ import annotations

from typing import Any

from marshmallow.exceptions import SCHEMA

from schemas.request import REQUEST_POINTERS

UNKNOWN_SEGMENT = "_unknown"


def _is_index(segment: str) -> bool:
    """An array index segment: ASCII digits only ("¹".isdigit() is true, but it is no index)."""
    return segment.isascii() and segment.isdigit()


def _escape(segment: str | int) -> str:
    return str(segment).replace("~", "~0").replace("/", "~1")


def _flatten(messages: Any, pointer: str, out: list[dict[str, str]]) -> None:
    if isinstance(messages, dict):
        for key, value in messages.items():
            child = pointer if key == SCHEMA else f"{pointer}/{_escape(key)}"
            _flatten(value, child, out)
    elif isinstance(messages, (list, tuple)):
        for message in messages:
            _flatten(message, pointer, out)
    else:
        out.append({"pointer": pointer, "detail": str(messages)})


def _sort_key(error: dict[str, str]) -> tuple:
    """Order by pointer with array indices compared as numbers (/x/9 before /x/10), then detail."""
    segments = tuple(
        (0, int(seg), "") if _is_index(seg) else (1, 0, seg) for seg in error["pointer"].split("/")[1:]
    )
    return segments, error["detail"]


def validation_errors(messages: dict) -> list[dict[str, str]]:
    """Flatten marshmallow's `ValidationError.messages` into sorted `{pointer, detail}` items.

    "_schema" maps to the pointer of the object it is about ("" for the whole body); list indices
    become number segments ("/medications/3/name"). Duplicate (pointer, detail) pairs are dropped.
    """
    out: list[dict[str, str]] = []
    _flatten(messages, "", out)
    unique = {(e["pointer"], e["detail"]): e for e in out}
    return sorted(unique.values(), key=_sort_key)


def metric_pointer(pointer: str) -> str:
    """A bounded metric label for an error pointer: array indices become "-".

    A segment that names no request field (an unknown key, which the caller chose and which could be
    anything) and everything below it collapse to "_unknown", so the label set stays finite.
    """
    if not pointer:
        return ""
    label = ""
    for segment in pointer.split("/")[1:]:
        candidate = f"{label}/{'-' if _is_index(segment) else segment}"
        if candidate not in REQUEST_POINTERS:
            return f"{label}/{UNKNOWN_SEGMENT}"
        label = candidate
    return label
