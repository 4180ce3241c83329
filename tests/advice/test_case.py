"""The facts a Case reads from a request: each names the fields it came from."""
from __future__ import annotations

from service.advice.case import Case, warning_texts
from service.advice.pointers import NO_POINTERS
from service.content import load_knowledge_base

KB = load_knowledge_base()
LIMITS = KB.thresholds
WARNINGS = warning_texts(KB.warnings, LIMITS)


def test_taking_lists_each_medication_pointer_once_in_order() -> None:
    classes = {"ramipril": frozenset({"ace_inhibitor"}), "spironolactone": frozenset({"potassium_sparing_diuretic"}),
               "both": frozenset({"ace_inhibitor", "potassium_sparing_diuretic"})}
    case = Case({"medications": [{"name": "spironolactone"}, {"name": "both"}, {"name": "ramipril"}]},
                lambda name: classes.get(name, frozenset()), LIMITS, WARNINGS)
    assert case.taking(("ace_inhibitor", "potassium_sparing_diuretic")) == (
        "/medications/0/name", "/medications/1/name", "/medications/2/name")
    assert case.taking(("ace_inhibitor",)) == ("/medications/1/name", "/medications/2/name")
    assert case.taking(("statin",)) == NO_POINTERS


def test_number_reads_each_section_and_ignores_booleans() -> None:
    case = Case({"person": {"age": 40}, "signs": {"heart_rate": 120, "fever": True}}, lambda name: frozenset(), LIMITS, WARNINGS)
    assert case.number("person", "age") == 40
    assert case.number("signs", "heart_rate") == 120
    assert case.number("signs", "fever") is None
    assert case.number("context", "immobile_days") is None


def test_taking_answers_each_class_list_on_its_own() -> None:
    classes = {"ramipril": frozenset({"ace_inhibitor"}), "atorvastatin": frozenset({"statin"})}
    case = Case({"medications": [{"name": "ramipril"}, {"name": "atorvastatin"}]},
                lambda name: classes.get(name, frozenset()), LIMITS, WARNINGS)
    assert case.taking(("ace_inhibitor",)) == ("/medications/0/name",)
    assert case.taking(("statin", "fibrate")) == ("/medications/1/name",)
    assert case.taking(frozenset({"statin", "ace_inhibitor"})) == ("/medications/0/name", "/medications/1/name")
    assert case.taking(("nsaid",)) == NO_POINTERS


def test_pointer_readers_name_the_field_they_read() -> None:
    case = Case({"signs": {"fever": True, "swelling": False, "swelling_side": "left"},
                 "context": {"smoker": True}, "cramp": {"ongoing": True}, "person": {"age": 70}},
                lambda name: frozenset(), LIMITS, WARNINGS)
    assert case.sign("fever") == ("/signs/fever",) and case.sign("swelling") == NO_POINTERS
    assert case.any_sign("fever", "swelling", "vomiting") == ("/signs/fever",)
    assert case.ctx("smoker") == ("/context/smoker",) and case.said_yes("cramp", "ongoing") == ("/cramp/ongoing",)
    assert case.at_least("person", "age", 65) == ("/person/age",) and case.at_least("person", "age", 71) == NO_POINTERS
    assert case.swelling == ("/signs/swelling_side",)  # the side implies swelling, with a warning
    assert case.is_value("signs", "swelling_side", "left", "right") == ("/signs/swelling_side",)
    assert case.is_value("signs", "swelling_side", "both") == NO_POINTERS


def test_answered_holds_every_field_given_and_empty_lists() -> None:
    case = Case({"signs": {"fever": False}, "context": {"wound": {"dirty": True}}, "medications": []},
                lambda name: frozenset(), LIMITS, WARNINGS)
    assert case.answered == {"signs/fever", "context/wound", "context/wound/dirty", "medications"}


def test_a_warning_names_the_threshold_the_rule_compares_with() -> None:
    case = Case({"signs": {"fever": False, "temperature_c": LIMITS.fever_c}}, lambda name: frozenset(), LIMITS, WARNINGS)
    [warning] = case.warnings
    assert warning["code"] == "conflict_fever" and warning["pointer"] == "/signs/fever"
    assert f"{LIMITS.fever_c:g} °C" in warning["detail"] and "{" not in warning["detail"]
