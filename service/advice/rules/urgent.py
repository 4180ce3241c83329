"""Urgent rules (guidance 2.2, U1-U11): medical help the same day."""

from __future__ import annotations

from service.advice.case import DIURETICS, Case
from service.advice.pointers import NO_POINTERS, Pointers, join
from service.advice.rules.pictures import (
    cellulitis_picture,
    dvt_features,
    dvt_type_leg,
    growing_pains_pattern,
)


def possible_dvt(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if "possible_pulmonary_embolism" in fired:
        return NO_POINTERS
    return dvt_features(c)


def prolonged_cramp(c: Case, fired: dict[str, Pointers]) -> Pointers:
    true_cramp = c.character in (None, "tight_knot") and not growing_pains_pattern(c)
    if not true_cramp:
        return NO_POINTERS
    long = c.more_than("cramp", "duration_minutes", c.limits.prolonged_cramp_minutes)
    if long:
        return join(long, c.said_yes("cramp", "ongoing"))
    if c.cramp.get("ongoing") is True and c.cramp.get("relieved_by_stretching") is False:
        return ("/cramp/ongoing", "/cramp/relieved_by_stretching")
    return NO_POINTERS


def tetanus_risk_wound(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if "tetanus_signs" in fired:
        return NO_POINTERS
    risky = tuple([f"/context/wound/{k}" for k in ("dirty", "puncture") if c.wound.get(k) is True])
    vaccination = c.context.get("tetanus_vaccination")
    if not risky or vaccination == "up_to_date":
        return NO_POINTERS
    return join(risky, ("/context/tetanus_vaccination",) if vaccination else NO_POINTERS)


def toxin_exposure(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return ("/context/toxin_exposure",) if c.context.get("toxin_exposure") else NO_POINTERS


def cellulitis_signs(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if "spreading_skin_infection" in fired:
        return NO_POINTERS
    skin = cellulitis_picture(c)
    if not skin:
        return NO_POINTERS
    higher_concern = join(c.has_condition("diabetes", "immunosuppressed"), c.fever)
    return join(skin, higher_concern)


def statin_muscle_symptoms(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if "possible_rhabdomyolysis" in fired:
        return NO_POINTERS
    statin = c.taking(("statin", "fibrate"))
    return join(statin, c.weakness) if statin else NO_POINTERS


def fluid_loss_with_dizziness_or_weakness(c: Case, fired: dict[str, Pointers]) -> Pointers:
    symptoms = join(c.sign("dizziness"), c.weakness)
    if not symptoms:
        return NO_POINTERS
    loss = join(
        c.any_sign("vomiting", "diarrhoea"),
        c.is_value("signs", "sweating", "heavy"),
        c.taking(DIURETICS),
    )
    return join(loss, symptoms) if loss else NO_POINTERS


def new_weakness_or_numbness(c: Case, fired: dict[str, Pointers]) -> Pointers:
    found = NO_POINTERS
    if c.weakness and c.signs.get("weakness_onset") != "gradual":
        found += c.weakness
    if c.numbness and c.signs.get("numbness_onset") != "long_standing":
        found += c.numbness
    return found


def cramps_outside_legs(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if c.locations is None:
        return NO_POINTERS
    return ("/cramp/locations",) if c.locations & {"chest", "arm", "abdomen"} else NO_POINTERS


def possible_low_calcium(c: Case, fired: dict[str, Pointers]) -> Pointers:
    found = c.sign("tingling_around_mouth")
    if not found and c.signs.get("tingling") is True and c.locations and "hand" in c.locations:
        found = ("/signs/tingling", "/cramp/locations")
    return join(found, c.has_condition("recent_thyroid_or_parathyroid_surgery")) if found else NO_POINTERS


def critical_limb_ischaemia(c: Case, fired: dict[str, Pointers]) -> Pointers:
    found = join(c.said_yes("cramp", "eased_by_hanging_leg_down"), c.any_sign("foot_wound_not_healing", "black_toes"))
    if c.onset == "gradual" and "acute_limb_ischaemia" not in fired:
        found = join(
            found, c.sign("cold_limb"), c.is_value("signs", "skin_colour", "pale")
        )
    return join(found, c.has_condition("peripheral_arterial_disease", "diabetes")) if found else NO_POINTERS


def diabetic_foot_problem(c: Case, fired: dict[str, Pointers]) -> Pointers:
    diabetes = c.has_condition("diabetes")
    if not diabetes:
        return NO_POINTERS
    foot = ("/cramp/locations",) if c.locations and "foot" in c.locations else NO_POINTERS
    problem = join(c.any_sign("redness", "warmth", "spreading_redness"), c.swelling, c.wound_present)
    wound = c.sign("foot_wound_not_healing")
    if (foot and problem) or wound:
        return join(diabetes, foot, problem, wound)
    return NO_POINTERS


def child_leg_pain_red_features(c: Case, fired: dict[str, Pointers]) -> Pointers:
    child = c.is_child()
    if child is False:
        return NO_POINTERS
    found = join(
        c.fever,
        c.sign("limp"),
        c.sign("joint_swollen_or_hot"),
        ("/signs/can_weight_bear",) if c.signs.get("can_weight_bear") is False else NO_POINTERS,
    )
    persistent = c.at_least("cramp", "history_weeks", c.limits.child_one_sided_pain_hours / (24 * 7))
    if child and c.side in ("left", "right") and persistent:  # persistent one-sided pain (S34)
        found = join(found, ("/cramp/side",), persistent)
    return join(found, ("/person/age",) if c.age is not None else NO_POINTERS) if found else NO_POINTERS


def pregnancy_one_sided_leg_pain(c: Case, fired: dict[str, Pointers]) -> Pointers:
    period = join(c.pregnant, c.postpartum)
    if not period or "possible_pulmonary_embolism" in fired:
        return NO_POINTERS
    leg = dvt_type_leg(c)  # a brief cramp that eased is not DVT pain (guidance 2.1 item 7)
    return join(period, leg) if leg else NO_POINTERS


def missed_dialysis(c: Case, fired: dict[str, Pointers]) -> Pointers:
    """U12: a missed dialysis session without weakness or palpitations (E12 when they are present)."""
    if "missed_dialysis_hyperkalaemia" in fired or not c.dialysis:
        return NO_POINTERS
    missed = c.more_than("context", "missed_dialysis_days", 0)
    return join(missed, c.dialysis) if missed else NO_POINTERS
