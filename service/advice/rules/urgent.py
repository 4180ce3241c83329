"""Urgent rules (guidance 2.2, U1-U11): medical help the same day."""

from __future__ import annotations

from service.advice.case import (
    DIURETICS,
    FEVER_FIELDS,
    NONE,
    NUMBNESS_FIELDS,
    PREGNANCY_FIELDS,
    SWELLING_FIELDS,
    WEAKNESS_FIELDS,
    Case,
    Pointers,
    join,
)
from service.advice.rules.pictures import (
    DVT_SIGN_OR_RISK_FIELDS,
    HOT_OR_SWOLLEN_FIELDS,
    ONE_SIDED_LEG_FIELDS,
    RED_SKIN_FIELDS,
    cellulitis_signs,
    dvt_features,
    growing_pains_pattern,
)
from service.advice.rules.registry import rule


@rule("possible_dvt", needs=(ONE_SIDED_LEG_FIELDS, DVT_SIGN_OR_RISK_FIELDS))
def _u1(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if "possible_pulmonary_embolism" in fired:
        return NONE
    return dvt_features(c)


@rule("prolonged_cramp", needs=("cramp/duration_minutes", "cramp/ongoing"))
def _u2(c: Case, fired: dict[str, Pointers]) -> Pointers:
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
def _u3(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if "tetanus_signs" in fired:
        return NONE
    risky = tuple([f"/context/wound/{k}" for k in ("dirty", "puncture") if c.wound.get(k) is True])
    vaccination = c.context.get("tetanus_vaccination")
    if not risky or vaccination == "up_to_date":
        return NONE
    return join(risky, ("/context/tetanus_vaccination",) if vaccination else NONE)


@rule("toxin_exposure", needs=("context/toxin_exposure",))
def _u4(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return ("/context/toxin_exposure",) if c.context.get("toxin_exposure") else NONE


@rule("cellulitis_signs", needs=(RED_SKIN_FIELDS, HOT_OR_SWOLLEN_FIELDS))
def _u5(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if "spreading_skin_infection" in fired:
        return NONE
    skin = cellulitis_signs(c)
    if not skin:
        return NONE
    higher_concern = join(c.has_condition("diabetes", "immunosuppressed"), c.fever)
    return join(skin, higher_concern)


@rule("statin_muscle_symptoms", needs=("medications",))
def _u6(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if "possible_rhabdomyolysis" in fired:
        return NONE
    statin = c.taking(("statin", "fibrate"))
    return join(statin, c.weakness) if statin else NONE


@rule(
    "fluid_loss_with_dizziness_or_weakness",
    needs=(
        ("signs/dizziness", *WEAKNESS_FIELDS),
        ("signs/vomiting", "signs/diarrhoea", "signs/sweating", "medications"),
    ),
)
def _u7(c: Case, fired: dict[str, Pointers]) -> Pointers:
    loss = join(
        c.any_sign("vomiting", "diarrhoea"),
        ("/signs/sweating",) if c.signs.get("sweating") == "heavy" else NONE,
        c.taking(DIURETICS),
    )
    symptoms = join(c.sign("dizziness"), c.weakness)
    return join(loss, symptoms) if loss and symptoms else NONE


@rule(
    "new_weakness_or_numbness",
    needs=(*WEAKNESS_FIELDS, *NUMBNESS_FIELDS),
)
def _u8_deficit(c: Case, fired: dict[str, Pointers]) -> Pointers:
    found = NONE
    if c.weakness and c.signs.get("weakness_onset") != "gradual":
        found += c.weakness
    if c.numbness and c.signs.get("numbness_onset") != "long_standing":
        found += c.numbness
    return found


@rule("cramps_outside_legs", needs=("cramp/locations",))
def _u8_outside(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if c.locations is None:
        return NONE
    return ("/cramp/locations",) if c.locations & {"chest", "arm", "abdomen"} else NONE


@rule("possible_low_calcium", needs=("signs/tingling_around_mouth", "signs/tingling"))
def _u8_calcium(c: Case, fired: dict[str, Pointers]) -> Pointers:
    found = c.sign("tingling_around_mouth")
    if not found and c.signs.get("tingling") is True and c.locations and "hand" in c.locations:
        found = ("/signs/tingling", "/cramp/locations")
    return join(found, c.has_condition("recent_thyroid_or_parathyroid_surgery")) if found else NONE


@rule(
    "critical_limb_ischaemia",
    needs=(
        "cramp/eased_by_hanging_leg_down",
        "signs/foot_wound_not_healing",
        "signs/black_toes",
        "signs/cold_limb",
        "signs/skin_colour",
    ),
)
def _u9_cli(c: Case, fired: dict[str, Pointers]) -> Pointers:
    found = join(c.cramp_true("eased_by_hanging_leg_down"), c.any_sign("foot_wound_not_healing", "black_toes"))
    if c.onset == "gradual" and "acute_limb_ischaemia" not in fired:
        found = join(
            found, c.sign("cold_limb"), ("/signs/skin_colour",) if c.signs.get("skin_colour") == "pale" else NONE
        )
    return join(found, c.has_condition("peripheral_arterial_disease", "diabetes")) if found else NONE


@rule(
    "diabetic_foot_problem",
    needs=(("conditions",), ("signs/foot_wound_not_healing", "signs/redness", "signs/warmth", "signs/spreading_redness",
                             *SWELLING_FIELDS, "context/wound")),
)
def _u9_foot(c: Case, fired: dict[str, Pointers]) -> Pointers:
    diabetes = c.has_condition("diabetes")
    if not diabetes:
        return NONE
    foot = ("/cramp/locations",) if c.locations and "foot" in c.locations else NONE
    problem = join(c.any_sign("redness", "warmth", "spreading_redness"), c.swelling, c.wound_present)
    wound = c.sign("foot_wound_not_healing")
    if (foot and problem) or wound:
        return join(diabetes, foot, problem, wound)
    return NONE


@rule(
    "child_leg_pain_red_features",
    # One-sided pain for 48 hours or more counts only with its history: cramp/history_weeks, not cramp/side.
    needs=(*FEVER_FIELDS, "signs/limp", "signs/joint_swollen_or_hot", "signs/can_weight_bear", "cramp/history_weeks"),
)
def _u10(c: Case, fired: dict[str, Pointers]) -> Pointers:
    child = c.is_child()
    if child is False:
        return NONE
    found = join(
        c.fever,
        c.sign("limp"),
        c.sign("joint_swollen_or_hot"),
        ("/signs/can_weight_bear",) if c.signs.get("can_weight_bear") is False else NONE,
    )
    if child and c.side in ("left", "right") and c.number("cramp", "history_weeks") is not None:
        if c.cramp["history_weeks"] >= 2 / 7:  # one-sided pain for 48 hours or more (S34)
            found = join(found, ("/cramp/side", "/cramp/history_weeks"))
    return join(found, ("/person/age",) if c.age is not None else NONE) if found else NONE


@rule("pregnancy_one_sided_leg_pain", needs=(PREGNANCY_FIELDS, ONE_SIDED_LEG_FIELDS))
def _u11(c: Case, fired: dict[str, Pointers]) -> Pointers:
    period = join(c.pregnant, c.postpartum)
    if not period or "possible_pulmonary_embolism" in fired:
        return NONE
    side = NONE
    if c.side in ("left", "right") and c.located("calf", "thigh"):
        side = ("/cramp/side",)
    if c.signs.get("swelling_side") in ("left", "right"):
        side += ("/signs/swelling_side",)
    return join(period, side) if side else NONE
