"""Medication lexicon: free-text medicine names -> drug class ids.

People and records write names with doses, forms and brands ("Cozaar 50mg tablets",
"salmeterol/fluticasone inhaler"), so matching works on word tokens, not whole strings: digits,
units and form words simply match nothing. Multi-word names ("iron sucrose") are matched as phrases
of up to three words, longest first, so a phrase's own classes win over those of its words.
Combination products ("/", "+", "-", "and", "with") come out as the union of their parts.

Pure and data-driven: the knowledge-base loader reads medications.toml and passes the entries in.
All lookup tables are built once, at construction; classify() only tokenises and probes dicts.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

__all__ = ["DrugClass", "MedicationLexicon", "MAX_PHRASE_WORDS", "tokens"]

MAX_PHRASE_WORDS = 3
EVIDENCE_LEVELS = ("verified", "unverified")

# Words are runs of letters; the marks that separate the parts of a combination product are kept as
# a "/" token, so a phrase never matches across them. Everything else (digits, spaces, hyphens, dots)
# just ends a word: "5/40mg" -> ["/", "mg"]. ASCII input (nearly all of it) is tokenised with a byte
# translation table, about four times faster than a regex; other text is accent-folded and then
# tokenised by the regex with the same rules.
_SEPARATORS = "/+,;&|()"
_ASCII = bytes(
    (c | 0x20) if chr(c).isascii() and chr(c).isalpha()
    else ord("/") if chr(c) in _SEPARATORS
    else ord(" ")
    for c in range(256)
)
_TOKEN = re.compile(r"[^\W\d_]+|[" + re.escape(_SEPARATORS) + "]")
_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_SOURCE_ID = re.compile(r"^S[1-9][0-9]*$")
_FIELDS = frozenset({"id", "label", "cramp_associated", "sources", "evidence", "names"})
_EMPTY: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class DrugClass:
    """One drug class as the rules see it; `sources` are guidance source ids (S1..S43)."""

    id: str
    label: str
    cramp_associated: bool
    sources: tuple[str, ...]
    evidence: str


def _ascii_words(text: str) -> list[str]:
    return text.encode("ascii").translate(_ASCII).replace(b"/", b" / ").decode("ascii").split()


def _unicode_words(text: str) -> list[str]:
    """Slow path: case- and accent-fold, then tokenise ("Sérétide" -> ["seretide"])."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if text.isascii():
        return _ascii_words(text)
    return ["/" if len(w) == 1 and w in _SEPARATORS else w for w in _TOKEN.findall(text)]


def tokens(text: str) -> list[str]:
    """The word and "/" separator tokens classify() matches on; exposed so tests and tools agree."""
    return _ascii_words(text) if text.isascii() else _unicode_words(text)


class MedicationLexicon:
    """Immutable name -> classes index built from validated [[drug_class]] entries."""

    __slots__ = ("_classes", "_phrases", "_longest", "_class_ids")

    def __init__(self, classes: Mapping[str, DrugClass], phrases: Mapping[str, frozenset[str]]) -> None:
        self._classes = dict(classes)
        self._phrases = dict(phrases)
        # first word of each multi-word phrase -> longest phrase starting there (skips n-gram probes
        # for the vast majority of words, which start no phrase at all)
        longest: dict[str, int] = {}
        for phrase in self._phrases:
            words = phrase.split(" ")
            if len(words) > 1 and len(words) > longest.get(words[0], 1):
                longest[words[0]] = len(words)
        self._longest = longest
        self._class_ids = frozenset(self._classes)

    @classmethod
    def from_entries(cls, entries: Iterable[Mapping[str, Any]]) -> MedicationLexicon:
        """Validate the entries (errors name the entry id) and build the lookup tables."""
        classes: dict[str, DrugClass] = {}
        members: dict[str, set[str]] = {}
        for position, entry in enumerate(entries, start=1):
            drug_class, keys = _parse_entry(entry, position)
            if drug_class.id in classes:
                raise ValueError(f"drug_class {drug_class.id!r}: duplicate id")
            classes[drug_class.id] = drug_class
            for key in keys:
                members.setdefault(key, set()).add(drug_class.id)
        if not classes:
            raise ValueError("medication lexicon needs at least one drug_class entry")
        # one shared frozenset per distinct class combination keeps the index small
        interned: dict[frozenset[str], frozenset[str]] = {}
        phrases = {
            key: interned.setdefault(frozenset(ids), frozenset(ids)) for key, ids in members.items()
        }
        return cls(classes, phrases)

    def classify(self, name: str) -> frozenset[str]:
        """Class ids for a free-text medicine name; an empty set means unrecognised."""
        if not name:
            return _EMPTY
        words = _ascii_words(name) if name.isascii() else _unicode_words(name)
        phrases, longest = self._phrases, self._longest
        found: frozenset[str] | None = None
        extra: set[str] | None = None
        i, n = 0, len(words)
        while i < n:
            word = words[i]
            width, hit = 1, None
            reach = longest.get(word)
            if reach:
                for size in range(min(reach, n - i), 1, -1):
                    hit = phrases.get(" ".join(words[i:i + size]))
                    if hit is not None:
                        width = size
                        break
            if hit is None:
                hit = phrases.get(word)
            if hit is not None:
                if found is None:
                    found = hit
                elif hit is not found:
                    if extra is None:
                        extra = set(found)
                    extra |= hit
            i += width
        if extra is not None:
            return frozenset(extra)
        return found if found is not None else _EMPTY

    def drug_class(self, class_id: str) -> DrugClass:
        """The class record; KeyError for an id the lexicon does not define."""
        return self._classes[class_id]

    @property
    def class_ids(self) -> frozenset[str]:
        return self._class_ids


def _parse_entry(entry: Mapping[str, Any], position: int) -> tuple[DrugClass, list[str]]:
    """Check one entry's fields and return its class plus its names as lookup keys."""
    if not isinstance(entry, Mapping):
        raise ValueError(f"drug_class #{position}: is not a table")
    class_id = entry.get("id")
    if not isinstance(class_id, str) or not _ID.match(class_id):
        raise ValueError(f"drug_class #{position}: 'id' must be a snake_case string")

    def fail(message: str) -> ValueError:
        return ValueError(f"drug_class {class_id!r}: {message}")

    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise fail(f"unknown field(s) {', '.join(unknown)}")
    label = entry.get("label")
    if not isinstance(label, str) or not label.strip():
        raise fail("'label' must be a non-empty string")
    cramp = entry.get("cramp_associated")
    if not isinstance(cramp, bool):
        raise fail("'cramp_associated' must be true or false")
    evidence = entry.get("evidence")
    if evidence not in EVIDENCE_LEVELS:
        raise fail(f"'evidence' must be one of {', '.join(EVIDENCE_LEVELS)}")
    sources = entry.get("sources")
    if (
        not isinstance(sources, (list, tuple))
        or not sources
        or not all(isinstance(s, str) and _SOURCE_ID.match(s) for s in sources)
    ):
        raise fail("'sources' must be a non-empty list of guidance source ids like 'S19'")
    if len(set(sources)) != len(sources):
        raise fail("'sources' lists a source twice")
    names = entry.get("names")
    if not isinstance(names, (list, tuple)) or not names:
        raise fail("'names' must be a non-empty list")
    keys: list[str] = []
    seen: dict[str, str] = {}
    for raw in names:
        key = _name_key(raw, fail)
        if key in seen:
            raise fail(f"name {raw!r} is listed twice (same as {seen[key]!r})")
        seen[key] = raw
        keys.append(key)
    drug_class = DrugClass(class_id, label.strip(), cramp, tuple(sources), evidence)
    return drug_class, keys


def _name_key(raw: object, fail: Callable[[str], ValueError]) -> str:
    """The lookup key for one lexicon name: its words joined by single spaces."""
    if not isinstance(raw, str) or not raw.strip():
        raise fail("every name must be a non-empty string")
    if raw != raw.lower() or raw != raw.strip():
        raise fail(f"name {raw!r} must be lower-case with no surrounding spaces")
    if any(ch.isdigit() for ch in raw):
        raise fail(f"name {raw!r} must not contain digits (doses are ignored when matching)")
    words = tokens(raw)
    if "/" in words:
        raise fail(f"name {raw!r} contains a combination separator; list each part instead")
    if not 1 <= len(words) <= MAX_PHRASE_WORDS:
        raise fail(f"name {raw!r} must be 1 to {MAX_PHRASE_WORDS} words")
    return " ".join(words)
