"""The field index: which items may apply to the fields a request holds, in their original order."""
from __future__ import annotations

import pytest

from service.advice.index import FieldIndex, as_needs
from strategies import REQUEST_FIELDS

ITEMS = ["always", "fever", "chest", "fever or chest", "fever and chest"]
NEEDS = [None, as_needs(["signs/fever"]), as_needs(["signs/chest_pain"]),
         as_needs(["signs/fever", "signs/chest_pain"]), as_needs([["signs/fever"], ["signs/chest_pain"]])]


def test_items_keep_their_order_and_the_always_items_stay() -> None:
    index = FieldIndex(ITEMS, NEEDS)
    assert index.candidates(frozenset()) == ["always"]
    assert index.candidates(frozenset({"signs/chest_pain", "person/age"})) == ["always", "chest", "fever or chest"]
    assert index.candidates(frozenset({"signs/fever", "signs/chest_pain"})) == ITEMS


def test_needs_are_one_group_of_names_or_several_groups_all_met() -> None:
    assert as_needs(("a", "b")) == (frozenset({"a", "b"}),)
    assert as_needs((("a", "b"), ("c",))) == (frozenset({"a", "b"}), frozenset({"c"}))
    assert as_needs(None) is None
    for bad in ((), (("a",), ()), (("a",), "b")):
        with pytest.raises(ValueError):
            as_needs(bad)


def test_no_field_set_means_every_item() -> None:
    assert FieldIndex(ITEMS, NEEDS).candidates(None) == ITEMS


def test_a_remembered_answer_is_the_same_answer() -> None:
    index = FieldIndex(ITEMS, NEEDS)
    fields = frozenset({"signs/fever"})
    assert index.candidates(fields) == index.candidates(frozenset({"signs/fever"})) == ["always", "fever", "fever or chest"]


def test_items_and_needs_must_pair_up() -> None:
    with pytest.raises(ValueError):
        FieldIndex(ITEMS, NEEDS[:-1])


def test_every_index_entry_names_a_real_request_field_or_rule() -> None:
    """A misspelt name would silently skip a rule, topic or caution for every request."""
    from service.advice.cautions import CHECKS
    from service.advice.rules import RULE_IDS, RULES
    from service.advice.topics import NEEDS as TOPIC_NEEDS

    fields = set(REQUEST_FIELDS)
    for rule_id, _, needs in RULES:
        for group in needs:
            assert group <= fields, (rule_id, group - fields)  # rules are indexed on request fields only
    for topic_id, needs in TOPIC_NEEDS.items():
        for group in needs or ():
            assert group <= fields | set(RULE_IDS), (topic_id, group - fields - set(RULE_IDS))
    for name, (needed_fields, needed_rules, _) in CHECKS.items():
        assert needed_fields <= fields and needed_rules <= set(RULE_IDS), name


def test_rule_ids_and_request_fields_never_share_a_name() -> None:
    """Field names and fired rule ids share one set (`known`): for the caution and topic indexes and
    for the safety net's "already fired" test. A rule named like a field would look fired."""
    from service.advice.rules import RULE_IDS

    assert set(RULE_IDS).isdisjoint(REQUEST_FIELDS)
