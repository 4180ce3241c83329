"""Red-flag and escalation rules of guidance section 2.2, one small function each, named by its rule id.

A rule takes the case and the rules fired before it, and returns the JSON Pointers of the answers that
triggered it, or NO_POINTERS when it does not fire. Levels, titles, advice and sources live in
service/content/data/rules.toml under the same id; the engine refuses to start when a rule here has no
content there, or the other way round. These modules only decide *whether* a rule fires and *because
of what*.

RULES is the evaluation order, highest tier first. Order matters only where a rule reads `fired`: a
rule that defers to another (possible_dvt to possible_pulmonary_embolism) must come after it.
"""
from __future__ import annotations

from typing import Callable

from service.advice.case import Case
from service.advice.pointers import Pointers
from service.advice.rules import doctor, emergency, urgent

Rule = Callable[[Case, dict[str, Pointers]], Pointers]

RULES: tuple[Rule, ...] = (
    # Emergency (E1-E12)
    emergency.possible_pulmonary_embolism,
    emergency.chest_pain_or_breathlessness,
    emergency.possible_rhabdomyolysis,
    emergency.possible_exercise_hyponatraemia,
    emergency.spreading_skin_infection,
    emergency.acute_limb_ischaemia,
    emergency.compartment_syndrome,
    emergency.tetanus_signs,
    emergency.cauda_equina,
    emergency.seriously_unwell_child,
    emergency.missed_dialysis_hyperkalaemia,
    emergency.possible_heatstroke,  # after the others: it asks whether they already explain the signs
    # Urgent, the same day (U1-U12)
    urgent.possible_dvt,
    urgent.prolonged_cramp,
    urgent.tetanus_risk_wound,
    urgent.toxin_exposure,
    urgent.cellulitis_signs,
    urgent.statin_muscle_symptoms,
    urgent.fluid_loss_with_dizziness_or_weakness,
    urgent.new_weakness_or_numbness,
    urgent.cramps_outside_legs,
    urgent.possible_low_calcium,
    urgent.critical_limb_ischaemia,
    urgent.diabetic_foot_problem,
    urgent.child_leg_pain_red_features,
    urgent.pregnancy_one_sided_leg_pain,
    urgent.missed_dialysis,  # after missed_dialysis_hyperkalaemia, which it defers to
    # Doctor within days (G1-G5)
    doctor.claudication_pattern,
    doctor.new_medicine_cramps,
    doctor.heavy_alcohol_use,
    doctor.lower_motor_neuron_signs,
    doctor.supplements_with_kidney_risk,
    # Doctor, routine (R1-R7)
    doctor.troublesome_cramps,
    doctor.long_standing_numbness_or_swelling,
    doctor.severe_or_not_improving,
    doctor.possible_secondary_cause,
    doctor.pregnancy_troublesome_cramps,
    doctor.dialysis_cramps,
    doctor.quinine_or_supplement_request,
)
RULE_IDS: tuple[str, ...] = tuple(rule.__name__ for rule in RULES)

__all__ = ["RULES", "RULE_IDS", "Rule"]
