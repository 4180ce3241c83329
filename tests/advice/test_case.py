"""The small pointer helpers every rule leans on: order, repeats, emptiness."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.advice.case import NONE, Case, join

pointers = st.lists(st.sampled_from(["/a", "/b", "/c", "/d"]), max_size=3, unique=True).map(tuple)  # a group never repeats itself


def test_join_of_nothing_is_empty() -> None:
    assert join() == NONE and join(NONE, NONE) == NONE


def test_join_returns_a_single_group_as_it_is() -> None:
    group = ("/signs/fever", "/signs/temperature_c")
    assert join(NONE, group, NONE) is group


@given(st.lists(pointers, max_size=5))
def test_join_keeps_first_seen_order_without_repeats(groups: list[tuple[str, ...]]) -> None:
    expected: list[str] = []
    for group in groups:
        expected += [p for p in group if p not in expected]
    assert join(*groups) == tuple(expected)


def test_taking_lists_each_medication_pointer_once_in_order() -> None:
    classes = {"ramipril": frozenset({"ace_inhibitor"}), "spironolactone": frozenset({"potassium_sparing_diuretic"}),
               "both": frozenset({"ace_inhibitor", "potassium_sparing_diuretic"})}
    case = Case({"medications": [{"name": "spironolactone"}, {"name": "both"}, {"name": "ramipril"}]},
                lambda name: classes.get(name, frozenset()))
    assert case.taking(("ace_inhibitor", "potassium_sparing_diuretic")) == (
        "/medications/0/name", "/medications/1/name", "/medications/2/name")
    assert case.taking(("ace_inhibitor",)) == ("/medications/1/name", "/medications/2/name")
    assert case.taking(("statin",)) == NONE


def test_number_reads_each_section_and_ignores_booleans() -> None:
    case = Case({"person": {"age": 40}, "signs": {"heart_rate": 120, "fever": True}}, lambda name: frozenset())
    assert case.number("person", "age") == 40
    assert case.number("signs", "heart_rate") == 120
    assert case.number("signs", "fever") is None
    assert case.number("context", "immobile_days") is None


def test_taking_remembers_per_class_list_without_mixing_them_up() -> None:
    classes = {"ramipril": frozenset({"ace_inhibitor"}), "atorvastatin": frozenset({"statin"})}
    case = Case({"medications": [{"name": "ramipril"}, {"name": "atorvastatin"}]},
                lambda name: classes.get(name, frozenset()))
    for _ in range(2):  # the second round is answered from the case's memory
        assert case.taking(("ace_inhibitor",)) == ("/medications/0/name",)
        assert case.taking(("statin", "fibrate")) == ("/medications/1/name",)
        assert case.taking(frozenset({"statin", "ace_inhibitor"})) == ("/medications/0/name", "/medications/1/name")
        assert case.taking(("nsaid",)) == NONE


def test_pointer_readers_name_the_field_they_read() -> None:
    case = Case({"signs": {"fever": True, "swelling": False, "swelling_side": "left"},
                 "context": {"smoker": True}, "cramp": {"ongoing": True}, "person": {"age": 70}},
                lambda name: frozenset())
    assert case.sign("fever") == ("/signs/fever",) and case.sign("swelling") == NONE
    assert case.any_sign("fever", "swelling", "vomiting") == ("/signs/fever",)
    assert case.ctx("smoker") == ("/context/smoker",) and case.cramp_true("ongoing") == ("/cramp/ongoing",)
    assert case.at_least("person", "age", 65) == ("/person/age",) and case.at_least("person", "age", 71) == NONE
    assert case.swelling == ("/signs/swelling_side",)  # the side implies swelling, with a warning
    assert case.present == {"signs/fever", "signs/swelling", "signs/swelling_side", "context/smoker",
                            "cramp/ongoing", "person/age"}
