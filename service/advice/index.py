"""An inverted index from request fields to the rules or topics they can trigger.

Most requests set a dozen of ~130 fields, so most rules cannot fire; looking up the present fields
finds the few worth evaluating, in their original order. It is an optimisation only: the engine
can run without it, and a property test checks that both give the same answers.
"""
from __future__ import annotations

from typing import Generic, Iterable, Sequence, TypeVar

from service.memo import Memo

Item = TypeVar("Item")


class FieldIndex(Generic[Item]):
    def __init__(self, items: Sequence[Item], needs: Sequence[frozenset[str] | None]) -> None:
        """`needs[i]`: fields at least one of which items[i] requires; None: always evaluate it."""
        if len(items) != len(needs):
            raise ValueError("one needs entry per item")
        self._items = list(items)
        self._always = frozenset(i for i, fields in enumerate(needs) if fields is None)
        by_field: dict[str, set[int]] = {}
        for i, fields in enumerate(needs):
            for field in fields or ():
                by_field.setdefault(field, set()).add(i)
        self._by_field = {field: frozenset(items) for field, items in by_field.items()}
        self._remembered: Memo[frozenset[str], list[Item]] = Memo(4096)

    def candidates(self, present: frozenset[str] | None) -> list[Item]:
        """The items that may apply, in their order; all of them when `present` is None.

        Requests from the same form share their set of fields, so answers are remembered per set
        (bounded; the list returned is shared and must not be changed)."""
        if present is None:
            return self._items
        found = self._remembered.get(present)
        if found is None:
            found = self._remembered.remember(present, self._lookup(present))
        return found

    def _lookup(self, present: Iterable[str]) -> list[Item]:
        found = set(self._always)
        lookup = self._by_field.get
        for field in present:
            positions = lookup(field)
            if positions:
                found |= positions
        return [self._items[i] for i in sorted(found)]
