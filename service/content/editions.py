"""Every (language, region) rendering of the content, built and checked once at start-up.

An edition is one KnowledgeBase whose texts are already in one language and name one region's
numbers (or none: region-neutral), so answering in Spanish for New Zealand costs a request no more
than the default does: it only picks another edition. Rules, thresholds, ids and sources are shared;
only texts differ. `knowledge_base.sha256` is one digest over every content file (the base files, the
region table and every locale), so with the answer's language and region it pins the exact texts.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from service.content import loader
from service.content.loader import DEFAULT_DATA_DIR, KnowledgeBaseError
from service.content.locales import (
    PER_REQUEST, SOURCE_FILES, Locale, Text, TextKey, load_locale, phrase_values, source_texts, where, with_texts,
)
from service.content.models import KnowledgeBase
from service.content.regions import FILE as REGIONS_FILE
from service.content.regions import Region, RegionTable, load_regions
from service.content.templates import TemplateError, literal_numbers, placeholders, render

INDEX = "locales/index.toml"
_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Z]{2})?$")
_CACHE: dict[tuple[str, str], "Editions"] = {}  # (directory, digest of its files): built content is immutable


@dataclass(frozen=True, slots=True, eq=False)
class Edition:
    kb: KnowledgeBase  # texts in `language`, naming `region`'s numbers; placeholders filled
    language: str
    region: Region | None  # None: region-neutral wording
    translation_reviewed: bool


@dataclass(frozen=True, slots=True, eq=False)
class Editions:
    default_language: str
    languages: tuple[str, ...]  # in the index's order: the first of a language answers a bare tag ("en")
    locales: Mapping[str, Locale]
    regions: RegionTable
    by_key: Mapping[tuple[str, str | None], Edition]  # (language, region entry id or None)

    @property
    def default(self) -> Edition:
        return self.by_key[(self.default_language, None)]

    def edition(self, language: str, code: str | None) -> Edition:
        """The edition for a language and a request's region code (None: region-neutral)."""
        region = None if code is None else self.regions.by_code[code]
        return self.by_key[(language, None if region is None else region.id)]


def load_knowledge_base(directory: Path = DEFAULT_DATA_DIR) -> KnowledgeBase:
    """The default edition: the source language (en-GB), region-neutral; what the rulebook shows."""
    return load_editions(directory).default.kb


def load_editions(directory: Path = DEFAULT_DATA_DIR) -> Editions:
    """Every edition of the content in `directory`, each checked; cached while the files are unchanged."""
    directory = Path(directory)
    fingerprint = hashlib.sha256()
    for path in sorted(directory.rglob("*.toml")):
        fingerprint.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes() + b"\0")
    key = (str(directory.resolve()), fingerprint.hexdigest())
    if key not in _CACHE:
        if len(_CACHE) >= 4:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _build(directory)
    return _CACHE[key]


def _read(directory: Path, name: str, digest: "hashlib._Hash") -> dict[str, Any]:
    try:
        raw = (directory / name).read_bytes()
    except OSError as err:
        raise KnowledgeBaseError(f"{name}: cannot be read ({err.strerror})") from None
    digest.update(name.encode() + b"\0" + raw + b"\0")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise KnowledgeBaseError(f"{name}: not valid TOML: {err}") from None


def _build(directory: Path) -> Editions:
    raw = loader.load_knowledge_base(directory)  # the base files, texts still templates
    digest = hashlib.sha256(raw.sha256.encode() + b"\0")
    table = load_regions(_read(directory, REGIONS_FILE, digest))
    index = _read(directory, INDEX, digest)
    languages, default = index.get("locales"), index.get("default")
    if (not isinstance(languages, list) or not languages or len(set(languages)) != len(languages)
            or not all(isinstance(t, str) and _TAG.match(t) for t in languages) or languages[0] != default):
        raise KnowledgeBaseError(f"{INDEX}: needs 'locales', distinct tags such as en-GB or es, the first being "
                                 "'default' (the language the base files are written in)")
    source = source_texts(raw)
    numbers = table.numbers()
    _check_source(source, numbers)
    locales: dict[str, Locale] = {}
    for tag in languages:
        file = f"locales/{tag}.toml"
        doc = _read(directory, file, digest)
        parent_tag = doc.get("inherits")
        if parent_tag is not None and parent_tag not in locales:
            raise KnowledgeBaseError(f"{file}: 'inherits' must name a locale listed before it in {INDEX}")
        locale = load_locale(file, doc, tag, locales.get(parent_tag) if parent_tag else None,
                             locales.get(default), source, table)
        if (tag == default) != locale.source:
            raise KnowledgeBaseError(f"{file}: 'source = true' belongs to the default locale ({default}) only")
        _check_locale(locale, raw, numbers, table)
        locales[tag] = locale
    sha256 = digest.hexdigest()
    by_key: dict[tuple[str, str | None], Edition] = {}
    for tag, locale in locales.items():
        for region in (None, *table.regions.values()):
            texts = _render(locale, region, table)
            kb = replace(with_texts(raw, texts), sha256=sha256)
            by_key[(tag, None if region is None else region.id)] = Edition(kb, tag, region, locale.translation_reviewed)
    return Editions(default, tuple(languages), MappingProxyType(locales), table, MappingProxyType(by_key))


def _check_source(source: Mapping[TextKey, Text], numbers: frozenset[str]) -> None:
    for key, text in source.items():
        for one in (text if isinstance(text, tuple) else (text,)):
            file = SOURCE_FILES[key[0]]
            try:
                placeholders(one)
            except TemplateError as err:
                raise KnowledgeBaseError(f"{file}: {where(key)} {err}") from None
            _no_literal_numbers(file, key, one, numbers)


def _no_literal_numbers(file: str, key: TextKey | str, text: str, numbers: frozenset[str]) -> None:
    written = literal_numbers(text, numbers)
    if written:
        label = where(key) if isinstance(key, tuple) else key
        raise KnowledgeBaseError(f"{file}: {label}: writes {written[0]} itself; numbers come from regions.toml "
                                 "through a placeholder such as {emergency_number}")


def _check_locale(locale: Locale, raw: KnowledgeBase, numbers: frozenset[str], table: RegionTable) -> None:
    for key, text in locale.texts.items():
        for one in (text if isinstance(text, tuple) else (text,)):
            unknown = [name for name in placeholders(one) if name not in locale.phrases and key[0] not in PER_REQUEST]
            file = SOURCE_FILES[key[0]] if locale.source else locale.file
            if unknown:
                raise KnowledgeBaseError(f"{file}: {where(key)}: names {{{unknown[0]}}}, which no phrase of "
                                         f"{locale.file} defines")
            if not locale.source:  # (the base texts were checked by _check_source)
                _no_literal_numbers(file, key, one, numbers)
    for phrase in locale.phrases.values():
        for form in (phrase.neutral, phrase.region, phrase.with_service, phrase.without_service,
                     *phrase.by_region.values()):
            if form:
                _no_literal_numbers(locale.file, f"phrase '{phrase.name}'", form, numbers)
    for region_id, name in locale.service_names.items():
        care = table.regions[region_id].urgent_care
        assert care is not None  # checked when the locale was read
        if sorted(literal_numbers(name, numbers)) != sorted(literal_numbers(care.name, numbers)):
            raise KnowledgeBaseError(f"{locale.file}: service '{region_id}': must name the same numbers as "
                                     f"regions.toml's {care.name!r}")


def _render(locale: Locale, region: Region | None, table: RegionTable) -> dict[TextKey, Text]:
    values = phrase_values(locale, region, table)
    rendered: dict[TextKey, Text] = {}
    for key, text in locale.texts.items():
        if key[0] in PER_REQUEST:
            rendered[key] = text  # filled per request by the renderer
            continue
        rendered[key] = tuple(render(t, values) for t in text) if isinstance(text, tuple) else render(text, values)
    return rendered
