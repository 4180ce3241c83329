"""Contraindications: the situations in which a piece of advice must be held back (guidance 4 and 5).

Each returns the pointers that establish it, so a withheld topic can say why. Recommendation content
names these ids in `suppressed_when`; the loader checks the names, this module computes the facts.
"""
from __future__ import annotations

from typing import Callable

from service.advice.case import POTASSIUM_RAISING, Case
from service.advice.pointers import NO_POINTERS, Pointers, join, fired_because
from service.advice.rules.pictures import fluid_restricted

Check = Callable[[Case, dict[str, Pointers]], Pointers]


def _rules(*ids: str) -> Check:
    def check(c: Case, fired: dict[str, Pointers]) -> Pointers:
        return fired_because(fired, ids)
    return check


def _kidney(c: Case, fired: dict[str, Pointers]) -> Pointers:
    return join(c.has_condition("ckd"), c.dialysis)


def _nsaid_unsafe(c: Case, fired: dict[str, Pointers]) -> Pointers:
    # Guidance 4: pregnancy, CKD or dialysis, cirrhosis, heart failure, anticoagulants, rhabdomyolysis
    # (the list itself is marked "from memory, unverified" in the guidance and in the content).
    return join(c.pregnant, _kidney(c, fired), c.has_condition("liver_cirrhosis", "heart_failure"),
                c.taking(("anticoagulant",)), fired.get("possible_rhabdomyolysis", NO_POINTERS))


CHECKS: dict[str, Check] = {
    "possible_dvt": _rules("possible_dvt", "possible_pulmonary_embolism", "pregnancy_one_sided_leg_pain"),
    "possible_cellulitis": _rules("cellulitis_signs", "spreading_skin_infection"),
    "limb_ischaemia": _rules("acute_limb_ischaemia", "critical_limb_ischaemia"),
    "compartment_syndrome": _rules("compartment_syndrome"),
    "possible_rhabdomyolysis": _rules("possible_rhabdomyolysis"),
    "possible_hyponatraemia": _rules("possible_exercise_hyponatraemia"),
    "possible_heatstroke": _rules("possible_heatstroke"),
    "fluid_restricted": lambda c, fired: fluid_restricted(c),
    "kidney_disease": _kidney,
    "dialysis": lambda c, fired: c.dialysis,
    "pregnant": lambda c, fired: c.pregnant,
    "postpartum": lambda c, fired: c.postpartum,
    "potassium_raising_medicine": lambda c, fired: c.taking(POTASSIUM_RAISING),
    "nsaid_unsafe": _nsaid_unsafe,
    "under_16": lambda c, fired: (
        ("/person/age",) if c.age is not None and c.age < c.limits.aspirin_from_age else NO_POINTERS),
    "under_18": lambda c, fired: ("/person/age",) if c.is_child() else NO_POINTERS,
    "broken_skin": lambda c, fired: join(c.wound_present, c.sign("foot_wound_not_healing")),
    "numb_or_ischaemic_skin": lambda c, fired: join(
        c.numbness, c.has_condition("diabetes", "peripheral_neuropathy", "peripheral_arterial_disease"),
        fired.get("acute_limb_ischaemia", NO_POINTERS), fired.get("critical_limb_ischaemia", NO_POINTERS)),
    "alcohol_dependence": lambda c, fired: c.has_condition("alcohol_dependence"),
    "on_anticoagulant": lambda c, fired: c.taking(("anticoagulant",)),
}


def contraindications(c: Case, fired: dict[str, Pointers]) -> dict[str, Pointers]:
    """Every contraindication that holds, with the answers that establish it."""
    found = {}
    for name, check in CHECKS.items():
        pointers = check(c, fired)
        if pointers:
            found[name] = pointers
    return found
