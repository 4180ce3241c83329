"""The knowledge base as the engine reads it: frozen, checked content (service/content/loader.py builds it)."""
from __future__ import annotations

from dataclasses import dataclass
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
class KnowledgeBase:
    version: str
    sha256: str
    last_reviewed: str
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
