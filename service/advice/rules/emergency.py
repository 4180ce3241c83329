"""Emergency rules (guidance 2.2, E1-E12): call the emergency number now."""

from __future__ import annotations

from service.advice.case import Case
from service.advice.pointers import NO_POINTERS, Pointers, join
from service.advice.rules.pictures import (
    cellulitis_picture,
    chest_symptoms,
    dvt_features,
    fast_heart_rate,
    heat_or_exertion,
    one_sided_leg_pain,
    one_sided_swelling,
    pale_or_blue,
)


def possible_pulmonary_embolism(c: Case, fired: dict[str, Pointers]) -> Pointers:
    chest = chest_symptoms(c)
    if not chest:
        return NO_POINTERS
    leg = dvt_features(c)
    if leg:
        return join(leg, chest)
    # Guidance 2.1 item 9: coughing up blood counts beside any leg symptom, with nothing else known.
    # (Chest pain and breathlessness alone are chest_pain_or_breathlessness; collapse alone is
    # possible_heatstroke's.)
    coughing = c.sign("coughing_blood")
    return join(one_sided_leg_pain(c), one_sided_swelling(c), coughing) if coughing else NO_POINTERS


def chest_pain_or_breathlessness(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if "possible_pulmonary_embolism" in fired:
        return NO_POINTERS
    return c.any_sign("chest_pain", "breathlessness")


def possible_rhabdomyolysis(c: Case, fired: dict[str, Pointers]) -> Pointers:
    context = join(heat_or_exertion(c), c.injury, c.taking(("statin", "fibrate")))
    if c.signs.get("urine_colour") in ("brown_cola", "red"):
        return join(("/signs/urine_colour",), c.sign("reduced_urine"), context)
    if c.signs.get("reduced_urine") is True and context:
        return join(("/signs/reduced_urine",), context)
    return NO_POINTERS


def possible_exercise_hyponatraemia(c: Case, fired: dict[str, Pointers]) -> Pointers:
    exercise = c.exercise
    if not exercise:
        return NO_POINTERS
    systemic = c.any_sign("vomiting", "confusion", "collapse")
    long_event = c.at_least("context", "endurance_event_hours", c.limits.long_endurance_event_hours)
    if not systemic and c.signs.get("headache") is True and long_event:
        systemic = ("/signs/headache",)
    if not systemic:
        return NO_POINTERS
    return join(systemic, c.sign("headache"), exercise, c.at_least("context", "fluid_intake_litres", c.limits.heavy_fluid_intake_litres))


def spreading_skin_infection(c: Case, fired: dict[str, Pointers]) -> Pointers:
    skin = cellulitis_picture(c)
    if not skin:
        return NO_POINTERS
    spread = join(
        join(c.fever, fast_heart_rate(c)) if c.fever and fast_heart_rate(c) else NO_POINTERS,
        c.any_sign("confusion", "dizziness", "collapse", "vomiting", "diarrhoea", "drowsy"),
        pale_or_blue(c),
    )
    return join(skin, spread) if spread else NO_POINTERS


def acute_limb_ischaemia(c: Case, fired: dict[str, Pointers]) -> Pointers:
    always = join(
        c.sign("unable_to_move_foot"),
        c.is_value("signs", "skin_colour", "blue_or_mottled"),
    )
    sudden_only = join(
        c.sign("cold_limb"),
        c.is_value("signs", "skin_colour", "pale"),
    )
    if c.onset == "gradual":
        found = always
    else:
        found = join(always, sudden_only)
        if found and c.signs.get("numbness_onset") == "new":
            found = join(found, ("/signs/numbness_onset",))
    return join(found, ("/cramp/onset",) if c.onset == "sudden" else NO_POINTERS) if found else NO_POINTERS


def compartment_syndrome(c: Case, fired: dict[str, Pointers]) -> Pointers:
    trauma = join(c.injury, c.ctx("fracture_or_cast"))
    pressure = c.any_sign("pain_out_of_proportion", "tight_swollen_muscle")
    if trauma and pressure:
        return join(pressure, c.sign("tingling"), c.numbness, trauma)
    if c.ctx("fracture_or_cast") and (c.sign("tingling") or c.numbness):
        return join(c.sign("tingling"), c.numbness, c.ctx("fracture_or_cast"))
    if len(pressure) == 2 and c.context.get("recent_injury") is not False:
        return pressure
    return NO_POINTERS


def tetanus_signs(c: Case, fired: dict[str, Pointers]) -> Pointers:
    spasm = c.any_sign("jaw_stiffness", "difficulty_swallowing")
    return join(spasm, c.wound_present) if spasm else NO_POINTERS


def cauda_equina(c: Case, fired: dict[str, Pointers]) -> Pointers:
    found = c.any_sign("saddle_numbness", "bladder_or_bowel_change")
    new_deficit = join(
        c.is_value("signs", "weakness_onset", "new"),
        c.is_value("signs", "numbness_onset", "new"),
    )
    if new_deficit and c.side == "both" and c.onset == "sudden":
        found = join(found, new_deficit, ("/cramp/side", "/cramp/onset"))
    return join(found, c.sign("back_pain")) if found else NO_POINTERS


def seriously_unwell_child(c: Case, fired: dict[str, Pointers]) -> Pointers:
    if c.is_child() is False:
        return NO_POINTERS
    found = join(pale_or_blue(c), c.any_sign("drowsy", "confusion", "seizure", "non_blanching_rash", "breathlessness"))
    return join(found, ("/person/age",) if c.age is not None else NO_POINTERS) if found else NO_POINTERS


def missed_dialysis_hyperkalaemia(c: Case, fired: dict[str, Pointers]) -> Pointers:
    dialysis = c.dialysis
    if not dialysis:
        return NO_POINTERS
    symptoms = join(c.weakness, c.sign("palpitations"))
    missed = c.number("context", "missed_dialysis_days")
    if symptoms and (missed is None or missed > 0):
        return join(symptoms, c.more_than("context", "missed_dialysis_days", 0), dialysis)
    return NO_POINTERS


def possible_heatstroke(c: Case, fired: dict[str, Pointers]) -> Pointers:
    """Heat or exertion plus systemic signs (S30, S20). Runs after the other emergency rules: with heat
    and exertion unknown, or even ruled out, it still fires on the same signs unless another emergency
    already explains them, since no emergency symptom may wait for a second answer (guidance 2.1 item 9)."""
    signs = join(
        c.any_sign("confusion", "slurred_speech", "seizure", "collapse", "hot_dry_skin"),
        c.at_least("signs", "temperature_c", c.limits.heatstroke_c),
    )
    if not signs:
        return NO_POINTERS
    context = heat_or_exertion(c)
    if context:
        return join(signs, context)
    heat_specific = c.sign("hot_dry_skin") or c.at_least("signs", "temperature_c", c.limits.heatstroke_c)
    already_explained = not fired.keys().isdisjoint(_EMERGENCY_BEFORE_HEAT)
    return signs if heat_specific or not already_explained else NO_POINTERS


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
