"""The field index: which items may apply to the fields a request holds, in their original order."""
from __future__ import annotations

import pytest

from service.advice.index import FieldIndex

ITEMS = ["always", "fever", "chest", "fever or chest"]
NEEDS = [None, frozenset({"signs/fever"}), frozenset({"signs/chest_pain"}),
         frozenset({"signs/fever", "signs/chest_pain"})]


def test_items_keep_their_order_and_the_always_items_stay() -> None:
    index = FieldIndex(ITEMS, NEEDS)
    assert index.candidates(frozenset()) == ["always"]
    assert index.candidates(frozenset({"signs/chest_pain", "person/age"})) == ["always", "chest", "fever or chest"]
    assert index.candidates(frozenset({"signs/fever", "signs/chest_pain"})) == ITEMS


def test_no_field_set_means_every_item() -> None:
    assert FieldIndex(ITEMS, NEEDS).candidates(None) == ITEMS


def test_a_remembered_answer_is_the_same_answer() -> None:
    index = FieldIndex(ITEMS, NEEDS)
    fields = frozenset({"signs/fever"})
    assert index.candidates(fields) == index.candidates(frozenset({"signs/fever"})) == ["always", "fever", "fever or chest"]


def test_items_and_needs_must_pair_up() -> None:
    with pytest.raises(ValueError):
        FieldIndex(ITEMS, NEEDS[:-1])
