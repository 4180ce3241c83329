"""Contraindications: the situations in which a piece of advice must be held back (guidance 4 and 5).

Each returns the pointers that establish it, so a withheld topic can say why. Recommendation content
names these ids in `suppressed_when`; the loader checks the names, this module computes the facts.
"""
from __future__ import annotations

from typing import Mapping

from service.advice.case import NONE, POTASSIUM_RAISING, Case, Pointers
from service.advice.rules import on_dialysis


def _join(*groups: Pointers) -> Pointers:
    return tuple(dict.fromkeys(p for g in groups for p in g))


def contraindications(c: Case, fired: Mapping[str, Pointers]) -> dict[str, Pointers]:
    """Every contraindication that holds, with the answers that establish it."""
    def rule_fired(*ids: str) -> Pointers:
        return _join(*(fired[i] for i in ids if i in fired))

    kidney = _join(c.has_condition("ckd"), on_dialysis(c))
    anticoagulant = c.taking(("anticoagulant",))
    rhabdo = rule_fired("possible_rhabdomyolysis")
    pregnant = c.pregnant
    found = {
        "possible_dvt": rule_fired("possible_dvt", "possible_pulmonary_embolism", "pregnancy_one_sided_leg_pain"),
        "possible_cellulitis": rule_fired("cellulitis_signs", "spreading_skin_infection"),
        "limb_ischaemia": rule_fired("acute_limb_ischaemia", "critical_limb_ischaemia"),
        "compartment_syndrome": rule_fired("compartment_syndrome"),
        "possible_rhabdomyolysis": rhabdo,
        "possible_hyponatraemia": rule_fired("possible_exercise_hyponatraemia"),
        "possible_heatstroke": rule_fired("possible_heatstroke"),
        "fluid_restricted": _join(
            c.ctx("fluid_restriction"), on_dialysis(c),
            c.has_condition("heart_failure", "ckd", "liver_cirrhosis"),
        ),
        "kidney_disease": kidney,
        "dialysis": on_dialysis(c),
        "pregnant": pregnant,
        "postpartum": c.postpartum,
        "potassium_raising_medicine": c.taking(POTASSIUM_RAISING),
        "nsaid_unsafe": _join(
            pregnant, kidney, c.has_condition("liver_cirrhosis", "heart_failure"), anticoagulant, rhabdo
        ),
        "under_16": ("/person/age",) if c.age is not None and c.age < 16 else NONE,
        "under_18": ("/person/age",) if c.age is not None and c.age < 18 else NONE,
        "broken_skin": _join(c.wound_present, c.sign("foot_wound_not_healing")),
        "numb_or_ischaemic_skin": _join(
            c.numbness, c.has_condition("diabetes", "peripheral_neuropathy", "peripheral_arterial_disease"),
            rule_fired("acute_limb_ischaemia", "critical_limb_ischaemia"),
        ),
        "alcohol_dependence": c.has_condition("alcohol_dependence"),
        "on_anticoagulant": anticoagulant,
    }
    return {name: pointers for name, pointers in found.items() if pointers}
