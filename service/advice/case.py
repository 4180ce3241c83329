"""Normalisation at the engine's door: one pass that turns a validated request into the facts rules read.

Every derived fact keeps the JSON Pointers of the request fields it came from (service/advice/pointers.py),
so a red flag can say exactly which answers triggered it. Conflicts resolve to the more serious reading
and are reported as warnings (guidance 2.1.3); absent fields stay unknown (None), never "no".
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from service.advice.pointers import NO_POINTERS, Pointers, field, join
from service.content.models import Thresholds
from service.content.templates import render

LEG_LOCATIONS = frozenset({"calf", "thigh", "shin", "foot"})
EXERCISE_TIMINGS = frozenset({"exercise", "after_exercise"})
DIURETICS = frozenset({"loop_diuretic", "thiazide_diuretic", "potassium_sparing_diuretic"})
POTASSIUM_RAISING = frozenset({"ace_inhibitor", "arb", "potassium_sparing_diuretic"})
HORMONAL = frozenset({"combined_hormonal_contraception", "hrt", "conjugated_oestrogens"})

Classifier = Callable[[str], frozenset[str]]
_SECTIONS = ("person", "cramp", "signs", "context")
_LISTS = ("medications", "conditions", "asks_about", "self_treatment")


# The data_quality.toml texts this module reports (Case.warn); the engine refuses content without them.
WARNING_IDS = frozenset({
    "fever_with_high_temperature", "fever_with_low_temperature", "pregnancy_weeks_without_pregnancy",
    "wound_details_without_wound", "injury_hours_without_injury", "swelling_details_without_swelling",
    "numbness_onset_without_numbness", "weakness_onset_without_weakness", "implausible_duration",
    "implausible_frequency", "implausible_pregnancy",
})


def warning_texts(warnings: Mapping[str, str], limits: Thresholds) -> dict[str, str]:
    """The data-quality warning texts with the thresholds they name filled in ("38 °C"): once per engine."""
    values = {name: f"{getattr(limits, name):g}" for name in Thresholds.ids()}
    return {warning_id: render(text, values) for warning_id, text in warnings.items()}


class Case:
    """The normalised facts of one request. Fact attributes hold pointers (truthy = present)."""

    __slots__ = (
        "raw", "limits", "cramp_associated", "person", "cramp", "signs", "context", "wound", "conditions", "asks",
        "age", "sex", "locations", "timing", "side", "onset", "character", "warnings", "answered",
        "exercise", "dialysis", "medications", "unrecognised", "recent_changes", "stopped_classes",
        "classes", "medication_names", "fever", "pregnant", "postpartum", "swelling", "numbness",
        "weakness", "wound_present", "injury", "warning_texts",
    )

    def __init__(
        self, request: dict[str, Any], classify: Classifier, limits: Thresholds, warning_texts: Mapping[str, str],
        cramp_associated: frozenset[str] = frozenset(),
    ) -> None:
        self.raw = request
        self.warning_texts = warning_texts  # data_quality.toml's texts, thresholds filled (warning_texts())
        self.limits = limits  # the numbers rules compare answers with (content: thresholds.toml)
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
        # Which fields were answered ("signs/chest_pain", "medications", "context/wound/dirty"): the
        # questions worth asking are the others. An empty list is an answer ("medications": [] = none).
        self.answered: frozenset[str] = frozenset(
            [f"{section}/{key}" for section in _SECTIONS for key in request.get(section, ())]
            + [key for key in _LISTS if key in request]
            + [f"context/wound/{key}" for key in self.wound]
        )
        # Pictures many rules and topics read, computed once.
        context = self.context
        self.exercise: Pointers = join(
            ("/cramp/timing",) if not self.timing.isdisjoint(EXERCISE_TIMINGS) else NO_POINTERS,
            ("/context/exertion",) if context.get("exertion") in ("moderate", "strenuous", "extreme") else NO_POINTERS,
            ("/context/endurance_event_hours",) if context.get("endurance_event_hours", 0) > 0 else NO_POINTERS,
        )
        self.dialysis: Pointers = join(
            ("/conditions",) if "dialysis" in self.conditions else NO_POINTERS,
            ("/cramp/timing",) if "dialysis" in self.timing else NO_POINTERS,
        )
        self._medications(request.get("medications", ()), classify)
        self._resolve_conflicts()

    # --- small readers -------------------------------------------------------------------------

    def said_yes(self, section: str, key: str) -> Pointers:
        """The field, when the answer to it was exactly true."""
        return field(section, key) if getattr(self, section).get(key) is True else NO_POINTERS

    def sign(self, key: str) -> Pointers:
        return self.said_yes("signs", key)

    def ctx(self, key: str) -> Pointers:
        return self.said_yes("context", key)

    def any_sign(self, *keys: str) -> Pointers:
        """The signs among these that were answered true."""
        signs = self.signs
        return tuple([f"/signs/{key}" for key in keys if signs.get(key) is True])

    def is_value(self, section: str, key: str, *values: Any) -> Pointers:
        """The field, when its answer is one of these values."""
        return field(section, key) if getattr(self, section).get(key) in values else NO_POINTERS

    def asked(self, items: frozenset[str]) -> Pointers:
        """Pointers to `asks_about` / `self_treatment` when either names one of these items."""
        if items.isdisjoint(self.asks):  # nearly always: nothing asked about
            return NO_POINTERS
        return tuple([f"/{key}" for key in ("asks_about", "self_treatment")
                      if not items.isdisjoint(self.raw.get(key, ()))])

    def has_condition(self, *ids: str) -> Pointers:
        return NO_POINTERS if self.conditions.isdisjoint(ids) else ("/conditions",)

    def taking(self, classes: Iterable[str]) -> Pointers:
        """Pointers to the medication names in any of the given drug classes."""
        if not self.classes:  # most requests name no medicine
            return NO_POINTERS
        return tuple(sorted({pointer for cls in classes for pointer in self.classes.get(cls, ())}))

    def number(self, section: str, key: str) -> float | None:
        value = getattr(self, section).get(key)
        return value if type(value) in (int, float) else None  # exact types: True is not 1 here

    def at_least(self, section: str, key: str, threshold: float) -> Pointers:
        value = self.number(section, key)
        return field(section, key) if value is not None and value >= threshold else NO_POINTERS

    def less_than(self, section: str, key: str, threshold: float) -> Pointers:
        value = self.number(section, key)
        return field(section, key) if value is not None and value < threshold else NO_POINTERS

    def more_than(self, section: str, key: str, threshold: float) -> Pointers:
        value = self.number(section, key)
        return field(section, key) if value is not None and value > threshold else NO_POINTERS

    def located(self, *places: str) -> Pointers:
        """The cramp is in one of these places; unknown location counts for leg places (a leg-cramp service)."""
        known = self.locations if self.locations is not None else LEG_LOCATIONS
        return ("/cramp/locations",) if known.intersection(places) else NO_POINTERS

    def is_child(self) -> bool | None:
        return None if self.age is None else self.age < self.limits.adult_age

    def warn(self, code: str, pointer: str, text: str) -> None:
        """Report a conflicting or implausible answer; `text` names its words in data_quality.toml."""
        self.warnings.append({"code": code, "pointer": pointer, "detail": self.warning_texts[text]})

    # --- normalisation -------------------------------------------------------------------------

    def _medications(self, medications: Iterable[Mapping[str, Any]], classify: Classifier) -> None:
        self.medications: list[dict[str, Any]] = []
        self.unrecognised: list[str] = []
        self.recent_changes: list[tuple[str, frozenset[str]]] = []
        self.stopped_classes: dict[str, list[str]] = {}
        classes: dict[str, list[str]] = {}
        names: list[str] = []
        for index, medication in enumerate(medications):
            name = medication["name"]
            pointer = f"/medications/{index}/name"
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
                if weeks is None or weeks <= self.limits.new_medicine_weeks:
                    self.recent_changes.append((f"/medications/{index}/recent_change", found))
        self.classes: dict[str, Pointers] = {cls: tuple(pointers) for cls, pointers in classes.items()}
        self.medication_names: Pointers = tuple(names)

    def _resolve_conflicts(self) -> None:
        signs, person, context, limits = self.signs, self.person, self.context, self.limits
        temperature = signs.get("temperature_c")
        fever_box = signs.get("fever")
        fever = NO_POINTERS
        if temperature is not None and temperature >= limits.fever_c:
            fever = ("/signs/temperature_c",)
            if fever_box is False:
                self.warn("conflict_fever", "/signs/fever",
                          "fever_with_high_temperature")
        if fever_box is True:
            fever += ("/signs/fever",)
            if temperature is not None and temperature < limits.fever_c:
                self.warn("conflict_fever", "/signs/temperature_c",
                          "fever_with_low_temperature")
        self.fever: Pointers = fever

        self.pregnant: Pointers = self.said_yes("person", "pregnant")
        if "gestation_weeks" in person:
            self.pregnant += ("/person/gestation_weeks",)
            if person.get("pregnant") is False:
                self.warn("conflict_pregnancy", "/person/pregnant",
                          "pregnancy_weeks_without_pregnancy")
        weeks_postpartum = person.get("weeks_postpartum")
        self.postpartum: Pointers = (
            ("/person/weeks_postpartum",) if weeks_postpartum is not None and weeks_postpartum <= limits.postpartum_weeks
            else NO_POINTERS
        )

        self.swelling = self._implied("swelling", ("swelling_side", "swelling_onset"),
                                      "swelling_details_without_swelling")
        self.numbness = self._implied("numbness", ("numbness_onset",),
                                      "numbness_onset_without_numbness")
        self.weakness = self._implied("weakness", ("weakness_onset",),
                                      "weakness_onset_without_weakness")

        wound = self.wound
        wound_details = join(
            *[field("context/wound", key) for key in ("dirty", "puncture") if wound.get(key) is True],
            ("/context/wound/days_ago",) if "days_ago" in wound else NO_POINTERS,
        )
        self.wound_present: Pointers = ("/context/wound/present",) if wound.get("present") is True else NO_POINTERS
        if wound_details and not self.wound_present:
            if wound.get("present") is False:
                self.warn("conflict_wound", "/context/wound/present",
                          "wound_details_without_wound")
            self.wound_present = wound_details

        self.injury: Pointers = self.ctx("recent_injury")
        if "injury_hours_ago" in context and not self.injury:
            if context.get("recent_injury") is False:
                self.warn("conflict_injury", "/context/recent_injury",
                          "injury_hours_without_injury")
            self.injury = ("/context/injury_hours_ago",)

        duration = self.cramp.get("duration_minutes")
        if duration is not None and duration > limits.implausible_cramp_minutes:
            self.warn("implausible_duration", "/cramp/duration_minutes", "implausible_duration")
        episodes = self.cramp.get("episodes_per_week")
        if episodes is not None and episodes > limits.implausible_cramps_per_week:
            self.warn("implausible_frequency", "/cramp/episodes_per_week", "implausible_frequency")
        if self.age is not None and self.age < limits.implausible_pregnancy_age and self.pregnant:
            self.warn("implausible_pregnancy", "/person/age", "implausible_pregnancy")

    def _implied(self, key: str, details: tuple[str, ...], message: str) -> Pointers:
        """A detail field (side, onset) implies the yes/no sign, whatever the yes/no box says."""
        given = join(*[field("signs", detail) for detail in details if detail in self.signs])
        if self.signs.get(key) is True:
            return join(field("signs", key), given)
        if given and self.signs.get(key) is False:
            self.warn(f"conflict_{key}", f"/signs/{key}", message)
        return given
