"""Load and check the CDS Hooks content files (service/cds/data/*.toml) once, at start-up.

Like the knowledge base, a bad entry stops start-up with a message naming the file and the entry:
a code that maps to a drug class the lexicon lacks, a guidance source id that does not exist, a
SNOMED CT id whose check digit is wrong, a card summary too long for CDS Hooks.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from schemas.request import CONDITIONS
from service.advice.medications import MedicationLexicon, tokens
from service.cds.codes import SYSTEM_NAMES, code_ok, normalise
from service.content import KnowledgeBase, KnowledgeBaseError

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
_SOURCE = re.compile(r"^S[1-9][0-9]*$")
_CODE = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
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


def load_content(kb: KnowledgeBase, lexicon: MedicationLexicon, directory: Path = DATA_DIR) -> CdsContent:
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
        association = Association(e.text("strength"), e.sources(kb))
        for cls in e.texts("classes"):
            if cls not in lexicon.class_ids or cls in associations:
                raise e.fail(f"class {cls!r} is unknown or listed twice")
            associations[cls] = association
    cramp_classes = {cls for cls in lexicon.class_ids if lexicon.drug_class(cls).cramp_associated}
    if set(associations) != cramp_classes:
        raise CdsContentError(f"{file}: [[association]] must cover exactly the cramp-associated classes; "
                              f"missing {sorted(cramp_classes - set(associations))}, "
                              f"not cramp-associated {sorted(set(associations) - cramp_classes)}")
    return CdsContent(codes, MappingProxyType(services), MappingProxyType(cards), tuple(reasons),
                      MappingProxyType(associations), top.text("last_reviewed"))


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
    for summary in ("summary_one", "summary_many"):
        text = e.text(summary)
        # Placeholders filled at run time may lengthen it; the renderer re-checks and shortens.
        if len(text) > SUMMARY_MAX:
            raise e.fail(f"'{summary}' is {len(text)} characters; CDS Hooks wants under 140")
    return CardContent(card_id, service, source, rules, e.text("summary_one"), e.text("summary_many"),
                       e.text("heading", empty=True), statements, indicator, MappingProxyType(extra))
