"""Clinical pictures several rules share: each one definition, named for what a clinician would call it.

A picture returns the pointers of the answers that make it up (NO_POINTERS when it does not hold), or
a plain bool where it only decides between readings (an ordinary cramp, growing pains).
"""

from __future__ import annotations

from service.advice.case import HORMONAL, LEG_LOCATIONS, Case
from service.advice.pointers import NO_POINTERS, Pointers, join

# Places beyond the legs that a lower-motor-neuron cause spreads cramps to (guidance 2.1 item 8, G4).
BEYOND_THE_LEGS = frozenset({"hand", "arm", "chest", "abdomen"})


def ordinary_cramp(c: Case) -> bool:
    """A cramp that is over quickly or has eased (guidance 2.1 item 7): its episodes last ten minutes or
    less, or it is no longer going on and stretching relieved it (both said, the cautious reading of
    "eased"). Unknown is not ordinary: with nothing said about how long it lasts or whether it eased,
    this is False."""
    if c.cramp.get("ongoing") is True or c.character == "throbbing":  # throbbing, persisting pain is DVT-type
        return False
    duration = c.number("cramp", "duration_minutes")
    if duration is not None:
        return duration <= c.limits.prolonged_cramp_minutes
    return c.cramp.get("ongoing") is False and c.cramp.get("relieved_by_stretching") is True


def one_sided_leg_pain(c: Case) -> Pointers:
    """Pain or cramp on one side, in the leg (or where it is, unknown)."""
    if c.side in ("left", "right") and c.located("calf", "thigh", "shin", "foot"):
        return ("/cramp/side",)
    return NO_POINTERS


def one_sided_swelling(c: Case) -> Pointers:
    return c.is_value("signs", "swelling_side", "left", "right")


def dvt_signs(c: Case) -> Pointers:
    """NHS DVT signs (S22): swelling, warmth, red or darker skin, hard sore veins."""
    signs = join(c.any_sign("warmth", "redness", "hard_painful_veins"), c.is_value("signs", "skin_colour", "red", "darker"))
    if c.swelling and c.signs.get("swelling_side") != "both" and c.signs.get("swelling_onset") != "long_standing":
        signs = join(signs, c.swelling)
    return signs


def dvt_type_leg(c: Case) -> Pointers:
    """One-sided leg pain or swelling that could be a clot (guidance 2.1 item 7, U1, U11, S22, S24).

    One-sided swelling always counts. One-sided pain counts with a DVT sign, or when it is not an
    ordinary cramp: a brief cramp that eased is the commonest leg complaint (S1, S8), but pain with
    nothing said about how long it lasts or whether it eased is treated as possible DVT pain."""
    pain = one_sided_leg_pain(c)
    if pain and not dvt_signs(c) and ordinary_cramp(c):
        pain = NO_POINTERS
    return join(pain, one_sided_swelling(c))


def dvt_risk_factors(c: Case) -> Pointers:
    """Wells-type risks (S23) and NHS risks (S22) strong enough to count with one-sided pain alone."""
    limits = c.limits
    surgery = c.number("context", "recent_surgery_days_ago")
    return join(
        ("/context/recent_surgery_days_ago",) if surgery is not None and surgery <= limits.recent_surgery_days
        else NO_POINTERS,
        c.at_least("context", "immobile_days", limits.immobile_days),
        c.ctx("fracture_or_cast"),
        c.at_least("context", "recent_long_travel_hours", limits.long_journey_hours),
        c.has_condition("previous_vte", "active_cancer"),
    )


def dvt_features(c: Case) -> Pointers:
    """A possible clot in the leg (U1): a DVT-type leg with a DVT sign or a strong risk factor."""
    leg = dvt_type_leg(c)
    if not leg:
        return NO_POINTERS
    signs, risks = dvt_signs(c), dvt_risk_factors(c)
    if not signs and not risks:
        return NO_POINTERS
    supporting = join(c.pregnant, c.postpartum, c.taking(HORMONAL), c.ctx("smoker"))
    return join(leg, signs, risks, supporting)


def fluid_restricted(c: Case) -> Pointers:
    """Told to limit fluids, on dialysis, or with a condition that usually means it (guidance 4)."""
    return join(c.ctx("fluid_restriction"), c.dialysis, c.has_condition("heart_failure", "ckd", "liver_cirrhosis"))


def chest_symptoms(c: Case) -> Pointers:
    return c.any_sign("breathlessness", "chest_pain", "coughing_blood", "collapse")


def heat_or_exertion(c: Case) -> Pointers:
    return join(c.ctx("hot_environment"), c.exercise)


def cellulitis_picture(c: Case) -> Pointers:
    """Red, hot or swollen skin (S25): redness plus warmth or swelling."""
    red = join(c.any_sign("redness", "spreading_redness"), c.is_value("signs", "skin_colour", "red"))
    hot_or_swollen = join(c.sign("warmth"), c.swelling)
    return join(red, hot_or_swollen) if red and hot_or_swollen else NO_POINTERS


def fast_heart_rate(c: Case) -> Pointers:
    if c.age is not None and c.age < c.limits.fast_heart_rate_from_age:
        return NO_POINTERS
    return c.at_least("signs", "heart_rate", c.limits.fast_heart_rate)


def pale_or_blue(c: Case) -> Pointers:
    return c.is_value("signs", "skin_colour", "pale", "blue_or_mottled")


def growing_pains_pattern(c: Case) -> bool:
    """Children's aching night pains (S33): both legs, evening or night, no limp — not true cramps."""
    return (
        c.age is not None
        and c.limits.growing_pains_from_age <= c.age <= c.limits.growing_pains_to_age
        and c.side not in ("left", "right")
        and c.signs.get("limp") is not True
        and c.character in (None, "aching")
        and "day" not in c.timing
    )


def lower_motor_neuron_picture(c: Case) -> Pointers:
    """Signs of a nerve or motor-neuron cause (G4, S4, S43; guidance 2.1 item 8): gradual weakness, wasting
    or twitching, or cramps spreading from the legs to the hands, arms or trunk. Calf, thigh and foot
    cramps together are the usual idiopathic pattern, not spreading."""
    spreading = NO_POINTERS
    if c.locations is not None and c.locations & BEYOND_THE_LEGS and c.locations & (LEG_LOCATIONS | {"buttock"}):
        spreading = ("/cramp/locations",)
    return join(
        c.any_sign("muscle_wasting", "fasciculations"),
        c.is_value("signs", "weakness_onset", "gradual"),
        spreading,
    )
