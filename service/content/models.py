"""The knowledge base as the engine reads it: frozen, checked content (service/content/loader.py builds it)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    label: str
    url: str
    publisher: str
    published: str
    seen_via: str


@dataclass(frozen=True, slots=True)
class RuleContent:
    id: str
    guidance_id: str
    level: str
    title: str
    trigger: str  # the guidance trigger in plain words, for the rulebook; the engine does not read it
    advice: str
    sources: tuple[Mapping[str, str], ...]
    evidence: str
    last_reviewed: str


@dataclass(frozen=True, slots=True)
class Variant:
    when: str
    detail: str
    cautions: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class RecommendationContent:
    id: str
    category: str
    title: str
    detail: str
    evidence: str
    evidence_note: str
    sources: tuple[Mapping[str, str], ...]
    last_reviewed: str
    at_emergency: bool
    suppressed_when: frozenset[str]
    cautions: tuple[str, ...]
    variants: tuple[Variant, ...]


@dataclass(frozen=True, slots=True)
class SafetyNetItem:
    id: str
    level: str
    text: str
    rules: frozenset[str]


@dataclass(frozen=True, slots=True)
class LevelContent:
    id: str
    rank: int
    act_within: str | None
    title: str
    message: str


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The numbers rules compare answers with (data/thresholds.toml), one attribute per threshold id."""

    fever_c: float
    heatstroke_c: float
    fast_heart_rate: float
    fast_heart_rate_from_age: float
    adult_age: float
    aspirin_from_age: float
    prolonged_cramp_minutes: float
    severe_pain: float
    frequent_cramps_per_week: float
    heavy_alcohol_units_per_week: float
    long_journey_hours: float
    recent_surgery_days: float
    immobile_days: float
    postpartum_weeks: float
    long_endurance_event_hours: float
    heavy_fluid_intake_litres: float
    low_fluid_intake_litres: float
    caffeine_cups_per_day: float
    new_medicine_weeks: float
    child_one_sided_pain_hours: float
    growing_pains_from_age: float
    growing_pains_to_age: float
    implausible_cramp_minutes: float
    implausible_cramps_per_week: float
    implausible_pregnancy_age: float

    @classmethod
    def ids(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True, slots=True)
class ThresholdContent:
    """One threshold as the rulebook shows it: its value and unit, what it means, and its basis."""

    id: str
    value: float
    unit: str
    meaning: str
    basis: str  # a source id, or "interpretation"
    note: str


@dataclass(frozen=True, slots=True)
class FieldText:
    """Plain words for one request field (data/fields.toml): what the form asks, what "because" repeats."""

    pointer: str
    label: str
    question: str  # "" when the questionnaire does not ask it
    hint: str
    unit: str
    options: Mapping[str, str]  # allowed value -> plain words (choices only)
    none: str  # lists: the "none of these" answer ("" when not offered)
    unknown: str  # the "don't know" radio's words when the usual ones do not fit ("" otherwise)


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """One fieldset of the questionnaire: a title, an optional hint, and its fields in order."""

    id: str
    title: str
    hint: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Presentation:
    """Words the HTML answer and the questionnaire build from (data/presentation.toml)."""

    page: Mapping[str, str]  # the pages' own words by name (service/render/words.py lists those it needs)
    messages: Mapping[str, str]  # error messages by name, as the service words them in en-GB (templates)
    answers: Mapping[str, str]  # yes, no, unknown
    levels: Mapping[str, str]  # level id -> the level in words
    evidence: Mapping[str, str]  # evidence grade or rule evidence -> words
    groups: tuple[QuestionGroup, ...]

    @property
    def attribution(self) -> str:
        return self.page["attribution"]

    @property
    def unnamed_medicine(self) -> str:
        """The name a questionnaire medicine row gets when only its change was given."""
        return self.page["unnamed_medicine"]


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    version: str
    sha256: str
    last_reviewed: str
    next_review_due: str
    disclaimer: str
    emergency_fallback: str
    sources: Mapping[str, Source]
    levels: Mapping[str, LevelContent]
    rules: Mapping[str, RuleContent]
    recommendations: Mapping[str, RecommendationContent]
    safety_net: tuple[SafetyNetItem, ...]
    questions: Mapping[str, str]
    contraindications: Mapping[str, str]
    medication_entries: tuple[Mapping[str, Any], ...]
    thresholds: Thresholds
    threshold_content: Mapping[str, ThresholdContent]
    fields: Mapping[str, FieldText]
    presentation: Presentation
    warnings: Mapping[str, str]  # data-quality warning texts by id ({threshold ids} not yet filled)
