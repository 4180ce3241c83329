"""A bounded memo for answers that never change but are keyed by what callers send.

The engine remembers rule candidates per set of request fields, the HTTP layer URL bindings per
host and path, Flask's coroutine check per function. Their keys come from outside, so each memo must
stay bounded; starting afresh when full is cheaper per look-up than an LRU's bookkeeping, and the
working set (one form's field sets, one host's paths) refills it at once.
"""
from __future__ import annotations

from typing import TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")


class Memo(dict[Key, Value]):
    """Look up with `get`; store with `remember`, which forgets everything first when `limit` is reached."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a memo needs room for at least one entry")
        super().__init__()
        self.limit = limit

    def remember(self, key: Key, value: Value) -> Value:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
