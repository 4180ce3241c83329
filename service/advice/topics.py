"""Which advice topics are relevant to a case, and because of which answers.

A selector returns None when the topic does not apply, or the pointers that make it apply (an empty
tuple for advice that suits everyone with cramps). Whether relevant advice is then *given* is decided
by the content's `suppressed_when` and `at_emergency`, not here.
"""
from __future__ import annotations

from typing import Callable

from service.advice.case import DIURETICS, Case
from service.advice.pointers import NO_POINTERS, Pointers, join, fired_because
from service.advice.rules.pictures import fluid_restricted

Selector = Callable[[Case, dict[str, Pointers]], "Pointers | None"]
SELECTORS: dict[str, Selector] = {}  # topic id -> selector; the order answers show them in is the content's
SUPPLEMENT_ASKS = frozenset({"magnesium", "potassium", "calcium", "vitamin_b", "supplements"})


def topic(*topic_ids: str) -> Callable[[Selector], Selector]:
    """Register a selector for these topics."""
    def register(fn: Selector) -> Selector:
        for topic_id in topic_ids:
            SELECTORS[topic_id] = fn
        return fn
    return register


@topic("stretching", "massage", "heat_or_cold", "analgesia_after_cramp", "regular_exercise", "balanced_diet",
       "topical_analgesic", "safety_netting")
def _for_everyone(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return NO_POINTERS


def _dehydration(c: Case) -> Pointers:
    return join(
        c.is_value("context", "hydration", "poor"),
        c.is_value("signs", "urine_colour", "dark_yellow"),
        c.any_sign("vomiting", "diarrhoea"), c.ctx("hot_environment"),
        c.is_value("signs", "sweating", "heavy"),
        c.less_than("context", "fluid_intake_litres", c.limits.low_fluid_intake_litres),
    )


@topic("hydration")
def _hydration(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return _dehydration(c)


@topic("electrolyte_replacement")
def _electrolytes(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    heavy_sweat = c.is_value("signs", "sweating", "heavy")
    salt_loss = join(heavy_sweat, c.any_sign("vomiting", "diarrhoea"))
    if heavy_sweat or (c.ctx("hot_environment") and c.exercise) or salt_loss:
        return join(salt_loss, c.ctx("hot_environment"))
    return None


@topic("follow_fluid_restriction")
def _fluid_limit(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return fluid_restricted(c) or None


@topic("warm_up", "conditioning")
def _exercise(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return c.exercise or None


@topic("rest_stop_activity")
def _rest(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    serious = fired_because(fired, ("possible_rhabdomyolysis", "possible_heatstroke",
                                     "possible_exercise_hyponatraemia", "claudication_pattern"))
    return serious or c.exercise or None


@topic("stop_exercise")
def _stop_exercise(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    systemic = fired_because(fired, ("possible_rhabdomyolysis", "possible_heatstroke",
                                     "possible_exercise_hyponatraemia"))
    return systemic if systemic and c.exercise else None


@topic("heat_illness_cooling")
def _cooling(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    if "possible_heatstroke" in fired:
        return fired["possible_heatstroke"]
    hot = c.ctx("hot_environment")
    exhaustion = c.any_sign("dizziness", "headache", "vomiting") + c.at_least("signs", "temperature_c", c.limits.fever_c)
    return join(hot, exhaustion) if hot and exhaustion else None


@topic("footwear")
def _footwear(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    found = join(
        c.is_value("context", "footwear", "unsupportive", "high_heels", "worn_out"),
        c.ctx("prolonged_standing"),
        ("/cramp/locations",) if c.locations and "foot" in c.locations else NO_POINTERS,
    )
    return found or None


@topic("limit_alcohol")
def _alcohol(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    found = join(c.has_condition("alcohol_dependence"), c.more_than("context", "alcohol_units_per_week", c.limits.heavy_alcohol_units_per_week))
    return found or None


@topic("limit_caffeine")
def _caffeine(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return c.at_least("context", "caffeine_cups_per_day", c.limits.caffeine_cups_per_day) or c.taking(("stimulant",)) or None


@topic("smoking_cessation")
def _smoking(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return c.ctx("smoker") or None


@topic("foot_check")
def _foot_check(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return c.has_condition("diabetes", "peripheral_neuropathy", "peripheral_arterial_disease") or None


@topic("medication_review")
def _medication_review(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    recent = tuple([pointer for pointer, _ in c.recent_changes])
    unknown = ("/medications",) if c.unrecognised else NO_POINTERS
    found = join(c.taking(c.cramp_associated), c.taking(("statin", "fibrate", "quinine")), recent, unknown,
                  c.taking(DIURETICS))
    return found or None


@topic("supplement_caution")
def _supplements(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return c.asked(SUPPLEMENT_ASKS) or None


@topic("quinine_warning")
def _quinine(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return join(c.asked(frozenset({"quinine", "tonic_water"})), c.taking(("quinine",))) or None


@topic("tetanus_check")
def _tetanus(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    if not c.wound_present or c.context.get("tetanus_vaccination") == "up_to_date":
        return None
    return join(c.wound_present, ("/context/tetanus_vaccination",) if "tetanus_vaccination" in c.context else NO_POINTERS)


@topic("dialysis_team")
def _dialysis(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return c.dialysis or None


@topic("midwife_contact")
def _midwife(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return join(c.pregnant, c.postpartum) or None


@topic("pe_warning")
def _pe(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return fired_because(fired, ("possible_pulmonary_embolism", "possible_dvt", "pregnancy_one_sided_leg_pain")) or None


@topic("reassurance_benign")
def _reassurance(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    """Only when nothing fired and a typical brief cramp is positively described (absent is not "fine")."""
    if fired:
        return None
    duration = c.number("cramp", "duration_minutes")
    typical_place = c.locations is not None and c.locations <= {"calf", "foot", "thigh"}
    if duration is None or duration > c.limits.prolonged_cramp_minutes or not typical_place:
        return None
    return ("/cramp/duration_minutes", "/cramp/locations")


# Never recommended: selectors here only decide when to *say* they are withheld.
@topic("quinine")
def _never_quinine(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return _quinine(c, fired)


@topic("magnesium_supplement")
def _never_magnesium(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return c.asked(frozenset({"magnesium", "supplements"})) or None


@topic("potassium_supplement")
def _never_potassium(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return c.asked(frozenset({"potassium", "supplements"})) or None


@topic("nsaid")
def _never_nsaid(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return join(c.asked(frozenset({"painkillers"})), c.taking(("nsaid",))) or None


@topic("aspirin")
def _never_aspirin(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return ("/person/age",) if c.age is not None and c.age < c.limits.aspirin_from_age else None


@topic("stop_medication")
def _never_stop(c: Case, fired: dict[str, Pointers]) -> Pointers | None:
    return c.medication_names or None
