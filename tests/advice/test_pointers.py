"""The pointer helpers every rule leans on: order, repeats, emptiness."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.advice.pointers import NO_POINTERS, field, fired_because, join

pointers = st.lists(st.sampled_from(["/a", "/b", "/c", "/d"]), max_size=3, unique=True).map(tuple)  # a fact never repeats itself


def test_join_of_nothing_is_empty() -> None:
    assert join() == NO_POINTERS and join(NO_POINTERS, NO_POINTERS) == NO_POINTERS


def test_join_returns_a_single_fact_as_it_is() -> None:
    fact = ("/signs/fever", "/signs/temperature_c")
    assert join(NO_POINTERS, fact, NO_POINTERS) is fact


@given(st.lists(pointers, max_size=5))
def test_join_keeps_first_seen_order_without_repeats(facts: list[tuple[str, ...]]) -> None:
    expected: list[str] = []
    for fact in facts:
        expected += [p for p in fact if p not in expected]
    assert join(*facts) == tuple(expected)


def test_field_names_one_request_field() -> None:
    assert field("signs", "fever") == ("/signs/fever",)
    assert field("context/wound", "dirty") == ("/context/wound/dirty",)


def test_fired_because_joins_the_rules_that_fired_in_the_order_asked() -> None:
    fired = {"b": ("/y",), "a": ("/x", "/y")}
    assert fired_because(fired, ("a", "b", "c")) == ("/x", "/y")
    assert fired_because(fired, ("c",)) == NO_POINTERS
