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


def _request_fields() -> set[str]:
    from schemas import ASSESS_REQUEST

    names = set()
    for name, field in ASSESS_REQUEST.fields.items():
        nested = getattr(field, "schema", None)
        names |= {f"{name}/{key}" for key in nested.fields} if nested is not None else {name}
    return names


def test_every_index_entry_names_a_real_request_field_or_rule() -> None:
    """A misspelt name would silently skip a rule, topic or caution for every request."""
    from service.advice.cautions import CHECKS
    from service.advice.rules import RULE_IDS, RULES
    from service.advice.topics import NEEDS as TOPIC_NEEDS

    fields = _request_fields()
    for rule_id, _, needs in RULES:
        assert needs <= fields, (rule_id, needs - fields)  # rules are indexed on request fields only
    for topic_id, needs in TOPIC_NEEDS.items():
        assert needs is None or needs <= fields | set(RULE_IDS), (topic_id, needs - fields - set(RULE_IDS))
    for name, (needed_fields, needed_rules, _) in CHECKS.items():
        assert needed_fields <= fields and needed_rules <= set(RULE_IDS), name
