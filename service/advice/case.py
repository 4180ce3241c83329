"""Normalisation at the engine's door: one pass that turns a validated request into the facts rules read.

Every derived fact keeps the JSON Pointers of the request fields it came from, so a red flag can say
exactly which answers triggered it. Conflicts resolve to the more serious reading and are reported
as warnings (guidance 2.1.3); absent fields stay unknown (None), never "no".
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

Pointers = tuple[str, ...]
NONE: Pointers = ()
LEG_LOCATIONS = frozenset({"calf", "thigh", "shin", "foot"})
EXERCISE_TIMINGS = frozenset({"exercise", "after_exercise"})
DIURETICS = frozenset({"loop_diuretic", "thiazide_diuretic", "potassium_sparing_diuretic"})
POTASSIUM_RAISING = frozenset({"ace_inhibitor", "arb", "potassium_sparing_diuretic"})
HORMONAL = frozenset({"combined_hormonal_contraception", "hrt", "conjugated_oestrogens"})
# Above this a single cramp is implausible (guidance 2.1.3): answered at the serious reading, with a warning.
IMPLAUSIBLE_DURATION_MINUTES = 60
IMPLAUSIBLE_EPISODES_PER_WEEK = 21
FEVER_C = 38.0
HEATSTROKE_C = 40.0
FAST_HEART_RATE = 100  # adult tachycardia threshold; used only from age 12 (children run faster)
# The request fields each derived fact below reads: what rules and topics built on it need (index only).
EXERCISE_FIELDS = ("cramp/timing", "context/exertion", "context/endurance_event_hours")
DIALYSIS_FIELDS = ("conditions", "cramp/timing")
PREGNANT_FIELDS = ("person/pregnant", "person/gestation_weeks")
POSTPARTUM_FIELDS = ("person/weeks_postpartum",)
PREGNANCY_FIELDS = (*PREGNANT_FIELDS, *POSTPARTUM_FIELDS)  # pregnant or postpartum
NUMBNESS_FIELDS = ("signs/numbness", "signs/numbness_onset")
SWELLING_FIELDS = ("signs/swelling", "signs/swelling_side", "signs/swelling_onset")
WEAKNESS_FIELDS = ("signs/weakness", "signs/weakness_onset")
FEVER_FIELDS = ("signs/fever", "signs/temperature_c")
# Every fact Case derives when it is built, with the request fields it reads: one table for the
# index entries above and for tests/advice/test_needs.py, which counts reading a fact as asking for
# its fields (a fact missing here would only weaken that test: another test checks it is complete).
FACT_FIELDS: dict[str, tuple[str, ...]] = {
    "fever": FEVER_FIELDS, "pregnant": PREGNANT_FIELDS,
    "postpartum": POSTPARTUM_FIELDS, "swelling": SWELLING_FIELDS, "weakness": WEAKNESS_FIELDS,
    "numbness": NUMBNESS_FIELDS, "wound_present": ("context/wound",),
    "injury": ("context/recent_injury", "context/injury_hours_ago"), "exercise": EXERCISE_FIELDS,
    "dialysis": DIALYSIS_FIELDS, "conditions": ("conditions",), "asks": ("asks_about", "self_treatment"),
    "classes": ("medications",), "recent_changes": ("medications",), "stopped_classes": ("medications",),
    "unrecognised": ("medications",), "medication_names": ("medications",), "medications": ("medications",),
    "age": ("person/age",), "sex": ("person/sex",), "locations": ("cramp/locations",),
    "timing": ("cramp/timing",), "side": ("cramp/side",), "onset": ("cramp/onset",),
    "character": ("cramp/character",),
}

Classifier = Callable[[str], frozenset[str]]
_NUMBER_TYPES = frozenset({int, float})
_SECTIONS = ("person", "cramp", "signs", "context")
_LISTS = ("medications", "conditions", "asks_about", "self_treatment")


class _Interned(dict):  # type: ignore[type-arg]
    """Strings built from a field name once, then looked up: the readers below run ~100 times per
    assessment and formatting a fresh pointer each time was a visible share of the engine's cost.
    Keys are field names from the code or from schema-validated requests, or list positions below the
    schema's limits, so the dict stays small."""

    def __init__(self, make: Callable[[Any], Any]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self._make(key)
        return value


def _per_section(make: Callable[[str, str], Any]) -> dict[str, _Interned]:
    def for_section(section: str) -> _Interned:
        return _Interned(lambda key: make(section, key))
    return {section: for_section(section) for section in _SECTIONS}


_GROUP = _per_section(lambda section, key: (f"/{section}/{key}",))  # ("/signs/fever",): one pointer group
_FIELD = _per_section(lambda section, key: f"{section}/{key}")  # "signs/fever": the rule index's name
_SIGN_GROUP, _CONTEXT_GROUP, _CRAMP_GROUP = _GROUP["signs"], _GROUP["context"], _GROUP["cramp"]
_WOUND = _Interned(lambda key: f"/context/wound/{key}")
_WOUND_FIELD = _Interned(lambda key: f"context/wound/{key}")
_MEDICATION_NAME = _Interned(lambda index: f"/medications/{index}/name")
_CONDITIONS: Pointers = ("/conditions",)
_TIMING: Pointers = ("/cramp/timing",)


def join(*groups: Pointers) -> Pointers:
    """Concatenate pointer groups without repeats, keeping first-seen order.

    Hot path: called hundreds of times per assessment, nearly always with at most one non-empty
    group, which is returned as it is without building anything. Groups hold a pointer or two and
    never repeat themselves, so a tuple scan beats building a dict to drop repeats."""
    found = NONE
    for group in groups:
        if group:
            if not found:
                found = group
                continue
            for pointer in group:
                if pointer not in found:
                    found += (pointer,)
    return found


def fired_because(fired: dict[str, Pointers], rule_ids: Iterable[str]) -> Pointers:
    """The pointers of whichever of these rules fired, joined (NONE when none did)."""
    found = NONE
    for rule_id in rule_ids:
        because = fired.get(rule_id)
        if because:
            found = join(found, because) if found else because
    return found


class Case:
    """The normalised facts of one request. Attributes hold pointers (truthy = present)."""

    __slots__ = (
        "person", "cramp", "signs", "context", "wound", "conditions", "asks", "age", "sex",
        "locations", "timing", "side", "onset", "character", "warnings", "medications",
        "unrecognised", "classes", "recent_changes", "stopped_classes",
        "fever", "pregnant", "postpartum", "swelling", "numbness", "weakness", "wound_present",
        "injury", "raw", "cramp_associated", "present", "answered", "exercise", "dialysis", "medication_names",
        "_taken",
    )

    def __init__(
        self, request: dict[str, Any], classify: Classifier, cramp_associated: frozenset[str] = frozenset()
    ) -> None:
        self.raw = request
        self.cramp_associated = cramp_associated  # drug classes guidance 3.1 links to cramps
        self.person: dict[str, Any] = request.get("person", {})
        self.cramp: dict[str, Any] = request.get("cramp", {})
        self.signs: dict[str, Any] = request.get("signs", {})
        self.context: dict[str, Any] = request.get("context", {})
        self.wound: dict[str, Any] = self.context.get("wound", {})
        self.conditions: frozenset[str] = frozenset(request.get("conditions", ()))
        self.asks: frozenset[str] = frozenset((*request.get("asks_about", ()), *request.get("self_treatment", ())))
        self.age: int | None = self.person.get("age")
        self.sex: str | None = self.person.get("sex")
        self.locations: frozenset[str] | None = (
            frozenset(self.cramp["locations"]) if self.cramp.get("locations") else None
        )
        self.timing: frozenset[str] = frozenset(self.cramp.get("timing", ()))
        self.side: str | None = self.cramp.get("side")
        self.onset: str | None = self.cramp.get("onset")
        self.character: str | None = self.cramp.get("character")
        self.warnings: list[dict[str, str]] = []
        # Which fields the request holds ("signs/chest_pain", "medications"): the engine's rule index.
        # (Plain loops: in Python 3.11 each comprehension is a function call of its own.)
        present: list[str] = []
        for section in _SECTIONS:
            values = request.get(section)
            if values:
                names = _FIELD[section]
                for key in values:
                    present.append(names[key])
        # Answered also counts empty lists ("medications": [] means none) and the wound's details.
        answered = present.copy()
        for key in _LISTS:
            if key in request:
                answered.append(key)
                if request[key]:
                    present.append(key)
        for key in self.wound:
            answered.append(_WOUND_FIELD[key])
        self.present: frozenset[str] = frozenset(present)
        self.answered: frozenset[str] = frozenset(answered)
        # Pictures many rules and topics read, computed once. (Each part names a different field, so
        # adding the groups cannot repeat a pointer.)
        context = self.context
        self.exercise: Pointers = (
            (_TIMING if not self.timing.isdisjoint(EXERCISE_TIMINGS) else NONE)
            + (("/context/exertion",) if context.get("exertion") in ("moderate", "strenuous", "extreme") else NONE)
            + (("/context/endurance_event_hours",) if context.get("endurance_event_hours", 0) > 0 else NONE)
        )
        self.dialysis: Pointers = (
            (_CONDITIONS if "dialysis" in self.conditions else NONE) + (_TIMING if "dialysis" in self.timing else NONE)
        )
        self._medications(request.get("medications", ()), classify)
        self._resolve_conflicts()

    # --- small readers -------------------------------------------------------------------------

    def sign(self, key: str) -> Pointers:
        return _SIGN_GROUP[key] if self.signs.get(key) is True else NONE

    def ctx(self, key: str) -> Pointers:
        return _CONTEXT_GROUP[key] if self.context.get(key) is True else NONE

    def cramp_true(self, key: str) -> Pointers:
        return _CRAMP_GROUP[key] if self.cramp.get(key) is True else NONE

    def any_sign(self, *keys: str) -> Pointers:
        found = NONE
        signs = self.signs
        if signs:  # a plain loop: in Python 3.11 a comprehension is a function call of its own
            for key in keys:
                if signs.get(key) is True:
                    found += _SIGN_GROUP[key]
        return found

    def asked(self, items: frozenset[str]) -> Pointers:
        """Pointers to `asks_about` / `self_treatment` when either names one of these items."""
        if items.isdisjoint(self.asks):  # nearly always: skip looking at the two lists one by one
            return NONE
        raw = self.raw
        return tuple([f"/{field}" for field in ("asks_about", "self_treatment")
                      if not items.isdisjoint(raw.get(field, ()))])

    def has_condition(self, *ids: str) -> Pointers:
        return NONE if self.conditions.isdisjoint(ids) else _CONDITIONS  # isdisjoint builds no set

    def taking(self, classes: tuple[str, ...] | frozenset[str]) -> Pointers:
        """Pointers to the medication names in any of the given drug classes."""
        held = self.classes
        if not held or held.keys().isdisjoint(classes):  # the usual answer: none of these classes
            return NONE
        taken = self._taken.get(classes)  # rules and topics ask about the same classes many times
        if taken is None:
            # A case holds a few classes; `classes` may be long (every cramp-associated class): walk the few.
            found = [p for cls, pointers in held.items() if cls in classes for p in pointers]
            taken = self._taken[classes] = tuple(found) if len(found) < 2 else tuple(sorted(set(found)))
        return taken

    def number(self, section: str, key: str) -> float | None:
        value = getattr(self, section).get(key)  # section: person, cramp, signs or context
        return value if type(value) in _NUMBER_TYPES else None  # exact types: True is not 1 here

    def at_least(self, section: str, key: str, threshold: float) -> Pointers:
        value = self.number(section, key)
        return _GROUP[section][key] if value is not None and value >= threshold else NONE

    def located(self, *places: str) -> Pointers:
        """The cramp is in one of these places; unknown location counts for leg places (a leg-cramp service)."""
        if self.locations is None:
            return ("/cramp/locations",) if LEG_LOCATIONS.intersection(places) else NONE
        return ("/cramp/locations",) if self.locations.intersection(places) else NONE

    def is_child(self) -> bool | None:
        return None if self.age is None else self.age < 18

    def warn(self, code: str, pointer: str, detail: str) -> None:
        self.warnings.append({"code": code, "pointer": pointer, "detail": detail})

    # --- normalisation -------------------------------------------------------------------------

    def _medications(self, medications: Iterable[Mapping[str, Any]], classify: Classifier) -> None:
        self.medications: list[dict[str, Any]] = []
        self.unrecognised: list[str] = []
        self.recent_changes: list[tuple[str, frozenset[str]]] = []
        self.stopped_classes: dict[str, list[str]] = {}
        self.classes: dict[str, Pointers] = {}
        self.medication_names: Pointers = NONE
        self._taken: dict[tuple[str, ...] | frozenset[str], Pointers] = {}
        if not medications:  # most requests: nothing to classify
            return
        classes: dict[str, list[str]] = {}
        names: list[str] = []
        for index, medication in enumerate(medications):
            name = medication["name"]
            pointer = _MEDICATION_NAME[index]
            names.append(pointer)
            found = classify(name)
            if found:
                self.medications.append({"name": name, "classes": sorted(found)})
            else:
                self.unrecognised.append(name)
            change = medication.get("recent_change")
            if change == "stopped":
                for cls in found:
                    self.stopped_classes.setdefault(cls, []).append(f"/medications/{index}/recent_change")
                continue
            for cls in found:
                classes.setdefault(cls, []).append(pointer)
            if change in ("started", "dose_increased"):
                weeks = medication.get("weeks_since_change")
                # Within about six months counts as "began after"; unknown timing counts too.
                if weeks is None or weeks <= 26:
                    self.recent_changes.append((f"/medications/{index}/recent_change", found))
        self.classes = {k: tuple(v) for k, v in classes.items()}
        self.medication_names = tuple(names)

    def _resolve_conflicts(self) -> None:
        signs, person, context = self.signs, self.person, self.context
        temperature = signs.get("temperature_c")
        fever_box = signs.get("fever")
        fever = NONE
        if temperature is not None and temperature >= FEVER_C:
            fever = ("/signs/temperature_c",)
            if fever_box is False:
                self.warn("conflict_fever", "/signs/fever",
                          "A temperature of 38 °C or more was given with fever false; treated as fever.")
        if fever_box is True:
            fever += ("/signs/fever",)
            if temperature is not None and temperature < FEVER_C:
                self.warn("conflict_fever", "/signs/temperature_c",
                          "Fever was reported with a temperature below 38 °C; treated as fever.")
        self.fever: Pointers = fever

        self.pregnant: Pointers = NONE
        if person.get("pregnant") is True:
            self.pregnant = ("/person/pregnant",)
        if "gestation_weeks" in person:
            self.pregnant += ("/person/gestation_weeks",)
            if person.get("pregnant") is False:
                self.warn("conflict_pregnancy", "/person/pregnant",
                          "Weeks of pregnancy were given with pregnant false; treated as pregnant.")
        weeks_postpartum = person.get("weeks_postpartum")
        self.postpartum: Pointers = (
            ("/person/weeks_postpartum",) if weeks_postpartum is not None and weeks_postpartum <= 6 else NONE
        )

        self.swelling = self._implied("swelling", ("swelling_side", "swelling_onset"),
                                      "A swelling side or onset was given with swelling false; treated as swelling.")
        self.numbness = self._implied("numbness", ("numbness_onset",),
                                      "A numbness onset was given with numbness false; treated as numbness.")
        self.weakness = self._implied("weakness", ("weakness_onset",),
                                      "A weakness onset was given with weakness false; treated as weakness.")

        wound = self.wound
        wound_details = (
            tuple([_WOUND[k] for k in ("dirty", "puncture") if wound.get(k) is True])
            + (("/context/wound/days_ago",) if "days_ago" in wound else NONE)
        ) if wound else NONE
        self.wound_present: Pointers = (("/context/wound/present",) if self.wound.get("present") is True else NONE)
        if wound_details and not self.wound_present:
            if self.wound.get("present") is False:
                self.warn("conflict_wound", "/context/wound/present",
                          "Wound details were given with present false; treated as a wound.")
            self.wound_present = wound_details

        self.injury: Pointers = self.ctx("recent_injury")
        if "injury_hours_ago" in context and not self.injury:
            if context.get("recent_injury") is False:
                self.warn("conflict_injury", "/context/recent_injury",
                          "Hours since an injury were given with recent_injury false; treated as an injury.")
            self.injury = ("/context/injury_hours_ago",)

        duration = self.cramp.get("duration_minutes")
        if duration is not None and duration > IMPLAUSIBLE_DURATION_MINUTES:
            self.warn("implausible_duration", "/cramp/duration_minutes",
                      "A single cramp lasting over an hour is unusual; the answer takes it as a prolonged cramp.")
        episodes = self.cramp.get("episodes_per_week")
        if episodes is not None and episodes > IMPLAUSIBLE_EPISODES_PER_WEEK:
            self.warn("implausible_frequency", "/cramp/episodes_per_week",
                      "More than three cramps a day is unusual; the answer takes it as very frequent cramps.")
        if self.age is not None and self.age < 10 and self.pregnant:
            self.warn("implausible_pregnancy", "/person/age",
                      "Pregnancy was reported for a young child; please check the age.")

    def _implied(self, key: str, details: tuple[str, ...], message: str) -> Pointers:
        """A detail field (side, onset) implies the yes/no sign, whatever the yes/no box says."""
        signs = self.signs
        given = NONE
        if signs:
            for detail in details:
                if detail in signs:
                    given += _SIGN_GROUP[detail]
        if signs.get(key) is True:
            return _SIGN_GROUP[key] + given
        if given and signs.get(key) is False:
            self.warn(f"conflict_{key}", f"/signs/{key}", message)
        return given
