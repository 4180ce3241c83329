"""The `POST /assess` request schema (contract v1), strict in every field.

Every field is optional (absent means unknown) and none is nullable. Loading returns plain nested
dicts and lists holding only the fields that were sent: nothing is defaulted. Ranges are the
contract's; where the contract gives only a lower bound, an upper bound rejects physically impossible
numbers (each is documented in openapi.yaml). openapi.yaml is checked against this module field by
field (tests/contract/test_openapi.py), so change both together.
"""
from __future__ import annotations

from collections.abc import Iterator

from marshmallow import fields
from marshmallow.validate import Length, OneOf, Range

from schemas.fields import (
    NotBlank,
    StrictBoolean,
    StrictInteger,
    StrictList,
    StrictNested,
    StrictNumber,
    StrictSchema,
    StrictString,
)
from service.content.vocabulary import REGIONS

SEXES = ("female", "male", "other")
SIDES = ("left", "right", "both")
LOCATIONS = ("calf", "foot", "thigh", "shin", "buttock", "hand", "arm", "abdomen", "chest", "other")
TIMINGS = ("night", "rest", "day", "exercise", "after_exercise", "walking", "standing", "dialysis")
ONSETS = ("sudden", "gradual")
CHARACTERS = ("tight_knot", "aching", "throbbing", "burning", "urge_to_move")
NEW_OR_LONG_STANDING = ("new", "long_standing")
WEAKNESS_ONSETS = ("new", "gradual")
SKIN_COLOURS = ("normal", "red", "darker", "pale", "blue_or_mottled")
URINE_COLOURS = ("normal", "dark_yellow", "brown_cola", "red")
SWEATING = ("none", "normal", "heavy")
TETANUS_VACCINATION = ("up_to_date", "not_up_to_date", "unknown")
EXERTION = ("none", "light", "moderate", "strenuous", "extreme")
HYDRATION = ("poor", "adequate")
FOOTWEAR = ("supportive", "unsupportive", "high_heels", "worn_out")
TOXINS = ("lead", "mercury", "other")
RECENT_CHANGES = ("started", "dose_increased", "stopped")
CONDITIONS = (
    "ckd", "dialysis", "diabetes", "peripheral_neuropathy", "hypothyroidism", "liver_cirrhosis",
    "heart_failure", "peripheral_arterial_disease", "previous_vte", "active_cancer",
    "atrial_fibrillation", "hypertension", "asthma_or_copd", "alcohol_dependence",
    "recent_thyroid_or_parathyroid_surgery", "parkinsons", "multiple_sclerosis",
    "motor_neurone_disease", "spinal_stenosis", "varicose_veins", "immunosuppressed",
    "coronary_heart_disease", "high_cholesterol", "osteoarthritis", "other",
)
REMEDIES = (
    "quinine", "tonic_water", "magnesium", "potassium", "calcium", "vitamin_b", "painkillers",
    "supplements",
)

MAX_MEDICATIONS = 50
MAX_MEDICATION_NAME = 100

# Upper bounds the contract leaves open: beyond these a value is impossible, not just implausible.
MINUTES_PER_YEAR = 525_600
MINUTES_PER_WEEK = 10_080
WEEKS_IN_A_LIFETIME = 6_300  # about 121 years: past the oldest age the schema accepts
HOURS_IN_A_LIFETIME = 1_051_200  # 120 years
HOURS_IN_FOUR_WEEKS = 672
DAYS_IN_A_LIFETIME = 43_800  # about 120 years
DAYS_PER_YEAR = 365


def _integer(low: int, high: int) -> StrictInteger:
    return StrictInteger(validate=Range(low, high))


def _number(low: float, high: float) -> StrictNumber:
    return StrictNumber(validate=Range(low, high))


def _boolean() -> StrictBoolean:
    return StrictBoolean()


def _choice(values: tuple[str, ...]) -> StrictString:
    return StrictString(validate=OneOf(values))


def _choices(values: tuple[str, ...]) -> StrictList:
    """An array of distinct enum values: at most one of each."""
    return StrictList(_choice(values), max_items=len(values), unique=True)


def _section(schema: type[StrictSchema]) -> StrictNested:
    """An object whose fields are all optional, loaded with marshmallow's documented `partial=True`.

    partial makes marshmallow skip absent fields instead of visiting each one (a no-op, since none
    is defaulted); a request sends about a dozen of the ~130. It also waives `required` and passes
    down to every object below, so it is not set on the root: a medication's name is required
    (tests/schemas/test_loading.py checks every required field is still enforced).
    """
    return StrictNested(schema(partial=True))


class PersonSchema(StrictSchema):
    age = _integer(0, 120)
    sex = _choice(SEXES)
    pregnant = _boolean()
    gestation_weeks = _integer(0, 45)
    weeks_postpartum = _integer(0, 52)


class CrampSchema(StrictSchema):
    locations = _choices(LOCATIONS)
    side = _choice(SIDES)
    duration_minutes = _number(0, MINUTES_PER_YEAR)
    episodes_per_week = _number(0, MINUTES_PER_WEEK)
    history_weeks = _number(0, WEEKS_IN_A_LIFETIME)
    timing = _choices(TIMINGS)
    onset = _choice(ONSETS)
    ongoing = _boolean()
    pain_severity = _integer(0, 10)
    relieved_by_stretching = _boolean()
    relieved_by_rest = _boolean()
    eased_by_hanging_leg_down = _boolean()
    character = _choice(CHARACTERS)


class SignsSchema(StrictSchema):
    swelling = _boolean()
    swelling_side = _choice(SIDES)
    swelling_onset = _choice(NEW_OR_LONG_STANDING)
    redness = _boolean()
    warmth = _boolean()
    spreading_redness = _boolean()
    hard_painful_veins = _boolean()
    skin_colour = _choice(SKIN_COLOURS)
    cold_limb = _boolean()
    unable_to_move_foot = _boolean()
    pain_out_of_proportion = _boolean()
    tight_swollen_muscle = _boolean()
    numbness = _boolean()
    numbness_onset = _choice(NEW_OR_LONG_STANDING)
    tingling = _boolean()
    tingling_around_mouth = _boolean()
    weakness = _boolean()
    weakness_onset = _choice(WEAKNESS_ONSETS)
    muscle_wasting = _boolean()
    fasciculations = _boolean()
    fever = _boolean()
    temperature_c = _number(30, 45)
    heart_rate = _integer(20, 250)
    shivering = _boolean()
    urine_colour = _choice(URINE_COLOURS)
    reduced_urine = _boolean()
    chest_pain = _boolean()
    breathlessness = _boolean()
    coughing_blood = _boolean()
    palpitations = _boolean()
    confusion = _boolean()
    drowsy = _boolean()
    slurred_speech = _boolean()
    seizure = _boolean()
    collapse = _boolean()
    vomiting = _boolean()
    diarrhoea = _boolean()
    dizziness = _boolean()
    headache = _boolean()
    sweating = _choice(SWEATING)
    hot_dry_skin = _boolean()
    jaw_stiffness = _boolean()
    difficulty_swallowing = _boolean()
    limp = _boolean()
    can_weight_bear = _boolean()
    joint_swollen_or_hot = _boolean()
    saddle_numbness = _boolean()
    bladder_or_bowel_change = _boolean()
    back_pain = _boolean()
    non_blanching_rash = _boolean()
    foot_wound_not_healing = _boolean()
    black_toes = _boolean()


class WoundSchema(StrictSchema):
    present = _boolean()
    dirty = _boolean()
    puncture = _boolean()
    days_ago = _number(0, DAYS_IN_A_LIFETIME)


class ContextSchema(StrictSchema):
    recent_injury = _boolean()
    injury_hours_ago = _number(0, HOURS_IN_A_LIFETIME)
    fracture_or_cast = _boolean()
    wound = _section(WoundSchema)
    tetanus_vaccination = _choice(TETANUS_VACCINATION)
    recent_long_travel_hours = _number(0, HOURS_IN_FOUR_WEEKS)
    recent_surgery_days_ago = _number(0, DAYS_IN_A_LIFETIME)
    immobile_days = _number(0, DAYS_IN_A_LIFETIME)
    hot_environment = _boolean()
    exertion = _choice(EXERTION)
    endurance_event_hours = _number(0, HOURS_IN_FOUR_WEEKS)
    hydration = _choice(HYDRATION)
    fluid_intake_litres = _number(0, 20)
    fluid_restriction = _boolean()
    caffeine_cups_per_day = _number(0, 50)
    alcohol_units_per_week = _number(0, 500)
    smoker = _boolean()
    sleep_disturbed = _boolean()
    affects_daily_life = _boolean()
    footwear = _choice(FOOTWEAR)
    prolonged_standing = _boolean()
    toxin_exposure = _choices(TOXINS)
    missed_dialysis_days = _number(0, DAYS_PER_YEAR)


class MedicationSchema(StrictSchema):
    name = StrictString(required=True, validate=[Length(1, MAX_MEDICATION_NAME), NotBlank()])
    recent_change = _choice(RECENT_CHANGES)
    weeks_since_change = _number(0, WEEKS_IN_A_LIFETIME)


class AssessRequestSchema(StrictSchema):
    person = _section(PersonSchema)
    cramp = _section(CrampSchema)
    signs = _section(SignsSchema)
    context = _section(ContextSchema)
    medications = StrictList(StrictNested(MedicationSchema()), max_items=MAX_MEDICATIONS)
    conditions = _choices(CONDITIONS)
    asks_about = _choices(REMEDIES)
    self_treatment = _choices(REMEDIES)
    # Where the person is (contract v1 "region"): picks the numbers and services the answer names.
    region = _choice(REGIONS)


def walk(schema: StrictSchema, prefix: str = "") -> Iterator[tuple[str, fields.Field]]:
    """Yield (pointer template, field) for every field, depth first; array items use "-".

    Reading `Nested.schema` here also builds every nested schema once, at import, so no request
    thread ever races to build one lazily.
    """
    for name, field in schema.fields.items():
        yield from _walk_field(f"{prefix}/{name}", field)


def _walk_field(pointer: str, field: fields.Field) -> Iterator[tuple[str, fields.Field]]:
    yield pointer, field
    if isinstance(field, fields.Nested):
        yield from walk(field.schema, pointer)
    elif isinstance(field, fields.List):
        yield from _walk_field(f"{pointer}/-", field.inner)


ASSESS_REQUEST = AssessRequestSchema()
# Every pointer a request field can have, with "-" for array indices (bounded metric labels).
REQUEST_POINTERS: frozenset[str] = frozenset(pointer for pointer, _ in walk(ASSESS_REQUEST))
