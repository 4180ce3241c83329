"""Clinical safety rules 2 and 3: what is never said, what is held back, and the safety net."""
from __future__ import annotations

from typing import Any

from service.advice import Engine
from service.content.vocabulary import NEVER_RECOMMENDED


def topics(answer: dict[str, Any]) -> list[str]:
    return [r["id"] for r in answer["recommendations"]]


def withheld(answer: dict[str, Any]) -> set[str]:
    return {w["id"] for w in answer["withheld"]}


def test_quinine_is_never_recommended_even_when_asked(engine: Engine) -> None:
    answer = engine.assess({"asks_about": ["quinine"], "self_treatment": ["tonic_water"],
                            "medications": [{"name": "quinine sulfate 300 mg"}]})
    assert not NEVER_RECOMMENDED & set(topics(answer))
    assert "quinine_warning" in topics(answer)
    assert "quinine" in withheld(answer)


def test_supplements_withheld_in_kidney_disease_on_ace_inhibitor(engine: Engine) -> None:
    answer = engine.assess({"conditions": ["ckd"], "medications": [{"name": "ramipril"}],
                            "asks_about": ["potassium", "magnesium"]})
    assert {"potassium_supplement", "magnesium_supplement"} <= withheld(answer)
    assert "supplement_caution" in topics(answer)
    assert "electrolyte_replacement" not in topics(answer)


def test_dialysis_gets_fluid_limit_not_drink_more(engine: Engine) -> None:
    answer = engine.assess({"conditions": ["dialysis"], "cramp": {"timing": ["dialysis"]}})
    assert "hydration" not in topics(answer) and "hydration" in withheld(answer)
    assert {"follow_fluid_restriction", "dialysis_team"} <= set(topics(answer))


def test_possible_clot_gets_no_massage_or_stretching(engine: Engine) -> None:
    answer = engine.assess({"cramp": {"side": "left", "locations": ["calf"]}, "signs": {"swelling_side": "left"}})
    assert not {"massage", "stretching", "heat_or_cold"} & set(topics(answer))
    assert "pe_warning" in topics(answer)


def test_possible_hyponatraemia_gets_no_drink_more(engine: Engine) -> None:
    answer = engine.assess({"cramp": {"timing": ["exercise"]}, "signs": {"vomiting": True},
                            "context": {"endurance_event_hours": 5, "fluid_intake_litres": 8}})
    assert answer["disposition"]["level"] == "emergency"
    assert "hydration" not in topics(answer)


def test_emergency_leads_with_action_and_drops_self_care(engine: Engine) -> None:
    answer = engine.assess({"signs": {"chest_pain": True}, "cramp": {"locations": ["calf"]}})
    assert answer["disposition"]["act_within"] == "PT0S"
    categories = {r["category"] for r in answer["recommendations"]}
    assert categories <= {"safety", "routing", "medicines", "self_care"}
    assert not {"stretching", "massage", "regular_exercise", "balanced_diet"} & set(topics(answer))
    assert answer["safety_net"] and answer["data_requested"] == []


def test_nsaid_caution_changes_painkiller_advice_in_pregnancy(engine: Engine, kb: Any) -> None:
    answer = engine.assess({"person": {"pregnant": True}})
    analgesia = next(r for r in answer["recommendations"] if r["id"] == "analgesia_after_cramp")
    assert analgesia["detail"] != kb.recommendations["analgesia_after_cramp"].detail
    assert "midwife_contact" in topics(answer)


def test_statin_rule_is_the_only_stop_advice(engine: Engine) -> None:
    answer = engine.assess({"medications": [{"name": "Lipitor"}]})
    assert answer["disposition"]["level"] == "urgent"
    assert "stop_medication" not in topics(answer)
    assert "medication_review" in topics(answer)


def test_unrecognised_medicine_is_listed_never_silently_dropped(engine: Engine) -> None:
    answer = engine.assess({"medications": [{"name": "Zorblax 5 mg"}, {"name": "atorvastatin 80 mg"}]})
    assert answer["data_quality"]["unrecognised_medications"] == ["Zorblax 5 mg"]
    assert answer["data_quality"]["recognised_medications"][0]["classes"] == ["statin"]


def test_every_recommendation_and_flag_is_sourced(engine: Engine) -> None:
    answer = engine.assess({"signs": {"chest_pain": True, "weakness": True}, "asks_about": ["magnesium"],
                            "context": {"smoker": True, "hot_environment": True, "exertion": "strenuous"}})
    for item in answer["recommendations"] + answer["red_flags"]:
        assert item["sources"], item["id"]
        assert all(s["url"].startswith("https://") for s in item["sources"])


def test_same_input_same_output(engine: Engine) -> None:
    request = {"signs": {"swelling_side": "left", "warmth": True}, "cramp": {"side": "left"},
               "medications": [{"name": "ramipril"}, {"name": "unknown pill"}]}
    assert engine.assess(request) == engine.assess(request)
