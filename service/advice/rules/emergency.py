"""Emergency rules (guidance 2.2, E1-E12): call the emergency number now."""

from __future__ import annotations

from service.advice.case import (
    DIALYSIS_FIELDS,
    EXERCISE_FIELDS,
    FEVER_FIELDS,
    HEATSTROKE_C,
    NONE,
    WEAKNESS_FIELDS,
    Case,
    Pointers,
    join,
)
from service.advice.rules.pictures import (
    HOT_OR_SWOLLEN_FIELDS,
    ONE_SIDED_LEG_FIELDS,
    RED_SKIN_FIELDS,
    cellulitis_signs,
    chest_symptoms,
    dvt_features,
    fast_heart_rate,
    heat_and_exertion_ruled_out,
    heat_or_exertion,
    pale_or_blue,
)
from service.advice.rules.registry import rule


@rule(
    "possible_pulmonary_embolism",
    needs=(
        ("signs/breathlessness", "signs/chest_pain", "signs/coughing_blood", "signs/collapse"),
        ONE_SIDED_LEG_FIELDS,
    ),
)
def _e1(c: Case, fired: dict[str, Pointers]) -> Pointers:
    leg, chest = dvt_features(c), chest_symptoms(c)
    return join(leg, chest) if leg and chest else NONE


@rule("chest_pain_or_breathlessness", needs=("signs/chest_pain", "signs/breathlessness"))
def _e2(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if "possible_pulmonary_embolism" in fired:
        return NONE
    return c.any_sign("chest_pain", "breathlessness")


@rule("possible_rhabdomyolysis", needs=("signs/urine_colour", "signs/reduced_urine"))
def _e3(c: Case, fired: dict[str, Pointers]) -> Pointers:
    context = join(heat_or_exertion(c), c.injury, c.taking(("statin", "fibrate")))
    if c.signs.get("urine_colour") in ("brown_cola", "red"):
        return join(("/signs/urine_colour",), c.sign("reduced_urine"), context)
    if c.signs.get("reduced_urine") is True and context:
        return join(("/signs/reduced_urine",), context)
    return NONE


@rule(
    "possible_exercise_hyponatraemia",
    needs=(("signs/vomiting", "signs/confusion", "signs/collapse", "signs/headache"), EXERCISE_FIELDS),
)
def _e5(c: Case, fired: dict[str, Pointers]) -> Pointers:
    exercise = c.exercise
    if not exercise:
        return NONE
    systemic = c.any_sign("vomiting", "confusion", "collapse")
    long_event = c.at_least("context", "endurance_event_hours", 4)
    if not systemic and c.signs.get("headache") is True and long_event:
        systemic = ("/signs/headache",)
    if not systemic:
        return NONE
    return join(systemic, c.sign("headache"), exercise, c.at_least("context", "fluid_intake_litres", 4))


@rule(
    "spreading_skin_infection",
    needs=(
        RED_SKIN_FIELDS,
        HOT_OR_SWOLLEN_FIELDS,
        (*FEVER_FIELDS, "signs/confusion", "signs/dizziness", "signs/collapse", "signs/vomiting", "signs/diarrhoea",
         "signs/drowsy", "signs/skin_colour"),
    ),
)
def _e6(c: Case, fired: dict[str, Pointers]) -> Pointers:
    skin = cellulitis_signs(c)
    if not skin:
        return NONE
    spread = join(
        join(c.fever, fast_heart_rate(c)) if c.fever and fast_heart_rate(c) else NONE,
        c.any_sign("confusion", "dizziness", "collapse", "vomiting", "diarrhoea", "drowsy"),
        pale_or_blue(c),
    )
    return join(skin, spread) if spread else NONE


@rule("acute_limb_ischaemia", needs=("signs/unable_to_move_foot", "signs/skin_colour", "signs/cold_limb"))
def _e7(c: Case, fired: dict[str, Pointers]) -> Pointers:
    always = join(
        c.sign("unable_to_move_foot"),
        ("/signs/skin_colour",) if c.signs.get("skin_colour") == "blue_or_mottled" else NONE,
    )
    sudden_only = join(
        c.sign("cold_limb"),
        ("/signs/skin_colour",) if c.signs.get("skin_colour") == "pale" else NONE,
    )
    if c.onset == "gradual":
        found = always
    else:
        found = join(always, sudden_only)
        if found and c.signs.get("numbness_onset") == "new":
            found = join(found, ("/signs/numbness_onset",))
    return join(found, ("/cramp/onset",) if c.onset == "sudden" else NONE) if found else NONE


@rule(
    "compartment_syndrome",
    needs=("signs/pain_out_of_proportion", "signs/tight_swollen_muscle", "context/fracture_or_cast"),
)
def _e8(c: Case, fired: dict[str, Pointers]) -> Pointers:
    trauma = join(c.injury, c.ctx("fracture_or_cast"))
    pressure = c.any_sign("pain_out_of_proportion", "tight_swollen_muscle")
    if trauma and pressure:
        return join(pressure, c.sign("tingling"), c.numbness, trauma)
    if c.ctx("fracture_or_cast") and (c.sign("tingling") or c.numbness):
        return join(c.sign("tingling"), c.numbness, c.ctx("fracture_or_cast"))
    if len(pressure) == 2 and c.context.get("recent_injury") is not False:
        return pressure
    return NONE


@rule("tetanus_signs", needs=("signs/jaw_stiffness", "signs/difficulty_swallowing"))
def _e9(c: Case, fired: dict[str, Pointers]) -> Pointers:
    spasm = c.any_sign("jaw_stiffness", "difficulty_swallowing")
    return join(spasm, c.wound_present) if spasm else NONE


@rule(
    "cauda_equina",
    needs=("signs/saddle_numbness", "signs/bladder_or_bowel_change", "signs/weakness_onset", "signs/numbness_onset"),
)
def _e10(c: Case, fired: dict[str, Pointers]) -> Pointers:
    found = c.any_sign("saddle_numbness", "bladder_or_bowel_change")
    new_deficit = join(
        ("/signs/weakness_onset",) if c.signs.get("weakness_onset") == "new" else NONE,
        ("/signs/numbness_onset",) if c.signs.get("numbness_onset") == "new" else NONE,
    )
    if new_deficit and c.side == "both" and c.onset == "sudden":
        found = join(found, new_deficit, ("/cramp/side", "/cramp/onset"))
    return join(found, c.sign("back_pain")) if found else NONE


@rule(
    "seriously_unwell_child",
    needs=(
        "signs/skin_colour",
        "signs/drowsy",
        "signs/confusion",
        "signs/seizure",
        "signs/non_blanching_rash",
        "signs/breathlessness",
    ),
)
def _e11(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if c.is_child() is False:
        return NONE
    found = join(pale_or_blue(c), c.any_sign("drowsy", "confusion", "seizure", "non_blanching_rash", "breathlessness"))
    return join(found, ("/person/age",) if c.age is not None else NONE) if found else NONE


@rule("missed_dialysis_hyperkalaemia", needs=(DIALYSIS_FIELDS, (*WEAKNESS_FIELDS, "signs/palpitations")))
def _e12(c: Case, fired: dict[str, Pointers]) -> Pointers:
    dialysis = c.dialysis
    if not dialysis:
        return NONE
    symptoms = join(c.weakness, c.sign("palpitations"))
    missed = c.number("context", "missed_dialysis_days")
    if symptoms and (missed is None or missed > 0):
        return join(symptoms, ("/context/missed_dialysis_days",) if missed else NONE, dialysis)
    return NONE


@rule(
    "possible_heatstroke",
    needs=(
        "signs/confusion",
        "signs/slurred_speech",
        "signs/seizure",
        "signs/collapse",
        "signs/hot_dry_skin",
        "signs/temperature_c",
    ),
)
def _e4(c: Case, fired: dict[str, Pointers]) -> Pointers:
    """Heat or exertion plus systemic signs (S30, S20). Runs after the other emergency rules: with heat
    and exertion unknown it still fires on the same signs unless another emergency already explains them."""
    signs = join(
        c.any_sign("confusion", "slurred_speech", "seizure", "collapse", "hot_dry_skin"),
        c.at_least("signs", "temperature_c", HEATSTROKE_C),
    )
    if not signs:
        return NONE
    context = heat_or_exertion(c)
    if context:
        return join(signs, context)
    if heat_and_exertion_ruled_out(c):
        return NONE
    heat_specific = c.sign("hot_dry_skin") or c.at_least("signs", "temperature_c", HEATSTROKE_C)
    already_explained = not fired.keys().isdisjoint(_EMERGENCY_BEFORE_HEAT)
    return signs if heat_specific or not already_explained else NONE


_EMERGENCY_BEFORE_HEAT = (
    "possible_pulmonary_embolism",
    "possible_rhabdomyolysis",
    "possible_exercise_hyponatraemia",
    "spreading_skin_infection",
    "acute_limb_ischaemia",
    "compartment_syndrome",
    "tetanus_signs",
    "cauda_equina",
    "seriously_unwell_child",
    "missed_dialysis_hyperkalaemia",
)
