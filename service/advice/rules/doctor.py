"""Doctor rules (guidance 2.2, G1-G4 within 1-3 days, R1-R7 routine)."""

from __future__ import annotations

from service.advice.case import POTASSIUM_RAISING, Case
from service.advice.pointers import NO_POINTERS, Pointers, join
from service.advice.rules.pictures import lower_motor_neuron_picture

# Doctor soon (G1-G4)


def claudication_pattern(c: Case, fired: dict[str, Pointers]) -> Pointers:
    walking = c.timing & {"walking", "exercise"}
    if not walking or c.cramp.get("relieved_by_rest") is not True:
        return NO_POINTERS
    if not c.located("calf", "thigh", "buttock"):
        return NO_POINTERS
    return join(
        ("/cramp/timing", "/cramp/relieved_by_rest"),
        c.ctx("smoker"),
        c.has_condition("diabetes", "hypertension", "high_cholesterol", "peripheral_arterial_disease"),
    )


def new_medicine_cramps(c: Case, fired: dict[str, Pointers]) -> Pointers:
    found: Pointers = NO_POINTERS
    for pointer, classes in c.recent_changes:
        if classes and classes <= {"statin", "fibrate"} and "statin_muscle_symptoms" in fired:
            continue  # the statin rule already covers it at a higher level
        found += (pointer,)
    for cls in ("benzodiazepine", "barbiturate"):  # withdrawal causes cramps (S9)
        found += tuple(c.stopped_classes.get(cls, ()))
    return join(found)


def heavy_alcohol_use(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return join(
        c.has_condition("alcohol_dependence"),
        c.more_than("context", "alcohol_units_per_week", c.limits.heavy_alcohol_units_per_week),
    )


def lower_motor_neuron_signs(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return lower_motor_neuron_picture(c)


TAKEN_SUPPLEMENTS = frozenset({"potassium", "magnesium"})


def supplements_with_kidney_risk(c: Case, fired: dict[str, Pointers]) -> Pointers:
    """G5: already taking potassium or magnesium with kidney disease, dialysis or a potassium-raising
    medicine (S35, S36): a doctor within days for a blood test."""
    if TAKEN_SUPPLEMENTS.isdisjoint(c.raw.get("self_treatment", ())):
        return NO_POINTERS
    at_risk = join(c.has_condition("ckd", "dialysis"), c.dialysis, c.taking(POTASSIUM_RAISING))
    return join(("/self_treatment",), at_risk) if at_risk else NO_POINTERS


# Doctor routine (R1-R7)


def troublesome(c: Case) -> Pointers:
    return join(
        c.ctx("sleep_disturbed"),
        c.ctx("affects_daily_life"),
        c.at_least("cramp", "episodes_per_week", c.limits.frequent_cramps_per_week),
    )


def troublesome_cramps(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return troublesome(c)


def long_standing_numbness_or_swelling(c: Case, fired: dict[str, Pointers]) -> Pointers:
    found = NO_POINTERS
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


def severe_or_not_improving(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return join(
        c.at_least("cramp", "pain_severity", c.limits.severe_pain),
        ("/cramp/relieved_by_stretching",) if c.cramp.get("relieved_by_stretching") is False else NO_POINTERS,
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


def possible_secondary_cause(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return join(c.has_condition(*SECONDARY_CONDITIONS), c.taking(c.cramp_associated))


def pregnancy_troublesome_cramps(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if not c.pregnant:
        return NO_POINTERS
    trouble = join(troublesome(c), c.at_least("cramp", "pain_severity", c.limits.severe_pain))
    return join(c.pregnant, trouble) if trouble else NO_POINTERS


def dialysis_cramps(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return c.dialysis


QUININE_ASKS = frozenset({"quinine", "tonic_water"})
RISKY_SUPPLEMENT_ASKS = frozenset({"magnesium", "potassium", "calcium", "supplements"})


def quinine_or_supplement_request(c: Case, fired: dict[str, Pointers]) -> Pointers:
    found = join(c.asked(QUININE_ASKS), c.taking(("quinine",)))
    supplements = RISKY_SUPPLEMENT_ASKS & c.asks
    at_risk = join(c.has_condition("ckd", "dialysis"), c.taking(POTASSIUM_RAISING))
    if supplements and at_risk:
        found = join(found, c.asked(supplements), at_risk)
    return found
