"""Red-flag and escalation rules of guidance section 2.2, one small predicate each.

A rule returns the JSON Pointers of the answers that triggered it, or () when it does not fire.
Levels, titles, advice and sources live in rules.toml; this module only decides *whether* a rule
fires and *because of what*. Rules run in the order listed; a few read the ids fired before them.
"""
from __future__ import annotations

from typing import Callable, Mapping

from service.advice.case import (
    join,
    DIURETICS,
    EXERCISE_TIMINGS,
    FAST_HEART_RATE,
    HEATSTROKE_C,
    HORMONAL,
    NONE,
    POTASSIUM_RAISING,
    Case,
    Pointers,
)

Rule = Callable[[Case, Mapping[str, Pointers]], Pointers]
RULES: list[tuple[str, Rule, frozenset[str]]] = []


def rule(rule_id: str, needs: tuple[str, ...]) -> Callable[[Rule], Rule]:
    """Register a rule. `needs`: request fields ("signs/chest_pain") at least one of which must be
    present for the rule to be able to fire; the engine skips it otherwise (an index, not logic:
    a property test checks that skipping never changes an answer)."""
    def register(fn: Rule) -> Rule:
        RULES.append((rule_id, fn, frozenset(needs)))
        return fn
    return register




# --- shared clinical pictures ------------------------------------------------------------------

def one_sided_leg(c: Case) -> Pointers:
    found: Pointers = NONE
    if c.side in ("left", "right") and c.located("calf", "thigh", "shin", "foot"):
        found += ("/cramp/side",)
    if c.signs.get("swelling_side") in ("left", "right"):
        found += ("/signs/swelling_side",)
    return found


def dvt_signs(c: Case) -> Pointers:
    """NHS DVT signs (S22): swelling, warmth, red or darker skin, hard sore veins."""
    signs = c.any_sign("warmth", "redness", "hard_painful_veins")
    if c.signs.get("skin_colour") in ("red", "darker"):
        signs += ("/signs/skin_colour",)
    if c.swelling and c.signs.get("swelling_side") != "both" and c.signs.get("swelling_onset") != "long_standing":
        signs += c.swelling
    return signs


def dvt_risk_factors(c: Case) -> Pointers:
    """Wells-type risks (S23) and NHS risks (S22) strong enough to count with one-sided pain alone."""
    surgery = c.number("context", "recent_surgery_days_ago")
    return join(
        ("/context/recent_surgery_days_ago",) if surgery is not None and surgery <= 84 else NONE,
        c.at_least("context", "immobile_days", 3),
        c.ctx("fracture_or_cast"),
        c.at_least("context", "recent_long_travel_hours", 4),
        c.has_condition("previous_vte", "active_cancer"),
    )


def dvt_features(c: Case) -> Pointers:
    side = one_sided_leg(c)
    if not side:
        return NONE
    signs, risks = dvt_signs(c), dvt_risk_factors(c)
    if not signs and not risks:
        return NONE
    supporting = join(c.pregnant, c.postpartum, c.taking(HORMONAL), c.ctx("smoker"))
    return join(side, signs, risks, supporting)


def chest_symptoms(c: Case) -> Pointers:
    return c.any_sign("breathlessness", "chest_pain", "coughing_blood", "collapse")




def heat_or_exertion(c: Case) -> Pointers:
    return join(c.ctx("hot_environment"), c.exercise)


def heat_and_exertion_ruled_out(c: Case) -> bool:
    return (
        c.context.get("hot_environment") is False
        and c.context.get("exertion") in ("none", "light")
        and not c.timing & EXERCISE_TIMINGS
    )


def cellulitis_signs(c: Case) -> Pointers:
    """Red, hot or swollen skin (S25): redness plus warmth or swelling."""
    red = c.any_sign("redness", "spreading_redness")
    if c.signs.get("skin_colour") == "red":
        red += ("/signs/skin_colour",)
    hot_or_swollen = join(c.sign("warmth"), c.swelling)
    return join(red, hot_or_swollen) if red and hot_or_swollen else NONE


def fast_heart_rate(c: Case) -> Pointers:
    if c.age is not None and c.age < 12:
        return NONE
    return c.at_least("signs", "heart_rate", FAST_HEART_RATE)


def pale_or_blue(c: Case) -> Pointers:
    return ("/signs/skin_colour",) if c.signs.get("skin_colour") in ("pale", "blue_or_mottled") else NONE




# --- emergency ---------------------------------------------------------------------------------

@rule("possible_pulmonary_embolism", needs=("signs/breathlessness", "signs/chest_pain", "signs/coughing_blood", "signs/collapse",))
def _e1(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    leg, chest = dvt_features(c), chest_symptoms(c)
    return join(leg, chest) if leg and chest else NONE


@rule("chest_pain_or_breathlessness", needs=("signs/chest_pain", "signs/breathlessness",))
def _e2(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    if "possible_pulmonary_embolism" in fired:
        return NONE
    return c.any_sign("chest_pain", "breathlessness")


@rule("possible_rhabdomyolysis", needs=("signs/urine_colour", "signs/reduced_urine",))
def _e3(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    context = join(heat_or_exertion(c), c.injury, c.taking(("statin", "fibrate")))
    if c.signs.get("urine_colour") in ("brown_cola", "red"):
        return join(("/signs/urine_colour",), c.sign("reduced_urine"), context)
    if c.signs.get("reduced_urine") is True and context:
        return join(("/signs/reduced_urine",), context)
    return NONE


@rule("possible_exercise_hyponatraemia", needs=("signs/vomiting", "signs/confusion", "signs/collapse", "signs/headache",))
def _e5(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
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


@rule("spreading_skin_infection", needs=("signs/redness", "signs/spreading_redness", "signs/skin_colour",))
def _e6(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    skin = cellulitis_signs(c)
    if not skin:
        return NONE
    spread = join(
        join(c.fever, fast_heart_rate(c)) if c.fever and fast_heart_rate(c) else NONE,
        c.any_sign("confusion", "dizziness", "collapse", "vomiting", "diarrhoea", "drowsy"),
        pale_or_blue(c),
    )
    return join(skin, spread) if spread else NONE


@rule("acute_limb_ischaemia", needs=("signs/unable_to_move_foot", "signs/skin_colour", "signs/cold_limb",))
def _e7(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
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


@rule("compartment_syndrome", needs=("signs/pain_out_of_proportion", "signs/tight_swollen_muscle", "context/fracture_or_cast",))
def _e8(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    trauma = join(c.injury, c.ctx("fracture_or_cast"))
    pressure = c.any_sign("pain_out_of_proportion", "tight_swollen_muscle")
    if trauma and pressure:
        return join(pressure, c.sign("tingling"), c.numbness, trauma)
    if c.ctx("fracture_or_cast") and (c.sign("tingling") or c.numbness):
        return join(c.sign("tingling"), c.numbness, c.ctx("fracture_or_cast"))
    if len(pressure) == 2 and c.context.get("recent_injury") is not False:
        return pressure
    return NONE


@rule("tetanus_signs", needs=("signs/jaw_stiffness", "signs/difficulty_swallowing",))
def _e9(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    spasm = c.any_sign("jaw_stiffness", "difficulty_swallowing")
    return join(spasm, c.wound_present) if spasm else NONE


@rule("cauda_equina", needs=("signs/saddle_numbness", "signs/bladder_or_bowel_change", "signs/weakness_onset", "signs/numbness_onset",))
def _e10(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    found = c.any_sign("saddle_numbness", "bladder_or_bowel_change")
    new_deficit = join(
        ("/signs/weakness_onset",) if c.signs.get("weakness_onset") == "new" else NONE,
        ("/signs/numbness_onset",) if c.signs.get("numbness_onset") == "new" else NONE,
    )
    if new_deficit and c.side == "both" and c.onset == "sudden":
        found = join(found, new_deficit, ("/cramp/side", "/cramp/onset"))
    return join(found, c.sign("back_pain")) if found else NONE


@rule("seriously_unwell_child", needs=("signs/skin_colour", "signs/drowsy", "signs/confusion", "signs/seizure", "signs/non_blanching_rash", "signs/breathlessness",))
def _e11(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    if c.is_child() is False:
        return NONE
    found = join(
        pale_or_blue(c), c.any_sign("drowsy", "confusion", "seizure", "non_blanching_rash", "breathlessness")
    )
    return join(found, ("/person/age",) if c.age is not None else NONE) if found else NONE


@rule("missed_dialysis_hyperkalaemia", needs=("conditions", "cramp/timing",))
def _e12(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    dialysis = c.dialysis
    if not dialysis:
        return NONE
    symptoms = join(c.weakness, c.sign("palpitations"))
    missed = c.number("context", "missed_dialysis_days")
    if symptoms and (missed is None or missed > 0):
        return join(symptoms, ("/context/missed_dialysis_days",) if missed else NONE, dialysis)
    return NONE


@rule("possible_heatstroke", needs=("signs/confusion", "signs/slurred_speech", "signs/seizure", "signs/collapse", "signs/hot_dry_skin", "signs/temperature_c",))
def _e4(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
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
    already_explained = any(r in fired for r in _EMERGENCY_BEFORE_HEAT)
    return signs if heat_specific or not already_explained else NONE


_EMERGENCY_BEFORE_HEAT = (
    "possible_pulmonary_embolism", "possible_rhabdomyolysis", "possible_exercise_hyponatraemia",
    "spreading_skin_infection", "acute_limb_ischaemia", "compartment_syndrome", "tetanus_signs",
    "cauda_equina", "seriously_unwell_child", "missed_dialysis_hyperkalaemia",
)


# --- urgent ------------------------------------------------------------------------------------

@rule("possible_dvt", needs=("cramp/side", "signs/swelling_side",))
def _u1(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    if "possible_pulmonary_embolism" in fired:
        return NONE
    return dvt_features(c)


def growing_pains_pattern(c: Case) -> bool:
    """Children's aching night pains (S33): both legs, evening or night, no limp — not true cramps."""
    return (
        c.age is not None and 3 <= c.age <= 12
        and c.side not in ("left", "right")
        and c.signs.get("limp") is not True
        and c.character in (None, "aching")
        and "day" not in c.timing
    )


@rule("prolonged_cramp", needs=("cramp/duration_minutes", "cramp/ongoing",))
def _u2(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    true_cramp = c.character in (None, "tight_knot") and not growing_pains_pattern(c)
    if not true_cramp:
        return NONE
    long = c.number("cramp", "duration_minutes")
    if long is not None and long > 10:
        return join(("/cramp/duration_minutes",), c.cramp_true("ongoing"))
    if c.cramp.get("ongoing") is True and c.cramp.get("relieved_by_stretching") is False:
        return ("/cramp/ongoing", "/cramp/relieved_by_stretching")
    return NONE


@rule("tetanus_risk_wound", needs=("context/wound",))
def _u3(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    if "tetanus_signs" in fired:
        return NONE
    risky = tuple(f"/context/wound/{k}" for k in ("dirty", "puncture") if c.wound.get(k) is True)
    vaccination = c.context.get("tetanus_vaccination")
    if not risky or vaccination == "up_to_date":
        return NONE
    return join(risky, ("/context/tetanus_vaccination",) if vaccination else NONE)


@rule("toxin_exposure", needs=("context/toxin_exposure",))
def _u4(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    return ("/context/toxin_exposure",) if c.context.get("toxin_exposure") else NONE


@rule("cellulitis_signs", needs=("signs/redness", "signs/spreading_redness", "signs/skin_colour",))
def _u5(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    if "spreading_skin_infection" in fired:
        return NONE
    skin = cellulitis_signs(c)
    if not skin:
        return NONE
    higher_concern = join(c.has_condition("diabetes", "immunosuppressed"), c.fever)
    return join(skin, higher_concern)


@rule("statin_muscle_symptoms", needs=("medications",))
def _u6(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    if "possible_rhabdomyolysis" in fired:
        return NONE
    statin = c.taking(("statin", "fibrate"))
    return join(statin, c.weakness) if statin else NONE


@rule("fluid_loss_with_dizziness_or_weakness", needs=("signs/dizziness", "signs/weakness", "signs/weakness_onset",))
def _u7(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    loss = join(
        c.any_sign("vomiting", "diarrhoea"),
        ("/signs/sweating",) if c.signs.get("sweating") == "heavy" else NONE,
        c.taking(DIURETICS),
    )
    symptoms = join(c.sign("dizziness"), c.weakness)
    return join(loss, symptoms) if loss and symptoms else NONE


@rule("new_weakness_or_numbness", needs=("signs/weakness", "signs/weakness_onset", "signs/numbness", "signs/numbness_onset",))
def _u8_deficit(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    found = NONE
    if c.weakness and c.signs.get("weakness_onset") != "gradual":
        found += c.weakness
    if c.numbness and c.signs.get("numbness_onset") != "long_standing":
        found += c.numbness
    return found


@rule("cramps_outside_legs", needs=("cramp/locations",))
def _u8_outside(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    if c.locations is None:
        return NONE
    return ("/cramp/locations",) if c.locations & {"chest", "arm", "abdomen"} else NONE


@rule("possible_low_calcium", needs=("signs/tingling_around_mouth", "signs/tingling",))
def _u8_calcium(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    found = c.sign("tingling_around_mouth")
    if not found and c.signs.get("tingling") is True and c.locations and "hand" in c.locations:
        found = ("/signs/tingling", "/cramp/locations")
    return join(found, c.has_condition("recent_thyroid_or_parathyroid_surgery")) if found else NONE


@rule("critical_limb_ischaemia", needs=("cramp/eased_by_hanging_leg_down", "signs/foot_wound_not_healing", "signs/black_toes", "signs/cold_limb", "signs/skin_colour",))
def _u9_cli(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    found = join(c.cramp_true("eased_by_hanging_leg_down"), c.any_sign("foot_wound_not_healing", "black_toes"))
    if c.onset == "gradual" and "acute_limb_ischaemia" not in fired:
        found = join(found, c.sign("cold_limb"), ("/signs/skin_colour",) if c.signs.get("skin_colour") == "pale" else NONE)
    return join(found, c.has_condition("peripheral_arterial_disease", "diabetes")) if found else NONE


@rule("diabetic_foot_problem", needs=("conditions",))
def _u9_foot(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    diabetes = c.has_condition("diabetes")
    if not diabetes:
        return NONE
    foot = ("/cramp/locations",) if c.locations and "foot" in c.locations else NONE
    problem = join(c.any_sign("redness", "warmth", "spreading_redness"), c.swelling, c.wound_present)
    wound = c.sign("foot_wound_not_healing")
    if (foot and problem) or wound:
        return join(diabetes, foot, problem, wound)
    return NONE


@rule("child_leg_pain_red_features", needs=("signs/fever", "signs/temperature_c", "signs/limp", "signs/joint_swollen_or_hot", "signs/can_weight_bear", "cramp/side",))
def _u10(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    child = c.is_child()
    if child is False:
        return NONE
    found = join(
        c.fever, c.sign("limp"), c.sign("joint_swollen_or_hot"),
        ("/signs/can_weight_bear",) if c.signs.get("can_weight_bear") is False else NONE,
    )
    if child and c.side in ("left", "right") and c.number("cramp", "history_weeks") is not None:
        if c.cramp["history_weeks"] >= 2 / 7:  # one-sided pain for 48 hours or more (S34)
            found = join(found, ("/cramp/side", "/cramp/history_weeks"))
    return join(found, ("/person/age",) if c.age is not None else NONE) if found else NONE


@rule("pregnancy_one_sided_leg_pain", needs=("cramp/side", "signs/swelling_side",))
def _u11(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    period = join(c.pregnant, c.postpartum)
    if not period or "possible_pulmonary_embolism" in fired:
        return NONE
    side = NONE
    if c.side in ("left", "right") and c.located("calf", "thigh"):
        side = ("/cramp/side",)
    if c.signs.get("swelling_side") in ("left", "right"):
        side += ("/signs/swelling_side",)
    return join(period, side) if side else NONE


# --- doctor soon -------------------------------------------------------------------------------

@rule("claudication_pattern", needs=("cramp/relieved_by_rest",))
def _g1(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    walking = c.timing & {"walking", "exercise"}
    if not walking or c.cramp.get("relieved_by_rest") is not True:
        return NONE
    if not c.located("calf", "thigh", "buttock"):
        return NONE
    return join(("/cramp/timing", "/cramp/relieved_by_rest"), c.ctx("smoker"),
                 c.has_condition("diabetes", "hypertension", "high_cholesterol", "peripheral_arterial_disease"))


@rule("new_medicine_cramps", needs=("medications",))
def _g2(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    found: Pointers = NONE
    for pointer, classes in c.recent_changes:
        if classes and classes <= {"statin", "fibrate"} and "statin_muscle_symptoms" in fired:
            continue  # the statin rule already covers it at a higher level
        found += (pointer,)
    for cls in ("benzodiazepine", "barbiturate"):  # withdrawal causes cramps (S9)
        found += tuple(c.stopped_classes.get(cls, ()))
    return join(found)


@rule("heavy_alcohol_use", needs=("conditions", "context/alcohol_units_per_week",))
def _g3(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    units = c.number("context", "alcohol_units_per_week")
    return join(
        c.has_condition("alcohol_dependence"),
        ("/context/alcohol_units_per_week",) if units is not None and units > 14 else NONE,
    )


@rule("lower_motor_neuron_signs", needs=("signs/muscle_wasting", "signs/fasciculations", "signs/weakness_onset", "cramp/locations",))
def _g4(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    return join(
        c.any_sign("muscle_wasting", "fasciculations"),
        ("/signs/weakness_onset",) if c.signs.get("weakness_onset") == "gradual" else NONE,
        ("/cramp/locations",) if c.locations is not None and len(c.locations) >= 3 else NONE,
    )


# --- doctor routine ----------------------------------------------------------------------------

def troublesome(c: Case) -> Pointers:
    return join(
        c.ctx("sleep_disturbed"), c.ctx("affects_daily_life"),
        c.at_least("cramp", "episodes_per_week", 7),
    )


@rule("troublesome_cramps", needs=("context/sleep_disturbed", "context/affects_daily_life", "cramp/episodes_per_week",))
def _r1(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    return troublesome(c)


@rule("long_standing_numbness_or_swelling", needs=("signs/numbness", "signs/numbness_onset", "signs/swelling", "signs/swelling_side", "signs/swelling_onset",))
def _r2(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    found = NONE
    if c.numbness and c.signs.get("numbness_onset") == "long_standing":
        found += c.numbness
    explained = {"possible_dvt", "possible_pulmonary_embolism", "cellulitis_signs", "spreading_skin_infection",
                 "pregnancy_one_sided_leg_pain", "compartment_syndrome"}
    if c.swelling and not explained.intersection(fired):
        found += c.swelling
    return found


@rule("severe_or_not_improving", needs=("cramp/pain_severity", "cramp/relieved_by_stretching",))
def _r3(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    return join(
        c.at_least("cramp", "pain_severity", 7),
        ("/cramp/relieved_by_stretching",) if c.cramp.get("relieved_by_stretching") is False else NONE,
    )


SECONDARY_CONDITIONS = (
    "ckd", "diabetes", "peripheral_neuropathy", "hypothyroidism", "liver_cirrhosis", "parkinsons",
    "multiple_sclerosis", "motor_neurone_disease", "spinal_stenosis", "peripheral_arterial_disease",
    "varicose_veins", "active_cancer", "heart_failure",
)


@rule("possible_secondary_cause", needs=("conditions", "medications",))
def _r4(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    return join(c.has_condition(*SECONDARY_CONDITIONS), c.taking(c.cramp_associated))


@rule("pregnancy_troublesome_cramps", needs=("person/pregnant", "person/gestation_weeks",))
def _r5(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    if not c.pregnant:
        return NONE
    trouble = join(troublesome(c), c.at_least("cramp", "pain_severity", 7))
    return join(c.pregnant, trouble) if trouble else NONE


@rule("dialysis_cramps", needs=("conditions", "cramp/timing",))
def _r6(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    return c.dialysis


@rule("quinine_or_supplement_request", needs=("asks_about", "self_treatment", "medications",))
def _r7(c: Case, fired: Mapping[str, Pointers]) -> Pointers:
    asked = ("/asks_about",) if {"quinine", "tonic_water"} & frozenset(c.raw.get("asks_about", ())) else NONE
    taking = ("/self_treatment",) if {"quinine", "tonic_water"} & frozenset(c.raw.get("self_treatment", ())) else NONE
    found = join(asked, taking, c.taking(("quinine",)))
    supplements = {"magnesium", "potassium", "calcium", "supplements"} & c.asks
    at_risk = join(c.has_condition("ckd", "dialysis"), c.taking(POTASSIUM_RAISING))
    if supplements and at_risk:
        where = tuple(
            f"/{field}" for field in ("asks_about", "self_treatment")
            if supplements & frozenset(c.raw.get(field, ()))
        )
        found = join(found, where, at_risk)
    return found


RULE_IDS: tuple[str, ...] = tuple(rule_id for rule_id, _, _ in RULES)
