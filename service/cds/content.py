"""Load and check the CDS Hooks content files (service/cds/data/*.toml) once, at start-up.

Like the knowledge base, a bad entry stops start-up with a message naming the file and the entry:
a code that maps to a drug class the lexicon lacks, a guidance source id that does not exist, a
SNOMED CT id whose check digit is wrong, a card summary too long for CDS Hooks.

cards.toml is written in English (en-GB); cards.<language>.toml (cards.es.toml) carries the same
statements in another language, entry by entry, each marked `translation_reviewed` until a clinician
has reviewed it. Every statement must be there, with exactly the English {placeholders}; sources,
rules and the code mapping are cards.toml's and codes.toml's, shared by every language.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from schemas.request import CONDITIONS
from service.advice.medications import MedicationLexicon, tokens
from service.cds.codes import SYSTEM_NAMES, code_ok, normalise
from service.content import KnowledgeBase, KnowledgeBaseError
from service.content.templates import placeholders as text_placeholders
from service.content.templates import render

DATA_DIR = Path(__file__).with_name("data")
# Card kinds in a fixed order: a card's uuid carries its kind's position (service/cds/ids.py), so
# feedback can be counted by kind without any state. Append new kinds; never reorder.
CARD_KINDS = (
    "cramp_medicines", "potassium_magnesium_caution", "nsaid_caution", "quinine_on_record",
    "what_to_check", "guidance_flag", "quinine_order",
)
SERVICES = ("leg-cramp-review", "quinine-for-cramps")
SUPPLEMENTS = ("potassium", "magnesium")  # the request's self_treatment values G5 reads
INDICATORS = ("info", "warning", "critical")
SUMMARY_MAX = 139  # CDS Hooks 2.0: "<140-character summary"
SOURCE_LANGUAGE = "en"  # cards.toml's; a translation is cards.<language>.toml
LONGEST_COUNT = "50"  # the most a summary's {count} can be (chart.MAX_MEDICINES)
# Words the cards use besides statements: the source list's heading, fall-backs for record data
# without a name, and the line saying a card's wording is not yet reviewed in its language.
WORDS = ("sources", "no_value", "unnamed_condition", "unnamed_medicine", "quinine", "unreviewed")
_SOURCE = re.compile(r"^S[1-9][0-9]*$")
_CODE = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
# The {placeholders} the renderer fills, by (card, text); "*" for every card.
FILLED: dict[tuple[str, str], frozenset[str]] = {
    ("*", "summary_one"): frozenset({"count"}), ("*", "summary_many"): frozenset({"count"}),
    ("guidance_flag", "summary_one"): frozenset({"count", "title", "guidance_id"}),
    ("guidance_flag", "summary_many"): frozenset({"count", "title", "guidance_id"}),
    ("cramp_medicines", "unrecognised"): frozenset({"count"}), ("what_to_check", "results_missing"): frozenset({"labs"}),
    ("quinine_order", "action"): frozenset({"resource"}),
}
# Extra fields some cards carry: "text" a string, "statement" {text, sources}, "ids" a list of strings.
_EXTRA: dict[str, dict[str, str]] = {
    "cramp_medicines": {"statin": "statement", "unrecognised": "text"},
    "nsaid_caution": {"recorded_heading": "text", "recorded_conditions": "ids", "recorded_classes": "ids",
                      "recorded_pregnancy": "flag"},
    "what_to_check": {"conditions_heading": "text", "linked_conditions": "ids", "results_heading": "text", "results_missing": "text",
                      "results_not_sent": "text", "link_label": "text"},
    "quinine_order": {"suggestion": "text", "action": "text"},
}


class CdsContentError(KnowledgeBaseError):
    """A CDS content file is wrong; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Statement:
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServiceContent:
    id: str
    hooks: tuple[str, ...]
    title: str
    description: str
    usage_requirements: str


@dataclass(frozen=True, slots=True)
class CardContent:
    id: str
    service: str
    topic: str  # the display of the card's topic coding (its kind)
    source: str  # the guidance source id shown as the card's source; "" = the flag's own first source
    rules: tuple[str, ...]
    summary_one: str
    summary_many: str
    heading: str
    statements: tuple[Statement, ...]
    indicator: str | None
    extra: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Association:
    id: str  # the first class of its [[association]] entry, which names the entry in a translation
    strength: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LabKind:
    id: str
    label: str
    basis: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CodeMaps:
    """Everything the FHIR-to-facts mapping reads, keyed by canonical system URI."""

    systems: Mapping[str, str]  # name -> canonical URI
    cramp_prefixes: Mapping[str, tuple[str, ...]]  # URI -> normalised ICD-10 prefixes
    cramp_words: frozenset[str]
    site_words: frozenset[str]
    not_words: frozenset[str]
    condition_prefixes: Mapping[str, tuple[tuple[str, str], ...]]  # ICD URIs -> (prefix, condition)
    condition_codes: Mapping[tuple[str, str], str]  # (URI, exact code) -> condition
    condition_basis: Mapping[str, tuple[str, ...]]
    atc: tuple[tuple[str, frozenset[str], str], ...]  # (prefix, classes, a lexicon name for exactly them)
    supplement_atc: tuple[tuple[str, str], ...]  # (prefix, supplement)
    supplement_names: tuple[tuple[tuple[str, ...], str], ...]  # (phrase tokens, supplement)
    labs: Mapping[str, LabKind]  # LOINC code -> kind
    lab_kinds: tuple[LabKind, ...]


@dataclass(frozen=True, slots=True)
class CdsContent:
    codes: CodeMaps
    services: Mapping[str, ServiceContent]
    cards: Mapping[str, CardContent]
    override_reasons: tuple[Mapping[str, str], ...]
    associations: Mapping[str, Association]
    last_reviewed: str
    words: Mapping[str, str]
    language: str = SOURCE_LANGUAGE  # the cards' language: "en", or a translation's ("es")
    translation_reviewed: bool = True  # every entry of the translation reviewed by a clinician
    class_labels: Mapping[str, str] = field(default_factory=dict)  # drug class -> label, where the lexicon's is English
    lab_labels: Mapping[str, str] = field(default_factory=dict)  # lab kind -> label in this language

    def lab_label(self, kind: LabKind) -> str:
        return self.lab_labels.get(kind.id, kind.label)


class _Entry:
    """Typed access to one TOML table that reports the file and entry on any fault."""

    def __init__(self, file: str, where: str, entry: Any) -> None:
        if not isinstance(entry, dict):
            raise CdsContentError(f"{file}: {where}: is not a table")
        self.file, self.where, self.entry = file, where, entry

    def fail(self, message: str) -> CdsContentError:
        return CdsContentError(f"{self.file}: {self.where}: {message}")

    def text(self, key: str, *, empty: bool = False) -> str:
        value = self.entry.get(key)
        if not isinstance(value, str) or (not empty and not value.strip()):
            raise self.fail(f"'{key}' must be a non-empty string")
        return value.strip()

    def texts(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        value = self.entry.get(key, [] if not required else None)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(f"'{key}' must be a list of non-empty strings")
        if required and not value:
            raise self.fail(f"'{key}' must not be empty")
        return tuple(v.strip() for v in value)

    def sources(self, kb: KnowledgeBase, key: str = "sources") -> tuple[str, ...]:
        ids = self.texts(key)
        for source_id in ids:
            if not _SOURCE.match(source_id) or source_id not in kb.sources:
                raise self.fail(f"'{key}' names {source_id!r}, which is not a source in sources.toml")
        return ids

    def statement(self, kb: KnowledgeBase, value: Any, where: str) -> Statement:
        entry = _Entry(self.file, f"{self.where} {where}", value)
        return Statement(entry.text("text"), entry.sources(kb))


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise CdsContentError(f"{path.name}: cannot be read ({err.strerror})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise CdsContentError(f"{path.name}: not valid TOML: {err}") from None


def _tables(file: str, doc: Mapping[str, Any], key: str) -> list[_Entry]:
    raw = doc.get(key)
    if not isinstance(raw, list) or not raw:
        raise CdsContentError(f"{file}: needs at least one [[{key}]] entry")
    found = []
    for position, entry in enumerate(raw, start=1):
        ident = entry.get("id", entry.get("prefix", entry.get("code"))) if isinstance(entry, dict) else None
        found.append(_Entry(file, f"{key} {ident!r}" if isinstance(ident, str) else f"{key} #{position}", entry))
    return found


def _codes_of(entry: _Entry, name: str, *, key: str = "", required: bool = False) -> tuple[str, ...]:
    """The codes under `key` (default: the system's name), each checked against the system's syntax."""
    codes = entry.texts(key or name, required=required)
    for code in codes:
        if not code_ok(name, code):
            raise entry.fail(f"{name} code {code!r} is not a valid {name} code")
    return codes


def load_codes(kb: KnowledgeBase, lexicon: MedicationLexicon, directory: Path = DATA_DIR) -> CodeMaps:
    file = "codes.toml"
    doc = _read(directory / file)
    raw_systems = doc.get("system")
    if not isinstance(raw_systems, dict) or set(raw_systems) != set(SYSTEM_NAMES):
        raise CdsContentError(f"{file}: [system] must name exactly {', '.join(SYSTEM_NAMES)}")
    systems = {name: _Entry(file, "[system]", raw_systems).text(name) for name in SYSTEM_NAMES}
    code_sources = {e.text("id"): (e.text("label"), e.text("url")) for e in _tables(file, doc, "code_source")}

    cramp: dict[str, list[str]] = {}
    for e in _tables(file, doc, "cramp_problem"):
        system = e.text("system")
        if system not in ("icd10", "icd10cm"):
            raise e.fail("'system' must be icd10 or icd10cm (other systems are matched by words)")
        if e.text("code_source") not in code_sources:
            raise e.fail("'code_source' names no [[code_source]]")
        e.sources(kb, "basis")
        cramp.setdefault(systems[system], []).extend(normalise(c) for c in _codes_of(e, system, key="codes", required=True))
    words = _Entry(file, "[cramp_words]", doc.get("cramp_words"))
    words.sources(kb, "basis")

    prefixes: dict[str, list[tuple[str, str]]] = {}
    exact: dict[tuple[str, str], str] = {}
    basis: dict[str, tuple[str, ...]] = {}
    for e in _tables(file, doc, "condition"):
        condition = e.text("id")
        if condition not in CONDITIONS:
            raise e.fail(f"'id' must be a request condition ({', '.join(CONDITIONS)})")
        basis[condition] = e.sources(kb, "basis")
        for name in ("icd10", "icd10cm"):
            for code in _codes_of(e, name):
                prefixes.setdefault(systems[name], []).append((normalise(code), condition))
        for code in _codes_of(e, "snomed"):
            exact[(systems["snomed"], code)] = condition

    atc = []
    for e in _tables(file, doc, "atc"):
        prefix = e.text("prefix")
        if not code_ok("atc", prefix):
            raise e.fail(f"{prefix!r} is not an ATC code or level")
        classes = frozenset(e.texts("classes"))
        unknown = classes - lexicon.class_ids
        if unknown:
            raise e.fail(f"classes {sorted(unknown)} are not drug classes in medications.toml")
        atc.append((prefix, classes, _term(e, kb, lexicon, classes)))

    supplement_atc, supplement_names = [], []
    for e in _tables(file, doc, "supplement"):
        supplement = e.text("id")
        if supplement not in SUPPLEMENTS:
            raise e.fail(f"'id' must be one of {', '.join(SUPPLEMENTS)}")
        e.sources(kb, "basis")
        supplement_atc.extend((prefix, supplement) for prefix in _codes_of(e, "atc", required=True))
        supplement_names.extend((tuple(tokens(name)), supplement) for name in e.texts("names"))

    labs: dict[str, LabKind] = {}
    kinds = []
    for e in _tables(file, doc, "lab"):
        kind = LabKind(e.text("id"), e.text("label"), e.sources(kb, "basis"))
        kinds.append(kind)
        for code in _codes_of(e, "loinc", required=True):
            if code in labs:
                raise e.fail(f"LOINC {code} is already mapped")
            labs[code] = kind

    return CodeMaps(
        systems=MappingProxyType(systems),
        cramp_prefixes=MappingProxyType({uri: tuple(p) for uri, p in cramp.items()}),
        cramp_words=frozenset(words.texts("cramp")), site_words=frozenset(words.texts("site")),
        not_words=frozenset(words.texts("not")),
        condition_prefixes=MappingProxyType({uri: tuple(p) for uri, p in prefixes.items()}),
        condition_codes=MappingProxyType(exact), condition_basis=MappingProxyType(basis),
        atc=tuple(sorted(atc, key=lambda item: item[0])),
        supplement_atc=tuple(supplement_atc), supplement_names=tuple(supplement_names),
        labs=MappingProxyType(labs), lab_kinds=tuple(kinds),
    )


def _term(e: _Entry, kb: KnowledgeBase, lexicon: MedicationLexicon, classes: frozenset[str]) -> str:
    """A lexicon name that means exactly these classes.

    A medicine known by its ATC code whose written name the lexicon does not recognise reaches the
    engine as "<name> (<term>)", so the engine sees the class through the lexicon it already has.
    """
    for entry in kb.medication_entries:
        if entry["id"] in classes:
            for name in entry["names"]:
                if lexicon.classify(name) == classes:
                    return str(name)
    raise e.fail(f"no name in medications.toml means exactly {sorted(classes)}")


def card_languages(directory: Path = DATA_DIR) -> tuple[str, ...]:
    """The languages card statements exist in: cards.toml's, then one per cards.<language>.toml."""
    found = sorted(path.name.split(".")[1] for path in directory.glob("cards.*.toml"))
    return (SOURCE_LANGUAGE, *(language for language in found if language != SOURCE_LANGUAGE))


def load_content(kb: KnowledgeBase, lexicon: MedicationLexicon, directory: Path = DATA_DIR,
                 language: str = SOURCE_LANGUAGE) -> CdsContent:
    """The CDS content with card statements in `language` (cards.toml's, or cards.<language>.toml's)."""
    content = _load_source(kb, lexicon, directory)
    if language != SOURCE_LANGUAGE:
        content = load_translation(content, directory / f"cards.{language}.toml", language)
    _check_summaries(f"cards.{language}.toml" if language != SOURCE_LANGUAGE else "cards.toml", content, kb)
    return content


def _load_source(kb: KnowledgeBase, lexicon: MedicationLexicon, directory: Path) -> CdsContent:
    codes = load_codes(kb, lexicon, directory)
    file = "cards.toml"
    doc = _read(directory / file)
    top = _Entry(file, "top level", doc)
    services = {}
    raw_services = doc.get("service")
    if not isinstance(raw_services, dict) or set(raw_services) != set(SERVICES):
        raise CdsContentError(f"{file}: [service.*] must be exactly {', '.join(SERVICES)}")
    for service_id in SERVICES:
        e = _Entry(file, f"service {service_id!r}", raw_services[service_id])
        hooks = e.texts("hooks") if "hooks" in e.entry else (e.text("hook"),)
        if e.text("hook") != hooks[0]:
            raise e.fail("'hook' must be the first of 'hooks'")
        services[service_id] = ServiceContent(service_id, hooks, e.text("title"), e.text("description"),
                                              e.text("usage_requirements"))
    cards = {}
    for e in _tables(file, doc, "card"):
        card = _card(e, kb)
        if card.id in cards:
            raise e.fail("duplicate id")
        cards[card.id] = card
    if set(cards) != set(CARD_KINDS):
        raise CdsContentError(f"{file}: cards must be exactly {', '.join(CARD_KINDS)}")
    reasons = []
    for e in _tables(file, doc, "override_reason"):
        code = e.text("code")
        if not _CODE.match(code):
            raise e.fail("'code' must be lower-case letters, digits and hyphens")
        e.sources(kb)
        reasons.append(MappingProxyType({"code": code, "display": e.text("display")}))
    associations: dict[str, Association] = {}
    for e in _tables(file, doc, "association"):
        classes = e.texts("classes")
        association = Association(classes[0], e.text("strength"), e.sources(kb))
        for cls in classes:
            if cls not in lexicon.class_ids or cls in associations:
                raise e.fail(f"class {cls!r} is unknown or listed twice")
            associations[cls] = association
    cramp_classes = {cls for cls in lexicon.class_ids if lexicon.drug_class(cls).cramp_associated}
    if set(associations) != cramp_classes:
        raise CdsContentError(f"{file}: [[association]] must cover exactly the cramp-associated classes; "
                              f"missing {sorted(cramp_classes - set(associations))}, "
                              f"not cramp-associated {sorted(set(associations) - cramp_classes)}")
    words = _Entry(file, "[words]", doc.get("words"))
    return CdsContent(codes, MappingProxyType(services), MappingProxyType(cards), tuple(reasons),
                      MappingProxyType(associations), top.text("last_reviewed"),
                      MappingProxyType({key: words.text(key) for key in WORDS}),
                      lab_labels=MappingProxyType({kind.id: kind.label for kind in codes.lab_kinds}))


def _card(e: _Entry, kb: KnowledgeBase) -> CardContent:
    card_id = e.text("id")
    if card_id not in CARD_KINDS:
        raise e.fail(f"'id' must be one of {', '.join(CARD_KINDS)}")
    service = e.text("service")
    if service not in SERVICES:
        raise e.fail(f"'service' must be one of {', '.join(SERVICES)}")
    source = e.text("source", empty=True)
    if source and source not in kb.sources:
        raise e.fail(f"'source' {source!r} is not a source in sources.toml")
    rules = e.texts("rules", required=False)
    unknown = set(rules) - set(kb.rules)
    if unknown:
        raise e.fail(f"'rules' names unknown rules {sorted(unknown)}")
    indicator = e.entry.get("indicator")
    if indicator is not None and indicator not in INDICATORS:
        raise e.fail(f"'indicator' must be one of {', '.join(INDICATORS)}")
    raw = e.entry.get("statements")
    if not isinstance(raw, list):
        raise e.fail("'statements' must be a list")
    statements = tuple(e.statement(kb, item, f"statement #{i}") for i, item in enumerate(raw, start=1))
    extra: dict[str, Any] = {}
    for key, kind in _EXTRA.get(card_id, {}).items():
        if kind == "statement":
            extra[key] = e.statement(kb, e.entry.get(key), key)
        elif kind == "ids":
            extra[key] = frozenset(e.texts(key))
        elif kind == "flag":
            if not isinstance(e.entry.get(key), bool):
                raise e.fail(f"'{key}' must be true or false")
            extra[key] = e.entry[key]
        else:
            extra[key] = e.text(key)
    card = CardContent(card_id, service, e.text("topic"), source, rules, e.text("summary_one"),
                       e.text("summary_many"), e.text("heading", empty=True), statements, indicator,
                       MappingProxyType(extra))
    for key, text in wordings(card):
        try:
            unfilled = placeholders(text) - FILLED.get((card_id, key), FILLED.get(("*", key), frozenset()))
        except ValueError:
            raise e.fail(f"'{key}' has an unmatched {{ or }}") from None
        if unfilled:
            raise e.fail(f"'{key}' names {{{', '.join(sorted(unfilled))}}}, which the cards never fill in")
    return card


def _check_summaries(file: str, content: CdsContent, kb: KnowledgeBase) -> None:
    """Every summary under 140 characters as filled in: {count} at its largest, a guidance finding's
    {title} and {guidance_id} for every rule of the knowledge base (in the content's language)."""
    fillings = [{"count": LONGEST_COUNT}] + [
        {"title": rule.title, "guidance_id": rule.guidance_id} for rule in kb.rules.values()]
    for card in content.cards.values():
        for key in ("summary_one", "summary_many"):
            template = getattr(card, key)
            names = placeholders(template)
            for filling in fillings:
                if not names <= filling.keys():
                    continue
                text = render(template, filling)
                if len(text) > SUMMARY_MAX:
                    shown = f" with the title of rule {filling['title']!r}" if "title" in names else ""
                    raise CdsContentError(f"{file}: card {card.id!r}: '{key}' is {len(text)} characters filled in"
                                          f"{shown}; CDS Hooks wants under 140")


def placeholders(text: str) -> frozenset[str]:
    """The {names} a statement is filled with: the content's own placeholder syntax (service/content/
    templates.py), so a stray brace is a ValueError (TemplateError)."""
    return frozenset(text_placeholders(text))


def wordings(card: CardContent) -> list[tuple[str, str]]:
    """(key, text) for every wording of a card: what a translation must give, placeholders alike."""
    texts = [("topic", card.topic), ("summary_one", card.summary_one), ("summary_many", card.summary_many),
             ("heading", card.heading)]
    texts += [(f"statement #{i}", statement.text) for i, statement in enumerate(card.statements, start=1)]
    for key, value in card.extra.items():
        if isinstance(value, Statement):
            texts.append((key, value.text))
        elif isinstance(value, str):
            texts.append((key, value))
    return texts


# --- Translations: cards.<language>.toml --------------------------------------------------------------

class _Translation:
    """Reads one translation file, entry by entry, against the English content; faults name file and entry."""

    def __init__(self, path: Path, language: str) -> None:
        self.file, self.language = path.name, language
        self.doc = _read(path)
        self.reviewed: list[bool] = []
        self.used: dict[str, set[str]] = {}

    def entry(self, group: str, key: str | None) -> _Entry:
        """[group.key] (or the table [group] when key is None), with its translation_reviewed flag."""
        where = f"[{group}]" if key is None else f"{group} {key!r}"
        table = self.doc.get(group)
        if key is not None:
            table = table.get(key) if isinstance(table, dict) else None
            self.used.setdefault(group, set()).add(key)
        if table is None:
            raise CdsContentError(f"{self.file}: {where}: missing (every statement of cards.toml needs "
                                  f"wording in {self.language})")
        e = _Entry(self.file, where, table)
        flag = e.entry.get("translation_reviewed")
        if not isinstance(flag, bool):
            raise e.fail("needs 'translation_reviewed' (false until a clinician has reviewed it)")
        self.reviewed.append(flag)
        return e

    def text(self, e: _Entry, key: str, english: str) -> str:
        """The translation of one English text: present, with exactly its placeholders."""
        if not english:  # an empty English heading stays empty
            if e.entry.get(key, "") != "":
                raise e.fail(f"'{key}' is empty in cards.toml, so it must be empty or absent here")
            return ""
        if key.startswith("statement #"):
            statements = e.entry.get("statements")
            index = int(key.removeprefix("statement #")) - 1
            value = statements[index] if isinstance(statements, list) and index < len(statements) else None
            if not isinstance(value, str) or not value.strip():
                raise e.fail(f"'statements' needs {key} as a non-empty string, in cards.toml's order")
            text = value.strip()
        else:
            text = e.text(key)
        try:
            found = placeholders(text)
        except ValueError:
            raise e.fail(f"'{key}' has an unmatched {{ or }}") from None
        if found != placeholders(english):
            raise e.fail(f"'{key}' has the placeholders {{{', '.join(sorted(found))}}} where cards.toml has "
                         f"{{{', '.join(sorted(placeholders(english)))}}}")
        return text

    def check_complete(self) -> None:
        """Nothing here that cards.toml does not have: no other entry, no other key."""
        for group, table in self.doc.items():
            if group == "language":
                continue
            if group not in _TRANSLATED_KEYS:
                raise CdsContentError(f"{self.file}: [{group}] is not a part of cards.toml a translation has")
            entries = {None: table} if group == "words" else table
            for key, entry in (entries.items() if isinstance(entries, dict) else ()):
                if group != "words" and key not in self.used.get(group, set()):
                    raise CdsContentError(f"{self.file}: {group} {key!r}: not in cards.toml")
                allowed = _TRANSLATED_KEYS[group] | {"translation_reviewed"}
                unknown = set(entry) - allowed if isinstance(entry, dict) else set()
                if group == "card":
                    unknown -= _CARD_KEYS | set(_EXTRA.get(key, {}))
                if unknown:
                    where = f"[{group}]" if key is None else f"{group} {key!r}"
                    raise CdsContentError(f"{self.file}: {where}: unknown keys {sorted(unknown)}")


_CARD_KEYS = frozenset({"topic", "summary_one", "summary_many", "heading", "statements"})
_TRANSLATED_KEYS = {"words": frozenset(WORDS), "card": frozenset(), "override_reason": frozenset({"display"}),
                    "association": frozenset({"strength"}), "drug_class": frozenset({"label"}),
                    "lab": frozenset({"label"})}


def load_translation(source: CdsContent, path: Path, language: str) -> CdsContent:
    """`source` with every clinician-facing wording from `path` (cards.<language>.toml)."""
    t = _Translation(path, language)
    if t.doc.get("language") != language:
        raise CdsContentError(f"{t.file}: top level: 'language' must be {language!r}")
    words_entry = t.entry("words", None)
    words = {key: t.text(words_entry, key, source.words[key]) for key in WORDS}
    cards = {}
    for card in source.cards.values():
        e = t.entry("card", card.id)
        texts = {key: t.text(e, key, text) for key, text in wordings(card)}
        statements = e.entry.get("statements", [])
        if not isinstance(statements, list) or len(statements) != len(card.statements):
            raise e.fail(f"'statements' must be a list of {len(card.statements)}, in cards.toml's order")
        extra = dict(card.extra)
        for key, value in card.extra.items():
            if isinstance(value, Statement):
                extra[key] = Statement(texts[key], value.sources)
            elif isinstance(value, str):
                extra[key] = texts[key]
        cards[card.id] = replace(
            card, topic=texts["topic"], summary_one=texts["summary_one"], summary_many=texts["summary_many"],
            heading=texts["heading"], extra=MappingProxyType(extra),
            statements=tuple(Statement(texts[f"statement #{i}"], s.sources)
                             for i, s in enumerate(card.statements, start=1)))
    reasons = []
    for reason in source.override_reasons:
        e = t.entry("override_reason", reason["code"])
        reasons.append(MappingProxyType({"code": reason["code"], "display": t.text(e, "display", reason["display"])}))
    translated: dict[str, Association] = {}
    associations = {}
    for cls, association in source.associations.items():
        if association.id not in translated:
            e = t.entry("association", association.id)
            translated[association.id] = replace(association, strength=t.text(e, "strength", association.strength))
        associations[cls] = translated[association.id]
    class_labels = {cls: t.entry("drug_class", cls).text("label") for cls in source.associations}
    lab_labels = {kind.id: t.entry("lab", kind.id).text("label") for kind in source.codes.lab_kinds}
    t.check_complete()
    return replace(source, cards=MappingProxyType(cards), override_reasons=tuple(reasons),
                   associations=MappingProxyType(associations), words=MappingProxyType(words), language=language,
                   translation_reviewed=all(t.reviewed), class_labels=MappingProxyType(class_labels),
                   lab_labels=MappingProxyType(lab_labels))
