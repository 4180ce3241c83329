"""Which rules, topics or cautions can apply to a request, from the fields it holds (and rules fired).

Most requests set a dozen of ~130 fields, so most rules cannot fire. Each item names what it needs:
groups of fields, each group with at least one field present (a DVT needs a one-sided leg *and* a
sign or risk factor). The lookup runs once per set of fields (requests from one form share it) and is
remembered. It is an optimisation only: the engine can run without it; property tests check that
both give the same answers and that each group really is needed.
"""
from __future__ import annotations

from typing import Generic, Iterable, Sequence, TypeVar

from service.memo import Memo

Item = TypeVar("Item")
# What an item needs: groups of names (request fields or rule ids), each of which must have at least
# one member present; None: always evaluate the item. One group is the common case.
Needs = tuple[frozenset[str], ...]


def as_needs(names: Iterable[str] | Iterable[Iterable[str]] | None) -> Needs | None:
    """("a", "b") -> one group, a or b; (("a", "b"), ("c",)) -> (a or b) and c; None -> always."""
    if names is None:
        return None
    listed = list(names)
    if listed and all(isinstance(group, str) for group in listed):
        return (frozenset(listed),)  # type: ignore[arg-type]
    if not listed or any(isinstance(group, str) or not group for group in listed):
        raise ValueError(f"needs must be names, or groups of names, none of them empty: {names!r}")
    return tuple(frozenset(group) for group in listed)  # type: ignore[arg-type]


class FieldIndex(Generic[Item]):
    def __init__(self, items: Sequence[Item], needs: Sequence[Needs | None]) -> None:
        """`needs[i]`: the groups items[i] requires, each with at least one name present; None: always."""
        if len(items) != len(needs):
            raise ValueError("one needs entry per item")
        self._entries = list(zip(items, needs))
        self._items = list(items)
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

    def _lookup(self, present: frozenset[str]) -> list[Item]:
        return [item for item, groups in self._entries
                if groups is None or not any(group.isdisjoint(present) for group in groups)]
