"""Languages of the content: data/locales/<tag>.toml over the base files, which are written in en-GB.

A locale file replaces texts by their address (`[rule.possible_dvt] advice = "..."`), never ids,
field names or enum values. A locale either inherits from another (en-US from en-GB, overriding only
what differs) or stands alone (es), and then must word every text the base files have: a missing,
unknown or differently templated text stops start-up naming the file and the entry. Each entry of a
translated locale says whether a clinician has reviewed it (`translation_reviewed`); the answer says
so for its locale as a whole.

Phrases (`[phrase.<name>]`) are the words that wrap the region table's numbers and services; texts
use them as `{name}` placeholders (service/content/templates.py).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from service.content.loader import KnowledgeBaseError
from service.content.models import KnowledgeBase, Presentation
from service.content.regions import Region, RegionTable
from service.content.templates import PHRASE_NAME, REGION_FIELD, TemplateError, placeholders, render

# ("rule", "possible_dvt", "advice"), ("recommendation", id, "variant", when, "detail"),
# ("field", "/cramp/side", "options", "left"), ("presentation", "page", "submit")
TextKey = tuple[str, ...]
Text = str | tuple[str, ...]  # a list of texts for cautions
# Where each kind of text lives in the base (en-GB) files.
SOURCE_FILES = {
    "level": "levels.toml", "rule": "rules.toml", "recommendation": "recommendations.toml",
    "safety_net": "safety_net.toml", "question": "questions.toml", "contraindication": "contraindications.toml",
    "kb": "kb.toml", "field": "fields.toml", "group": "presentation.toml", "presentation": "presentation.toml",
    "warning": "data_quality.toml",
}
# Texts whose {placeholders} are filled by code, not with the region table's phrases at start-up: per
# request by the HTML renderer ({version}, {min}...), and with threshold values by the engine.
PER_REQUEST = frozenset({"presentation", "warning"})
PRESENTATION_TABLES = ("page", "message", "answers", "levels", "evidence")
_TOP_LEVEL = {"locale", "name", "or", "inherits", "source"}
_FORMS = ("neutral", "region", "with_service", "without_service")
_REGION_KEY = re.compile(r"^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$")
_REGION_FIELDS = ("emergency", "service", "service_number")


@dataclass(frozen=True, slots=True)
class Phrase:
    """How one placeholder reads: region-neutral, for a region (with or without an urgent-care service),
    or for one region (and its subdivisions) in particular."""

    name: str
    neutral: str
    region: str | None
    with_service: str | None
    without_service: str | None
    by_region: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Locale:
    tag: str
    name: str
    file: str
    source: bool  # the base files are written in it
    word_or: str  # joins two emergency numbers: "112 or 999"
    texts: Mapping[TextKey, Text]  # every text, inheritance applied (templates, not yet rendered)
    phrases: Mapping[str, Phrase]
    service_names: Mapping[str, str]  # region id -> the urgent-care name in this language
    translation_reviewed: bool
    counts: Mapping[str, int]  # what this file itself words: texts, phrases, services, entries, unreviewed


def where(key: TextKey) -> str:
    """A text's address as error messages name it: rule 'possible_dvt': 'advice'."""
    if key[0] == "kb":
        return f"top level: '{key[1]}'"
    entry = f"{key[0]} '{key[1]}'"
    if len(key) == 4:
        return f"{entry}: '{key[2]}' '{key[3]}'"
    if len(key) == 5:
        entry += f" {key[2]} '{key[3]}'"
    return f"{entry}: '{key[-1]}'"


# --------------------------------------------------------------------------- texts <-> KnowledgeBase

def source_texts(kb: KnowledgeBase) -> dict[TextKey, Text]:
    """Every text an answer can show, by address, as the base files word it."""
    texts: dict[TextKey, Text] = {
        ("kb", "disclaimer"): kb.disclaimer, ("kb", "emergency_fallback"): kb.emergency_fallback,
    }
    for level_id, level in kb.levels.items():
        texts[("level", level_id, "title")] = level.title
        texts[("level", level_id, "message")] = level.message
    for rule_id, rule in kb.rules.items():
        texts[("rule", rule_id, "title")] = rule.title
        texts[("rule", rule_id, "advice")] = rule.advice
    for topic, content in kb.recommendations.items():
        for field in ("title", "detail", "evidence_note"):
            texts[("recommendation", topic, field)] = getattr(content, field)
        if content.cautions:  # (an empty list has nothing to word)
            texts[("recommendation", topic, "cautions")] = content.cautions
        for variant in content.variants:
            texts[("recommendation", topic, "variant", variant.when, "detail")] = variant.detail
            if variant.cautions:
                texts[("recommendation", topic, "variant", variant.when, "cautions")] = variant.cautions
    for item in kb.safety_net:
        texts[("safety_net", item.id, "text")] = item.text
    for pointer, question in kb.questions.items():
        texts[("question", pointer, "question")] = question
    for reason_id, reason in kb.contraindications.items():
        texts[("contraindication", reason_id, "reason")] = reason
    for pointer, words in kb.fields.items():
        for name in _FIELD_TEXTS:
            if getattr(words, name):  # ("" is "not asked", "no hint"...: nothing to word)
                texts[("field", pointer, name)] = getattr(words, name)
        for value, option in words.options.items():
            texts[("field", pointer, "options", value)] = option
    presentation = kb.presentation
    for group in presentation.groups:
        texts[("group", group.id, "title")] = group.title
        if group.hint:
            texts[("group", group.id, "hint")] = group.hint
    for table in PRESENTATION_TABLES:
        for name, words in _presentation_table(presentation, table).items():
            texts[("presentation", table, name)] = words
    for warning_id, text in kb.warnings.items():
        texts[("warning", warning_id, "text")] = text
    return texts


_FIELD_TEXTS = ("label", "question", "hint", "unit", "none", "unknown")


def _presentation_table(presentation: Presentation, table: str) -> Mapping[str, str]:
    return presentation.messages if table == "message" else getattr(presentation, table)


def with_texts(kb: KnowledgeBase, texts: Mapping[TextKey, Text]) -> KnowledgeBase:
    """The knowledge base with these texts in place of its own; everything else shared."""
    def variant_of(topic: str, variant: Any) -> Any:
        key = ("recommendation", topic, "variant", variant.when)
        return replace(variant, detail=texts[(*key, "detail")],
                       cautions=texts.get((*key, "cautions"), variant.cautions))

    return replace(
        kb,
        disclaimer=texts[("kb", "disclaimer")],
        emergency_fallback=texts[("kb", "emergency_fallback")],
        levels=MappingProxyType({
            level_id: replace(level, title=texts[("level", level_id, "title")],
                              message=texts[("level", level_id, "message")])
            for level_id, level in kb.levels.items()
        }),
        rules=MappingProxyType({
            rule_id: replace(rule, title=texts[("rule", rule_id, "title")], advice=texts[("rule", rule_id, "advice")])
            for rule_id, rule in kb.rules.items()
        }),
        recommendations=MappingProxyType({
            topic: replace(
                content,
                title=texts[("recommendation", topic, "title")],
                detail=texts[("recommendation", topic, "detail")],
                evidence_note=texts[("recommendation", topic, "evidence_note")],
                cautions=texts.get(("recommendation", topic, "cautions"), content.cautions),
                variants=tuple(variant_of(topic, v) for v in content.variants),
            )
            for topic, content in kb.recommendations.items()
        }),
        safety_net=tuple(replace(item, text=texts[("safety_net", item.id, "text")]) for item in kb.safety_net),
        questions=MappingProxyType({p: texts[("question", p, "question")] for p in kb.questions}),
        contraindications=MappingProxyType({
            reason_id: texts[("contraindication", reason_id, "reason")] for reason_id in kb.contraindications
        }),
        fields=MappingProxyType({
            pointer: replace(
                words,
                options=MappingProxyType({v: texts[("field", pointer, "options", v)] for v in words.options}),
                **{name: texts.get(("field", pointer, name), "") for name in _FIELD_TEXTS},
            )
            for pointer, words in kb.fields.items()
        }),
        presentation=replace(
            kb.presentation,
            groups=tuple(replace(group, title=texts[("group", group.id, "title")],
                                 hint=texts.get(("group", group.id, "hint"), ""))
                         for group in kb.presentation.groups),
            **{("messages" if table == "message" else table): MappingProxyType({
                name: texts[("presentation", table, name)]
                for name in _presentation_table(kb.presentation, table)
            }) for table in PRESENTATION_TABLES},
        ),
        warnings=MappingProxyType({warning_id: texts[("warning", warning_id, "text")] for warning_id in kb.warnings}),
    )


# --------------------------------------------------------------------------- reading a locale file

class _Parsed:
    """One locale file as written: its texts, phrases, service names and review flags."""

    def __init__(self, file: str, doc: Mapping[str, Any], translated: bool) -> None:
        self.file, self.translated = file, translated
        self.texts: dict[TextKey, Text] = {}
        self.phrases: dict[str, Phrase] = {}
        self.service_names: dict[str, str] = {}
        self.reviewed: dict[TextKey, bool] = {}  # per entry
        for kind, table in doc.items():
            if kind in _TOP_LEVEL:
                continue
            if not isinstance(table, dict):
                raise self.fail(f"'{kind}' must be a table")
            if kind == "phrase":
                for name, entry in table.items():
                    self.phrases[name] = self._phrase(name, entry)
            elif kind == "service":
                for region_id, entry in table.items():
                    self.service_names[region_id] = self._service(region_id, entry)
            elif kind == "kb":
                self._entry(("kb",), table)
            elif kind in SOURCE_FILES:
                for entry_id, entry in table.items():
                    if not isinstance(entry, dict):
                        raise self.fail(f"{kind} '{entry_id}' must be a table")
                    self._entry((kind, entry_id), entry)
            else:
                raise self.fail(f"unknown table [{kind}]; texts go under {', '.join(sorted(SOURCE_FILES))}")

    def fail(self, message: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(f"{self.file}: {message}")

    def _flag(self, entry: TextKey, table: Mapping[str, Any], label: str) -> None:
        if "translation_reviewed" in table:
            if not isinstance(table["translation_reviewed"], bool):
                raise self.fail(f"{label}: 'translation_reviewed' must be true or false")
            self.reviewed[entry] = table["translation_reviewed"]
        elif self.translated:
            raise self.fail(f"{label}: needs 'translation_reviewed' (false until a clinician has reviewed it)")

    def _entry(self, entry: TextKey, table: Mapping[str, Any]) -> None:
        label = "top level" if entry == ("kb",) else f"{entry[0]} '{entry[1]}'"
        self._flag(entry, table, label)
        for key, value in table.items():
            if key == "translation_reviewed":
                continue
            if key == "options" and entry[0] == "field" and isinstance(value, dict):
                for choice, text in value.items():
                    self._text((*entry, "options", choice), text)
                continue
            if key == "variant" and entry[0] == "recommendation" and isinstance(value, dict):
                for when, fields in value.items():
                    if not isinstance(fields, dict):
                        raise self.fail(f"{label} variant '{when}' must be a table")
                    for field, text in fields.items():
                        self._text((*entry, "variant", when, field), text)
                continue
            self._text((*entry, key), value)

    def _text(self, key: TextKey, value: Any) -> None:
        if isinstance(value, str) and value.strip():
            self.texts[key] = value.strip()
        elif isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
            self.texts[key] = tuple(v.strip() for v in value)
        else:
            raise self.fail(f"{where(key)} must be a non-empty string or a list of them")

    def _phrase(self, name: str, entry: Any) -> Phrase:
        label = f"phrase '{name}'"
        if not PHRASE_NAME.match(name) or not isinstance(entry, dict):
            raise self.fail(f"{label} must be a table named in lower case")
        self._flag(("phrase", name), entry, label)
        forms: dict[str, str] = {}
        by_region: dict[str, str] = {}
        for key, value in entry.items():
            if key == "translation_reviewed":
                continue
            if not isinstance(value, str):  # spaces matter here: " (A&E)" follows a word
                raise self.fail(f"{label}: '{key}' must be a string")
            if key in _FORMS:
                forms[key] = value
            elif _REGION_KEY.match(key):
                by_region[key] = value
            else:
                raise self.fail(f"{label}: unknown key '{key}' (forms: {', '.join(_FORMS)}, or a region id)")
            try:
                names = placeholders(value)
            except TemplateError as err:
                raise self.fail(f"{label}: '{key}' {err}") from None
            for placeholder in names:
                found = REGION_FIELD.match(placeholder)
                if not found or found.group("field") not in _REGION_FIELDS:
                    raise self.fail(f"{label}: '{key}' names {{{placeholder}}}; phrases use "
                                    f"{', '.join(_REGION_FIELDS)}, alone or as CODE.field")
                if key == "neutral" and not found.group("code"):
                    raise self.fail(f"{label}: 'neutral' has no region, so it must name one: "
                                    f"{{GB.{found.group('field')}}}")
        if "neutral" not in forms:
            raise self.fail(f"{label}: needs 'neutral', the wording when no region is known")
        return Phrase(name, forms["neutral"], forms.get("region"), forms.get("with_service"),
                      forms.get("without_service"), MappingProxyType(by_region))

    def _service(self, region_id: str, entry: Any) -> str:
        label = f"service '{region_id}'"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise self.fail(f"{label}: needs 'name', the urgent-care service in this language")
        self._flag(("service", region_id), entry, label)
        return str(entry["name"]).strip()


def load_locale(file: str, doc: Mapping[str, Any], tag: str, parent: Locale | None, base: Locale | None,
                source: Mapping[TextKey, Text], table: RegionTable) -> Locale:
    """One locale, checked against the base texts, the source locale `base` (None while loading the
    source locale itself) and its parent (already loaded)."""
    if doc.get("locale") != tag:
        raise KnowledgeBaseError(f"{file}: 'locale' must be {tag!r}, as its file name says")
    is_source = doc.get("source") is True
    parsed = _Parsed(file, doc, translated=not is_source)
    inherited_texts: Mapping[TextKey, Text] = parent.texts if parent else {}
    if is_source:
        if parsed.texts:
            raise KnowledgeBaseError(f"{file}: the source locale's texts are the base files; it holds only phrases")
        inherited_texts = source
    for key, text in parsed.texts.items():
        if key not in source:
            raise KnowledgeBaseError(f"{file}: {where(key)}: no such text in the base files")
        _check_like(file, key, text, source[key])
    texts = {**inherited_texts, **parsed.texts}
    missing = [key for key in source if key not in texts]
    if missing:
        raise KnowledgeBaseError(
            f"{file}: {where(missing[0])}: missing (every text of {SOURCE_FILES[missing[0][0]]} needs wording "
            f"in every locale; {len(missing)} missing in all)"
        )
    phrases = {**(parent.phrases if parent else {}), **parsed.phrases}
    if base is not None:
        unknown, absent = sorted(set(phrases) - set(base.phrases)), sorted(set(base.phrases) - set(phrases))
        if unknown:
            raise KnowledgeBaseError(f"{file}: phrase '{unknown[0]}': no such phrase in {base.file}")
        if absent:
            raise KnowledgeBaseError(f"{file}: phrase '{absent[0]}': missing (every phrase of {base.file} "
                                     "needs wording in every locale)")
    services = {**(parent.service_names if parent else {}), **parsed.service_names}
    for region_id in parsed.service_names:
        region = table.regions.get(region_id)
        if region is None or region.urgent_care is None:
            raise KnowledgeBaseError(f"{file}: service '{region_id}': no region with an urgent-care service "
                                     "has this id")
    if not is_source and parent is None:  # a locale that inherits words services as its parent does
        for region in table.regions.values():
            if region.urgent_care and region.urgent_care.translate and region.id not in services:
                raise KnowledgeBaseError(f"{file}: service '{region.id}': missing (regions.toml marks its name "
                                         "'translate', so every language words it)")
    reviewed = all(parsed.reviewed.values()) and (parent.translation_reviewed if parent else True)
    word_or = doc.get("or", parent.word_or if parent else None)
    name = doc.get("name")
    if not isinstance(word_or, str) or not word_or.strip() or not isinstance(name, str) or not name.strip():
        raise KnowledgeBaseError(f"{file}: top level: needs 'name' and 'or' (the word joining two numbers)")
    counts = {"texts": len(parsed.texts), "phrases": len(parsed.phrases), "services": len(parsed.service_names),
              "entries": len(parsed.reviewed), "unreviewed": sum(1 for ok in parsed.reviewed.values() if not ok)}
    return Locale(tag, name.strip(), file, is_source, word_or.strip(), MappingProxyType(texts),
                  MappingProxyType(phrases), MappingProxyType(services), reviewed or is_source,
                  MappingProxyType(counts))


def _check_like(file: str, key: TextKey, text: Text, original: Text) -> None:
    """A replacement keeps the shape of the base text: a list as long, the same placeholders."""
    if isinstance(original, tuple) != isinstance(text, tuple) or (
        isinstance(text, tuple) and len(text) != len(original)
    ):
        raise KnowledgeBaseError(f"{file}: {where(key)}: must be a list of {len(original)} like the base text"
                                 if isinstance(original, tuple) else f"{file}: {where(key)}: must be one string")
    pairs = zip(text, original) if isinstance(text, tuple) else [(text, original)]
    for mine, theirs in pairs:
        try:
            names, expected = set(placeholders(mine)), set(placeholders(str(theirs)))
        except TemplateError as err:
            raise KnowledgeBaseError(f"{file}: {where(key)} {err}") from None
        if names != expected:
            raise KnowledgeBaseError(
                f"{file}: {where(key)}: placeholders {sorted(names)} differ from the base text's {sorted(expected)}"
            )


# --------------------------------------------------------------------------- phrases for one region

def phrase_values(locale: Locale, region: Region | None, table: RegionTable) -> dict[str, str]:
    """Every phrase of the locale, worded for this region (None: region-neutral)."""
    values = {}
    for name, phrase in locale.phrases.items():
        template = phrase.neutral if region is None else _form(phrase, region)
        if template is None:
            raise KnowledgeBaseError(f"{locale.file}: phrase '{name}' has no wording for region '{region.id}' "
                                     "(give 'region', or 'with_service' and 'without_service')")
        fields: dict[str, str] = {}
        for placeholder in placeholders(template):
            found = REGION_FIELD.match(placeholder)
            assert found is not None  # checked when the file was read
            target = table.find(found.group("code")) if found.group("code") else region
            if target is None:
                raise KnowledgeBaseError(f"{locale.file}: phrase '{name}' names {{{placeholder}}}: no such region")
            fields[placeholder] = _field(locale, target, found.group("field"), f"phrase '{name}'")
        values[name] = render(template, fields)
    return values


def _form(phrase: Phrase, region: Region) -> str | None:
    matching = [key for key in phrase.by_region if region.id == key or region.id.startswith(key + "-")]
    if matching:
        return phrase.by_region[max(matching, key=len)]
    if region.urgent_care is not None and phrase.with_service is not None:
        return phrase.with_service
    if region.urgent_care is None and phrase.without_service is not None:
        return phrase.without_service
    return phrase.region


def _field(locale: Locale, region: Region, field: str, label: str) -> str:
    if field == "emergency":
        return f" {locale.word_or} ".join(region.emergency)
    care = region.urgent_care
    if care is None:
        raise KnowledgeBaseError(f"{locale.file}: {label} names the urgent-care service of region '{region.id}', "
                                 "which has none (use 'without_service')")
    if field == "service_number":
        if not care.number:
            raise KnowledgeBaseError(f"{locale.file}: {label} names the number of region '{region.id}'s "
                                     "urgent-care service, which has none")
        return care.number
    return replace(care, name=locale.service_names.get(region.id, care.name)).label
