"""Load the knowledge-base files once, check them, and freeze them into service/content/models.py's types.

A broken file must stop start-up with a message naming the file and the entry: a service that
answers from half-loaded clinical content is worse than one that does not start.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from service.content.models import (
    FieldText,
    KnowledgeBase,
    LevelContent,
    Presentation,
    QuestionGroup,
    RecommendationContent,
    RuleContent,
    SafetyNetItem,
    Source,
    ThresholdContent,
    Thresholds,
    Variant,
)
from service.content.vocabulary import (
    CONTRAINDICATIONS,
    EVIDENCE_GRADES,
    LEVELS,
    RULE_EVIDENCE,
    TOPIC_CATEGORIES,
    TOPIC_IDS,
)

DEFAULT_DATA_DIR = Path(__file__).with_name("data")
FILES = (
    "kb.toml", "sources.toml", "levels.toml", "rules.toml", "recommendations.toml",
    "safety_net.toml", "questions.toml", "contraindications.toml", "medications.toml", "thresholds.toml",
    "fields.toml", "presentation.toml", "data_quality.toml",
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DURATION = re.compile(r"^P(?:T\d+[HMS]|\d+[DW])$")
_SOURCE_ID = re.compile(r"^S\d+$")
_POINTER = re.compile(r"^(/[a-z_]+)+$")
_FIELD_POINTER = re.compile(r"^(/[a-z_]+)(/[a-z_]+|/-)*$")  # a request field; "-" for array items
# Mirrors and copies the guidance was read through; the service cites publishers only.
_CANONICAL_HOST = re.compile(
    r"^https://(?:[a-z0-9-]+\.)*(?:nhs\.uk|nice\.org\.uk|aafp\.org|cochranelibrary\.com|merckmanuals\.com|"
    r"msdmanuals\.com|mayoclinic\.org|ncbi\.nlm\.nih\.gov|fda\.gov|gov\.uk|rcog\.org\.uk|nidirect\.gov\.uk|"
    r"cdc\.gov|neurology\.org|nih\.gov|nap\.edu|nationalacademies\.org|edtnaerca\.org|triagelogic\.com|"
    r"chp\.edu|cleartriage\.com|duodecim\.fi|ebmg\.fi|bmj\.com|oup\.com|sciencedirect\.com|"
    r"jphysio\.com|jamanetwork\.com|bjgp\.org|natajournals\.org|wiley\.com|hscni\.net)(?:/|$)"
)


class KnowledgeBaseError(Exception):
    """Raised with a message that names the file and entry at fault."""


class _Reader:
    """Typed access to one TOML entry that reports the file and entry id on any fault."""

    def __init__(self, file: str, entry: Mapping[str, Any], where: str) -> None:
        self.file, self.entry, self.where = file, entry, where

    def fail(self, message: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(f"{self.file}: {self.where}: {message}")

    def text(self, key: str, *, optional: bool = False) -> str:
        value = self.entry.get(key)
        if value is None and optional:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"'{key}' must be a non-empty string")
        return value.strip()

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(f"'{key}' must be a list of non-empty strings")
        return tuple(v.strip() for v in value)

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.text(key)
        if value not in allowed:
            raise self.fail(f"'{key}' is {value!r}, expected one of {', '.join(allowed)}")
        return value

    def date(self, key: str) -> str:
        value = self.text(key)
        if not _DATE.match(value):
            raise self.fail(f"'{key}' must be a date YYYY-MM-DD")
        return value

    def words(self, key: str, *, optional: bool = False) -> dict[str, str]:
        """A table of plain words: {id: non-empty string}."""
        value = self.entry.get(key)
        if value is None and optional:
            return {}
        if not isinstance(value, dict) or not value or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
        ):
            raise self.fail(f"'{key}' must be a table of non-empty strings")
        return {k: v.strip() for k, v in value.items()}

    def flag(self, key: str) -> bool:
        value = self.entry.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"'{key}' must be true or false")
        return value


def _entries(file: str, doc: Mapping[str, Any], key: str) -> list[_Reader]:
    raw = doc.get(key)
    if not isinstance(raw, list) or not raw:
        raise KnowledgeBaseError(f"{file}: needs at least one [[{key}]] entry")
    readers: list[_Reader] = []
    seen: set[str] = set()
    for position, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            raise KnowledgeBaseError(f"{file}: {key} #{position} is not a table")
        ident = entry.get("id", entry.get("field", entry.get("pointer")))
        where = f"{key} '{ident}'" if isinstance(ident, str) else f"{key} #{position}"
        reader = _Reader(file, entry, where)
        if isinstance(ident, str):
            if ident in seen:
                raise reader.fail("duplicate id")
            seen.add(ident)
        readers.append(reader)
    return readers


def _cite(reader: _Reader, sources: Mapping[str, Source]) -> tuple[Mapping[str, str], ...]:
    ids = reader.texts("sources")
    if not ids:
        raise reader.fail("needs at least one source")
    cited = []
    for source_id in ids:
        if source_id not in sources:
            raise reader.fail(f"cites unknown source {source_id!r}")
        source = sources[source_id]
        cited.append(MappingProxyType({"label": source.label, "url": source.url}))
    return tuple(cited)


def _load_sources(file: str, doc: Mapping[str, Any]) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for r in _entries(file, doc, "source"):
        source_id = r.text("id")
        if not _SOURCE_ID.match(source_id):
            raise r.fail("id must look like S12")
        url = r.text("url")
        if not _CANONICAL_HOST.match(url):
            raise r.fail(f"url {url!r} is not an https URL on a known publisher's own site")
        sources[source_id] = Source(
            source_id, r.text("label"), url, r.text("publisher"),
            r.text("published", optional=True), r.text("seen_via", optional=True),
        )
    return sources


def _load_levels(file: str, doc: Mapping[str, Any]) -> dict[str, LevelContent]:
    table = doc.get("level")
    if not isinstance(table, dict) or set(table) != set(LEVELS):
        raise KnowledgeBaseError(f"{file}: needs exactly the levels {', '.join(LEVELS)}")
    levels = {}
    for name in LEVELS:
        r = _Reader(file, table[name], f"level '{name}'")
        rank = r.entry.get("rank")
        if rank != LEVELS.index(name):
            raise r.fail(f"'rank' must be {LEVELS.index(name)}")
        raw_act_within = r.entry.get("act_within")
        act_within = r.text("act_within") if raw_act_within not in (None, "") else None
        if act_within is not None and not _DURATION.match(act_within):
            raise r.fail("'act_within' must be an ISO-8601 duration such as PT12H or P3D")
        if (act_within is None) != (name == "self_care"):
            raise r.fail("only self_care has no 'act_within'")
        levels[name] = LevelContent(name, rank, act_within, r.text("title"), r.text("message"))
    return levels


def _load_rules(file: str, doc: Mapping[str, Any], sources: Mapping[str, Source]) -> dict[str, RuleContent]:
    rules = {}
    for r in _entries(file, doc, "rule"):
        guidance_id = r.text("guidance_id")
        if not re.match(r"^[EUGR]\d+$", guidance_id):
            raise r.fail("'guidance_id' must look like E1, U11, G2 or R7")
        rules[r.text("id")] = RuleContent(
            r.text("id"), guidance_id, r.choice("level", LEVELS[1:]), r.text("title"), r.text("trigger"),
            r.text("advice"),
            _cite(r, sources), r.choice("evidence", RULE_EVIDENCE), r.date("last_reviewed"),
        )
    return rules


def _load_recommendations(
    file: str, doc: Mapping[str, Any], sources: Mapping[str, Source]
) -> dict[str, RecommendationContent]:
    recommendations = {}
    for r in _entries(file, doc, "recommendation"):
        topic = r.choice("id", tuple(sorted(TOPIC_IDS)))
        category = r.choice("category", tuple(TOPIC_CATEGORIES))
        if topic not in TOPIC_CATEGORIES[category]:
            raise r.fail(f"belongs to category {_category_of(topic)!r}, not {category!r}")
        suppressed = frozenset(r.texts("suppressed_when"))
        unknown = suppressed - set(CONTRAINDICATIONS)
        if unknown:
            raise r.fail(f"'suppressed_when' names unknown contraindications {sorted(unknown)}")
        variants = []
        for position, raw in enumerate(r.entry.get("variant", []), start=1):
            v = _Reader(file, raw, f"{r.where} variant #{position}")
            when = v.choice("when", CONTRAINDICATIONS)
            cautions = v.texts("cautions") if "cautions" in raw else None
            variants.append(Variant(when, v.text("detail"), cautions))
        recommendations[topic] = RecommendationContent(
            topic, category, r.text("title"), r.text("detail"), r.choice("evidence", EVIDENCE_GRADES),
            r.text("evidence_note"), _cite(r, sources), r.date("last_reviewed"), r.flag("at_emergency"),
            suppressed, r.texts("cautions"), tuple(variants),
        )
    missing = TOPIC_IDS - set(recommendations)
    if missing:
        raise KnowledgeBaseError(f"{file}: no content for topics {sorted(missing)}")
    return recommendations


def _category_of(topic: str) -> str:
    return next(c for c, topics in TOPIC_CATEGORIES.items() if topic in topics)


def _load_safety_net(file: str, doc: Mapping[str, Any], rule_ids: set[str]) -> tuple[SafetyNetItem, ...]:
    items = []
    for r in _entries(file, doc, "item"):
        rules = frozenset(r.texts("rules"))
        if rules - rule_ids:
            raise r.fail(f"names unknown rules {sorted(rules - rule_ids)}")
        items.append(SafetyNetItem(r.text("id"), r.choice("level", LEVELS[1:]), r.text("text"), rules))
    if not any(not item.rules and item.level == "emergency" for item in items):
        raise KnowledgeBaseError(f"{file}: needs an emergency item with no rules, for answers that are already emergencies")
    return tuple(items)


def _load_questions(file: str, doc: Mapping[str, Any]) -> dict[str, str]:
    questions = {}
    for r in _entries(file, doc, "question"):
        field = r.text("field")
        if not _POINTER.match(field):
            raise r.fail("'field' must be a JSON Pointer such as /signs/chest_pain")
        questions[field] = r.text("question")
    return questions


def _load_contraindications(file: str, doc: Mapping[str, Any]) -> dict[str, str]:
    reasons = {r.choice("id", CONTRAINDICATIONS): r.text("reason") for r in _entries(file, doc, "contraindication")}
    missing = set(CONTRAINDICATIONS) - set(reasons)
    if missing:
        raise KnowledgeBaseError(f"{file}: no reason for contraindications {sorted(missing)}")
    return reasons


def _load_warnings(file: str, doc: Mapping[str, Any]) -> dict[str, str]:
    """The data-quality warning texts by id; their {placeholders} may name thresholds only."""
    table = doc.get("warning")
    if not isinstance(table, dict) or not table:
        raise KnowledgeBaseError(f"{file}: needs [warning.<id>] tables")
    texts = {}
    for warning_id, entry in table.items():
        r = _Reader(file, entry if isinstance(entry, dict) else {}, f"warning '{warning_id}'")
        text = texts[warning_id] = r.text("text")
        unknown = [name for name in re.findall(r"\{([^{}]*)\}", text) if name not in Thresholds.ids()]
        if unknown:
            raise r.fail(f"names {{{unknown[0]}}}; a warning's placeholders are threshold ids of thresholds.toml")
    return texts


def _load_thresholds(file: str, doc: Mapping[str, Any], sources: Mapping[str, Source]) -> dict[str, ThresholdContent]:
    found = {}
    for r in _entries(file, doc, "threshold"):
        value = r.entry.get("value")
        if type(value) not in (int, float):
            raise r.fail("'value' must be a number")
        basis = r.text("basis")
        if basis != "interpretation" and basis not in sources:
            raise r.fail(f"'basis' must be a source id from sources.toml or \"interpretation\", not {basis!r}")
        threshold_id = r.text("id")
        found[threshold_id] = ThresholdContent(threshold_id, float(value), r.text("unit"), r.text("meaning"), basis,
                                               r.text("note", optional=True))
    expected = set(Thresholds.ids())
    if set(found) != expected:
        raise KnowledgeBaseError(f"{file}: thresholds missing {sorted(expected - set(found))}, "
                                 f"unknown {sorted(set(found) - expected)}")
    return found


def _load_fields(file: str, doc: Mapping[str, Any]) -> dict[str, FieldText]:
    """Shape only: that every request field has words is checked against the schema by the renderer."""
    found = {}
    for r in _entries(file, doc, "field"):
        pointer = r.text("pointer")
        if not _FIELD_POINTER.match(pointer):
            raise r.fail("'pointer' must be a JSON Pointer such as /signs/chest_pain or /medications/-/name")
        if pointer in found:
            raise r.fail("duplicate pointer")
        found[pointer] = FieldText(
            pointer, r.text("label"), r.text("question", optional=True), r.text("hint", optional=True),
            r.text("unit", optional=True), MappingProxyType(r.words("options", optional=True)),
            r.text("none", optional=True), r.text("unknown", optional=True),
        )
    return found


def _exactly(r: _Reader, key: str, ids: tuple[str, ...]) -> dict[str, str]:
    table = r.words(key)
    if set(table) != set(ids):
        raise r.fail(f"'{key}' needs exactly {', '.join(ids)}")
    return table


def _load_presentation(
    file: str, doc: Mapping[str, Any], fields: Mapping[str, FieldText], questions: Mapping[str, str]
) -> Presentation:
    top = _Reader(file, doc, "top level")
    groups = []
    asked: set[str] = set()
    for r in _entries(file, doc, "group"):
        pointers = r.texts("fields")
        if not pointers:
            raise r.fail("'fields' must list at least one field")
        for pointer in pointers:
            if pointer not in fields:
                raise r.fail(f"field {pointer!r} has no entry in fields.toml")
            if not fields[pointer].question:
                raise r.fail(f"field {pointer!r} has no 'question' in fields.toml")
            if pointer in asked:
                raise r.fail(f"field {pointer!r} is asked twice")
            asked.add(pointer)
        groups.append(QuestionGroup(r.text("id"), r.text("title"), r.text("hint", optional=True), pointers))
    # A follow-up question's answer must be correctable on the questionnaire when it is refused.
    missing = set(questions) - asked
    if missing:
        raise KnowledgeBaseError(f"{file}: questions.toml asks about fields no group has: {sorted(missing)}")
    return Presentation(
        page=MappingProxyType(top.words("page")),
        messages=MappingProxyType(top.words("message")),
        answers=MappingProxyType(_exactly(top, "answers", ("yes", "no", "unknown"))),
        levels=MappingProxyType(_exactly(top, "levels", LEVELS)),
        evidence=MappingProxyType(_exactly(top, "evidence", EVIDENCE_GRADES + RULE_EVIDENCE)),
        groups=tuple(groups),
    )


def _read(directory: Path, digest: "hashlib._Hash") -> dict[str, Mapping[str, Any]]:
    docs: dict[str, Mapping[str, Any]] = {}
    for name in FILES:
        path = directory / name
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise KnowledgeBaseError(f"{name}: cannot be read ({err.strerror})") from None
        digest.update(name.encode() + b"\0" + raw + b"\0")
        try:
            docs[name] = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise KnowledgeBaseError(f"{name}: not valid TOML: {err}") from None
    return docs


def load_knowledge_base(directory: Path = DEFAULT_DATA_DIR) -> KnowledgeBase:
    """Read every content file, check every cross-reference, and return frozen content."""
    digest = hashlib.sha256()
    docs = _read(directory, digest)
    kb = _Reader("kb.toml", docs["kb.toml"], "top level")
    sources = _load_sources("sources.toml", docs["sources.toml"])
    rules = _load_rules("rules.toml", docs["rules.toml"], sources)
    medications = docs["medications.toml"].get("drug_class")
    if not isinstance(medications, list) or not medications:
        raise KnowledgeBaseError("medications.toml: needs at least one [[drug_class]] entry")
    for position, entry in enumerate(medications, start=1):
        r = _Reader("medications.toml", entry, f"drug_class '{entry.get('id', position)}'")
        _cite(r, sources)
    thresholds = _load_thresholds("thresholds.toml", docs["thresholds.toml"], sources)
    fields = _load_fields("fields.toml", docs["fields.toml"])
    questions = _load_questions("questions.toml", docs["questions.toml"])
    if kb.date("next_review_due") <= kb.date("last_reviewed"):
        raise kb.fail("'next_review_due' must come after 'last_reviewed'")
    return KnowledgeBase(
        version=kb.text("version"),
        sha256=digest.hexdigest(),
        last_reviewed=kb.date("last_reviewed"),
        next_review_due=kb.date("next_review_due"),
        disclaimer=kb.text("disclaimer"),
        emergency_fallback=kb.text("emergency_fallback"),
        sources=MappingProxyType(sources),
        levels=MappingProxyType(_load_levels("levels.toml", docs["levels.toml"])),
        rules=MappingProxyType(rules),
        recommendations=MappingProxyType(
            _load_recommendations("recommendations.toml", docs["recommendations.toml"], sources)
        ),
        safety_net=_load_safety_net("safety_net.toml", docs["safety_net.toml"], set(rules)),
        questions=MappingProxyType(questions),
        contraindications=MappingProxyType(
            _load_contraindications("contraindications.toml", docs["contraindications.toml"])
        ),
        medication_entries=tuple(MappingProxyType(dict(e)) for e in medications),
        thresholds=Thresholds(**{key: content.value for key, content in thresholds.items()}),
        threshold_content=MappingProxyType(thresholds),
        fields=MappingProxyType(fields),
        presentation=_load_presentation("presentation.toml", docs["presentation.toml"], fields, questions),
        warnings=MappingProxyType(_load_warnings("data_quality.toml", docs["data_quality.toml"])),
    )
