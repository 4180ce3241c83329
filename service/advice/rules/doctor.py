"""Doctor rules (guidance 2.2, G1-G4 within 1-3 days, R1-R7 routine)."""

from __future__ import annotations

from service.advice.case import (
    DIALYSIS_FIELDS,
    NONE,
    NUMBNESS_FIELDS,
    POTASSIUM_RAISING,
    PREGNANT_FIELDS,
    SWELLING_FIELDS,
    Case,
    Pointers,
    join,
)
from service.advice.rules.registry import rule

# Doctor soon (G1-G4)


@rule("claudication_pattern", needs=(("cramp/relieved_by_rest",), ("cramp/timing",)))
def _g1(c: Case, fired: dict[str, Pointers]) -> Pointers:
    walking = c.timing & {"walking", "exercise"}
    if not walking or c.cramp.get("relieved_by_rest") is not True:
        return NONE
    if not c.located("calf", "thigh", "buttock"):
        return NONE
    return join(
        ("/cramp/timing", "/cramp/relieved_by_rest"),
        c.ctx("smoker"),
        c.has_condition("diabetes", "hypertension", "high_cholesterol", "peripheral_arterial_disease"),
    )


@rule("new_medicine_cramps", needs=("medications",))
def _g2(c: Case, fired: dict[str, Pointers]) -> Pointers:
    found: Pointers = NONE
    for pointer, classes in c.recent_changes:
        if classes and classes <= {"statin", "fibrate"} and "statin_muscle_symptoms" in fired:
            continue  # the statin rule already covers it at a higher level
        found += (pointer,)
    for cls in ("benzodiazepine", "barbiturate"):  # withdrawal causes cramps (S9)
        found += tuple(c.stopped_classes.get(cls, ()))
    return join(found)


@rule("heavy_alcohol_use", needs=("conditions", "context/alcohol_units_per_week"))
def _g3(c: Case, fired: dict[str, Pointers]) -> Pointers:
    units = c.number("context", "alcohol_units_per_week")
    return join(
        c.has_condition("alcohol_dependence"),
        ("/context/alcohol_units_per_week",) if units is not None and units > 14 else NONE,
    )


@rule(
    "lower_motor_neuron_signs",
    needs=("signs/muscle_wasting", "signs/fasciculations", "signs/weakness_onset", "cramp/locations"),
)
def _g4(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return join(
        c.any_sign("muscle_wasting", "fasciculations"),
        ("/signs/weakness_onset",) if c.signs.get("weakness_onset") == "gradual" else NONE,
        ("/cramp/locations",) if c.locations is not None and len(c.locations) >= 3 else NONE,
    )


# Doctor routine (R1-R7)


def troublesome(c: Case) -> Pointers:
    return join(
        c.ctx("sleep_disturbed"),
        c.ctx("affects_daily_life"),
        c.at_least("cramp", "episodes_per_week", 7),
    )


@rule(
    "troublesome_cramps",
    needs=("context/sleep_disturbed", "context/affects_daily_life", "cramp/episodes_per_week"),
)
def _r1(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return troublesome(c)


@rule(
    "long_standing_numbness_or_swelling",
    needs=(*NUMBNESS_FIELDS, *SWELLING_FIELDS),
)
def _r2(c: Case, fired: dict[str, Pointers]) -> Pointers:
    found = NONE
    if c.numbness and c.signs.get("numbness_onset") == "long_standing":
        found += c.numbness
    explained = {
        "possible_dvt",
        "possible_pulmonary_embolism",
        "cellulitis_signs",
        "spreading_skin_infection",
        "pregnancy_one_sided_leg_pain",
        "compartment_syndrome",
    }
    if c.swelling and not explained.intersection(fired):
        found += c.swelling
    return found


@rule("severe_or_not_improving", needs=("cramp/pain_severity", "cramp/relieved_by_stretching"))
def _r3(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return join(
        c.at_least("cramp", "pain_severity", 7),
        ("/cramp/relieved_by_stretching",) if c.cramp.get("relieved_by_stretching") is False else NONE,
    )


SECONDARY_CONDITIONS = (
    "ckd",
    "diabetes",
    "peripheral_neuropathy",
    "hypothyroidism",
    "liver_cirrhosis",
    "parkinsons",
    "multiple_sclerosis",
    "motor_neurone_disease",
    "spinal_stenosis",
    "peripheral_arterial_disease",
    "varicose_veins",
    "active_cancer",
    "heart_failure",
)


@rule("possible_secondary_cause", needs=("conditions", "medications"))
def _r4(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return join(c.has_condition(*SECONDARY_CONDITIONS), c.taking(c.cramp_associated))


@rule("pregnancy_troublesome_cramps", needs=PREGNANT_FIELDS)
def _r5(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if not c.pregnant:
        return NONE
    trouble = join(troublesome(c), c.at_least("cramp", "pain_severity", 7))
    return join(c.pregnant, trouble) if trouble else NONE


@rule("dialysis_cramps", needs=DIALYSIS_FIELDS)
def _r6(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return c.dialysis


QUININE_ASKS = frozenset({"quinine", "tonic_water"})
RISKY_SUPPLEMENT_ASKS = frozenset({"magnesium", "potassium", "calcium", "supplements"})


@rule("quinine_or_supplement_request", needs=("asks_about", "self_treatment", "medications"))
def _r7(c: Case, fired: dict[str, Pointers]) -> Pointers:
    found = join(c.asked(QUININE_ASKS), c.taking(("quinine",)))
    supplements = RISKY_SUPPLEMENT_ASKS & c.asks
    at_risk = join(c.has_condition("ckd", "dialysis"), c.taking(POTASSIUM_RAISING))
    if supplements and at_risk:
        found = join(found, c.asked(supplements), at_risk)
    return found
