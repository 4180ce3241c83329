"""Contraindications: the situations in which a piece of advice must be held back (guidance 4 and 5).

Each returns the pointers that establish it, so a withheld topic can say why. Recommendation content
names these ids in `suppressed_when`; the loader checks the names, this module computes the facts.
"""
from __future__ import annotations

from typing import Callable

from service.advice.case import (
    DIALYSIS_FIELDS,
    NONE,
    NUMBNESS_FIELDS,
    POSTPARTUM_FIELDS,
    POTASSIUM_RAISING,
    PREGNANT_FIELDS,
    Case,
    Pointers,
    fired_because,
    join,
)
from service.advice.index import FieldIndex

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
                c.taking(("anticoagulant",)), fired.get("possible_rhabdomyolysis", NONE))


CONDITIONS = ("conditions",)
# name: (request fields, rule ids) at least one of which must be present or fired, and the check.
CHECKS: dict[str, tuple[frozenset[str], frozenset[str], Check]] = {
    name: (frozenset(fields), frozenset(rules), check)
    for name, fields, rules, check in (
        ("possible_dvt", (), ("possible_dvt", "possible_pulmonary_embolism", "pregnancy_one_sided_leg_pain"),
         _rules("possible_dvt", "possible_pulmonary_embolism", "pregnancy_one_sided_leg_pain")),
        ("possible_cellulitis", (), ("cellulitis_signs", "spreading_skin_infection"),
         _rules("cellulitis_signs", "spreading_skin_infection")),
        ("limb_ischaemia", (), ("acute_limb_ischaemia", "critical_limb_ischaemia"),
         _rules("acute_limb_ischaemia", "critical_limb_ischaemia")),
        ("compartment_syndrome", (), ("compartment_syndrome",), _rules("compartment_syndrome")),
        ("possible_rhabdomyolysis", (), ("possible_rhabdomyolysis",), _rules("possible_rhabdomyolysis")),
        ("possible_hyponatraemia", (), ("possible_exercise_hyponatraemia",), _rules("possible_exercise_hyponatraemia")),
        ("possible_heatstroke", (), ("possible_heatstroke",), _rules("possible_heatstroke")),
        ("fluid_restricted", ("context/fluid_restriction", *DIALYSIS_FIELDS), (),
         lambda c, fired: join(c.ctx("fluid_restriction"), c.dialysis,
                               c.has_condition("heart_failure", "ckd", "liver_cirrhosis"))),
        ("kidney_disease", DIALYSIS_FIELDS, (), _kidney),
        ("dialysis", DIALYSIS_FIELDS, (), lambda c, fired: c.dialysis),
        ("pregnant", PREGNANT_FIELDS, (), lambda c, fired: c.pregnant),
        ("postpartum", POSTPARTUM_FIELDS, (), lambda c, fired: c.postpartum),
        ("potassium_raising_medicine", ("medications",), (), lambda c, fired: c.taking(POTASSIUM_RAISING)),
        ("nsaid_unsafe", (*PREGNANT_FIELDS, *DIALYSIS_FIELDS, "medications"),
         ("possible_rhabdomyolysis",), _nsaid_unsafe),
        ("under_16", ("person/age",), (),
         lambda c, fired: ("/person/age",) if c.age is not None and c.age < 16 else NONE),
        ("under_18", ("person/age",), (),
         lambda c, fired: ("/person/age",) if c.age is not None and c.age < 18 else NONE),
        ("broken_skin", ("context/wound", "signs/foot_wound_not_healing"), (),
         lambda c, fired: join(c.wound_present, c.sign("foot_wound_not_healing"))),
        ("numb_or_ischaemic_skin", (*NUMBNESS_FIELDS, "conditions"),
         ("acute_limb_ischaemia", "critical_limb_ischaemia"),
         lambda c, fired: join(
             c.numbness, c.has_condition("diabetes", "peripheral_neuropathy", "peripheral_arterial_disease"),
             fired.get("acute_limb_ischaemia", NONE), fired.get("critical_limb_ischaemia", NONE))),
        ("alcohol_dependence", CONDITIONS, (), lambda c, fired: c.has_condition("alcohol_dependence")),
        ("on_anticoagulant", ("medications",), (), lambda c, fired: c.taking(("anticoagulant",))),
    )
}


# Fields and fired rule ids share one index: either can establish a contraindication.
_INDEX = FieldIndex([(name, check) for name, (_, _, check) in CHECKS.items()],
                    [(fields | rules,) for fields, rules, _ in CHECKS.values()])


def contraindications(c: Case, fired: dict[str, Pointers], known: frozenset[str] | None) -> dict[str, Pointers]:
    """Every contraindication that holds, with the answers that establish it.

    `known`: the request's fields and the fired rule ids, for the index; None checks every one."""
    found = {}
    for name, check in _INDEX.candidates(known):
        pointers = check(c, fired)
        if pointers:
            found[name] = pointers
    return found
