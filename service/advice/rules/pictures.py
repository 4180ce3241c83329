"""Clinical pictures several rules share (a possible clot, heat or exertion, infected skin...)."""

from __future__ import annotations

from service.advice.case import EXERCISE_TIMINGS, FAST_HEART_RATE, HORMONAL, Case
from service.advice.pointers import NO_POINTERS, Pointers, join


def one_sided_leg(c: Case) -> Pointers:
    found: Pointers = NO_POINTERS
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
        ("/context/recent_surgery_days_ago",) if surgery is not None and surgery <= 84 else NO_POINTERS,
        c.at_least("context", "immobile_days", 3),
        c.ctx("fracture_or_cast"),
        c.at_least("context", "recent_long_travel_hours", 4),
        c.has_condition("previous_vte", "active_cancer"),
    )


def dvt_features(c: Case) -> Pointers:
    side = one_sided_leg(c)
    if not side:
        return NO_POINTERS
    signs, risks = dvt_signs(c), dvt_risk_factors(c)
    if not signs and not risks:
        return NO_POINTERS
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


def cellulitis_picture(c: Case) -> Pointers:
    """Red, hot or swollen skin (S25): redness plus warmth or swelling."""
    red = c.any_sign("redness", "spreading_redness")
    if c.signs.get("skin_colour") == "red":
        red += ("/signs/skin_colour",)
    hot_or_swollen = join(c.sign("warmth"), c.swelling)
    return join(red, hot_or_swollen) if red and hot_or_swollen else NO_POINTERS


def fast_heart_rate(c: Case) -> Pointers:
    if c.age is not None and c.age < 12:
        return NO_POINTERS
    return c.at_least("signs", "heart_rate", FAST_HEART_RATE)


def pale_or_blue(c: Case) -> Pointers:
    return c.is_value("signs", "skin_colour", "pale", "blue_or_mottled")


def growing_pains_pattern(c: Case) -> bool:
    """Children's aching night pains (S33): both legs, evening or night, no limp — not true cramps."""
    return (
        c.age is not None
        and 3 <= c.age <= 12
        and c.side not in ("left", "right")
        and c.signs.get("limp") is not True
        and c.character in (None, "aching")
        and "day" not in c.timing
    )
