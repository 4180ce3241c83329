"""The region table (data/regions.toml): per region, the emergency number and the urgent-care route.

Every number an answer names comes from here, with the authority's page it was checked against and
when it is next due for review. A request's `region` code (ISO 3166-1 alpha-2 or ISO 3166-2) picks
one entry; an entry may stand for several codes (the other EU member states share one, for 112).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from service.content.loader import KnowledgeBaseError, _Reader
from service.content.vocabulary import REGIONS

FILE = "regions.toml"
_CODE = re.compile(r"^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$")
_EMERGENCY_NUMBER = re.compile(r"^\d{2,4}$")
_PHONE_NUMBER = re.compile(r"^\d[\d ]{1,14}\d$")
# Facts are checked against the authorities' own pages: health services, governments, regulators.
_OFFICIAL_HOST = re.compile(
    r"^https://(?:[a-z0-9-]+\.)*(?:gov\.uk|nhs\.uk|nhs24\.scot|hscni\.net|hse\.ie|gov\.ie|911\.gov|gc\.ca|"
    r"gov\.au|govt\.nz|europa\.eu)(?:/|$)"
)


@dataclass(frozen=True, slots=True)
class UrgentCare:
    """Where to get help the same day when it is not an emergency: a named service, maybe a number."""

    name: str
    number: str  # "" when the service has no single number (local numbers differ)
    source: str
    translate: bool  # the name describes the service rather than being its name: each language words it

    @property
    def label(self) -> str:
        """The service as texts name it: the name, with its number unless the name already holds it."""
        if not self.number or self.number in self.name:
            return self.name
        return f"{self.name} ({self.number})"


@dataclass(frozen=True, slots=True)
class Region:
    id: str
    name: str
    codes: tuple[str, ...]
    emergency: tuple[str, ...]
    emergency_source: str
    urgent_care: UrgentCare | None
    reviewed: str
    next_review: str
    note: str

    @property
    def numbers(self) -> tuple[str, ...]:
        """Every number this region's answers may name."""
        extra = (self.urgent_care.number,) if self.urgent_care and self.urgent_care.number else ()
        return self.emergency + extra


@dataclass(frozen=True, slots=True)
class RegionTable:
    regions: Mapping[str, Region]  # by entry id, in file order
    by_code: Mapping[str, Region]  # by request code

    def find(self, key: str) -> Region | None:
        """An entry by its id (EU) or by a code it stands for (GB-WLS, FR)."""
        return self.regions.get(key) or self.by_code.get(key)

    def numbers(self) -> frozenset[str]:
        return frozenset(n for region in self.regions.values() for n in region.numbers)


def _source(r: _Reader, key: str) -> str:
    url = r.text(key)
    if not _OFFICIAL_HOST.match(url):
        raise r.fail(f"'{key}' {url!r} is not an https page of a health service, government or regulator")
    return url


def _urgent_care(r: _Reader) -> UrgentCare | None:
    raw = r.entry.get("urgent_care")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise r.fail("'urgent_care' must be a table")
    u = _Reader(r.file, raw, f"{r.where} urgent_care")
    number = u.text("number", optional=True)
    if number and not _PHONE_NUMBER.match(number):
        raise u.fail("'number' must be digits, optionally grouped by spaces")
    return UrgentCare(u.text("name"), number, _source(u, "source"), u.flag("translate"))


def load_regions(doc: Mapping[str, Any]) -> RegionTable:
    table = doc.get("region")
    if not isinstance(table, dict) or not table:
        raise KnowledgeBaseError(f"{FILE}: needs at least one [region.<code>] table")
    regions: dict[str, Region] = {}
    by_code: dict[str, Region] = {}
    for region_id, raw in table.items():
        if not isinstance(raw, dict):
            raise KnowledgeBaseError(f"{FILE}: region '{region_id}' is not a table")
        r = _Reader(FILE, raw, f"region '{region_id}'")
        if not _CODE.match(region_id):
            raise r.fail("the id must look like GB or GB-WLS")
        codes = r.texts("codes") if "codes" in raw else (region_id,)
        emergency = r.texts("emergency")
        if not emergency or not all(_EMERGENCY_NUMBER.match(n) for n in emergency):
            raise r.fail("'emergency' must list the emergency numbers, each 2 to 4 digits")
        reviewed, next_review = r.date("reviewed"), r.date("next_review")
        if next_review <= reviewed:
            raise r.fail("'next_review' must come after 'reviewed'")
        region = Region(region_id, r.text("name"), codes, emergency, _source(r, "emergency_source"),
                        _urgent_care(r), reviewed, next_review, r.text("note", optional=True))
        for code in codes:
            if not _CODE.match(code):
                raise r.fail(f"code {code!r} is not ISO 3166-1 alpha-2 or ISO 3166-2")
            if code in by_code:
                raise r.fail(f"code {code!r} already belongs to region '{by_code[code].id}'")
            by_code[code] = region
        regions[region_id] = region
    missing, extra = set(REGIONS) - set(by_code), set(by_code) - set(REGIONS)
    if missing or extra:
        raise KnowledgeBaseError(f"{FILE}: the codes must be exactly the contract's regions "
                                 f"(service/content/vocabulary.py): missing {sorted(missing)}, unknown {sorted(extra)}")
    return RegionTable(MappingProxyType(regions), MappingProxyType(by_code))
