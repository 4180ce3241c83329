"""Validated FHIR resources -> a Chart (what the cards talk about) and the engine's request facts.

Pure: no Flask, no clock (the caller passes today's date). Every mapping from a code to a fact is in
service/cds/data/codes.toml; medicine names go through the engine's own lexicon. `ChartReader.uses`
is the pre-read that decides, before validation, which resources can change the answer (see
service/cds/fhir.py for what that means for validation).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from service.advice.medications import MedicationLexicon, tokens
from service.cds.codes import normalise
from service.cds.content import CodeMaps, LabKind

MAX_MEDICINES = 50  # the request schema's limit
MAX_NAME = 100
ACTIVE_CONDITION = frozenset({"active", "recurrence", "relapse"})
NOT_A_DIAGNOSIS = frozenset({"refuted", "entered-in-error"})
CURRENT_MEDICINE = frozenset({"active", "on-hold", "intended"})
RESULT_STATUSES = frozenset({"final", "amended", "corrected"})
PREGNANCY_WORDS = frozenset({"pregnant", "pregnancy"})
NOT_WORDS = frozenset({"not", "no", "non"})
UNNAMED_MEDICINE = "a medicine given by reference only"  # what the engine is given for a medicine without a name


@dataclass(frozen=True, slots=True)
class Medicine:
    name: str  # as the record writes it (text, else the first display), or "" when it has none
    reference: str  # "MedicationRequest/123"
    engine_name: str  # what the engine classifies: the name, plus a lexicon term for an ATC-only class
    supplements: frozenset[str]


@dataclass(frozen=True, slots=True)
class LabResult:
    kind: LabKind
    value: str  # "3.2 mmol/L", a coded display or a string, as recorded
    when: str  # the effective date (YYYY-MM-DD) or ""
    flag: str  # the record's own interpretation display, or ""


@dataclass(slots=True)
class Chart:
    age: int | None = None
    sex: str | None = None
    pregnant: bool | None = None
    languages: list[str] = field(default_factory=list)  # BCP 47 tags from Patient.communication, preferred first
    cramp_problem: bool = False
    conditions: dict[str, list[str]] = field(default_factory=dict)  # condition id -> displays as recorded ("": none)
    medicines: list[Medicine] = field(default_factory=list)
    labs: dict[str, LabResult] | None = None  # None: observations were not sent


def codings(concept: Any) -> list[dict[str, Any]]:
    if not isinstance(concept, dict):
        return []
    return [c for c in concept.get("coding", ()) if isinstance(c, dict)]


def concept_text(concept: Any) -> str:
    """A concept's text, else its first display, else ""."""
    if not isinstance(concept, dict):
        return ""
    text = concept.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()
    return next((c["display"].strip() for c in codings(concept) if isinstance(c.get("display"), str)), "")


def plain_concept(concept: Any) -> bool:
    """A CodeableConcept (or its absence) the pre-read can read as JSON: text a string, coding an array of
    objects whose system, code and display are strings. Anything else is left to the library to report."""
    if concept is None:
        return True
    if not isinstance(concept, dict) or not isinstance(concept.get("text", ""), str):
        return False
    coding = concept.get("coding", ())
    return isinstance(coding, (list, tuple)) and all(
        isinstance(c, dict) and isinstance(c.get("system", ""), str) and isinstance(c.get("code", ""), str)
        and isinstance(c.get("display", ""), str) for c in coding)


def _code_of(concept: Any) -> str:
    return next((c.get("code", "") for c in codings(concept)), "")


def _texts(concept: Any) -> list[str]:
    """A concept's text and displays, each once (a display often repeats the text)."""
    texts = [concept.get("text")] if isinstance(concept, dict) else []
    texts += [c.get("display") for c in codings(concept)]
    return list(dict.fromkeys(text for text in texts if isinstance(text, str)))


class ChartReader:
    """Reads validated resources into a Chart, using the content's code maps and the engine's lexicon."""

    def __init__(self, codes: CodeMaps, lexicon: MedicationLexicon) -> None:
        self.codes, self.lexicon = codes, lexicon
        self._icd = {codes.systems["icd10"], codes.systems["icd10cm"]}
        self._atc, self._loinc = codes.systems["atc"], codes.systems["loinc"]
        self._phrases = {" ".join(phrase): supplement for phrase, supplement in codes.supplement_names}
        self._first_words = frozenset(phrase[0] for phrase, _ in codes.supplement_names if phrase)
        # ATC prefixes (every level of a code: A, A10, A10B...) -> the lexicon terms and supplements they
        # mean, so a code is looked up level by level instead of tried against every prefix.
        self._atc_levels: dict[str, tuple[list[str], list[str]]] = {}  # prefix -> (terms, supplements)
        for prefix, _, term in codes.atc:
            self._atc_levels.setdefault(prefix, ([], []))[0].append(term)
        for prefix, supplement in codes.supplement_atc:
            self._atc_levels.setdefault(prefix, ([], []))[1].append(supplement)
        self._atc_lengths = sorted({len(prefix) for prefix in self._atc_levels})
        # Any cramp word appears in the lower-cased text of a concept that has it as a word (ASCII text).
        self._cramp_words = tuple(codes.cramp_words)
        # ICD-10 prefixes by the code's first letter: a look-up narrows ~40 prefixes to a few.
        self._icd_prefixes: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {}
        for system, pairs in codes.condition_prefixes.items():
            by_letter: dict[str, list[tuple[str, str]]] = {}
            for prefix, condition in pairs:
                by_letter.setdefault(prefix[0], []).append((prefix, condition))
            self._icd_prefixes[system] = {letter: tuple(found) for letter, found in by_letter.items()}

    # --- The pre-read -------------------------------------------------------------------------------

    def uses(self, resource: dict[str, Any]) -> bool:
        """Whether this resource can change the answer, from resourceType, status and code alone.

        Conservative: a status or code the pre-read cannot read plainly (a wrong JSON type, a null in
        an array) counts as used, so validation reports it. The rules mirror the readers below: a
        Condition whose code is neither a cramp problem nor a condition of codes.toml is never read
        further; nor is a medicine that is not current, nor an Observation that is not a result of a
        mapped LOINC code. The Patient, and any other type, is always used.
        """
        rtype = resource.get("resourceType")
        if rtype == "Condition":
            concept = resource.get("code")
            if not plain_concept(concept):
                return True
            cramp, condition_ids = self._coded(concept)
            return cramp or bool(condition_ids) or self._names_a_cramp(concept)  # words only when codes say nothing
        if rtype in ("MedicationRequest", "MedicationStatement"):
            status = resource.get("status")
            return not isinstance(status, str) or status in CURRENT_MEDICINE
        if rtype == "Observation":
            status, concept = resource.get("status"), resource.get("code")
            if not isinstance(status, str) or not plain_concept(concept):
                return True
            return status in RESULT_STATUSES and self._lab_kind(concept) is not None
        return True

    # --- Patient ------------------------------------------------------------------------------------

    def patient(self, chart: Chart, patient: dict[str, Any], today: date) -> None:
        born = patient.get("birthDate")
        if isinstance(born, str) and len(born) >= 4:
            year, month, day = (int(part) for part in (born.split("-") + ["12", "31"])[:3])
            age = today.year - year - ((today.month, today.day) < (month, day))
            chart.age = age if 0 <= age <= 120 else None  # beyond the schema's range: unknown, not clamped
        if patient.get("gender") in ("female", "male", "other"):
            chart.sex = patient["gender"]
        communications = [c for c in patient.get("communication", ()) if isinstance(c, dict)]
        communications.sort(key=lambda c: c.get("preferred") is not True)
        for communication in communications:
            chart.languages += [c["code"] for c in codings(communication.get("language")) if isinstance(c.get("code"), str)]

    # --- Conditions ---------------------------------------------------------------------------------

    def condition(self, chart: Chart, condition: dict[str, Any]) -> None:
        clinical = _code_of(condition.get("clinicalStatus"))
        if (clinical and clinical not in ACTIVE_CONDITION) or _code_of(condition.get("verificationStatus")) in NOT_A_DIAGNOSIS:
            return
        concept = condition.get("code")
        cramp, condition_ids = self._coded(concept)
        if cramp or self._names_a_cramp(concept):
            chart.cramp_problem = True
        display = concept_text(concept)  # "" when the record names it only by code: the cards say so
        for condition_id in condition_ids:
            chart.conditions.setdefault(condition_id, []).append(display)

    def _coded(self, concept: Any) -> tuple[bool, set[str]]:
        """(whether a code says cramp problem, the conditions its codes map to), in one pass over the codings."""
        cramp, found = False, set()
        for coding in codings(concept):
            system, code = coding.get("system", ""), coding.get("code")
            if not isinstance(code, str) or not code:
                continue
            if system in self._icd:
                code = normalise(code)
                cramp = cramp or code in self.codes.cramp_prefixes.get(system, ())
                candidates = self._icd_prefixes.get(system, {}).get(code[0], ())
                found.update(c for prefix, c in candidates if code.startswith(prefix))
            elif (system, code) in self.codes.condition_codes:
                found.add(self.codes.condition_codes[(system, code)])
        return cramp, found

    def _names_a_cramp(self, concept: Any) -> bool:
        """A cramp named in words: a cramp word and a site word, and none of the words for other cramps."""
        texts = _texts(concept)
        joined = " ".join(texts).lower()
        if joined.isascii() and not any(word in joined for word in self._cramp_words):
            return False  # no cramp word anywhere: no need to cut the texts into words
        words = {word for text in texts for word in tokens(text)}
        codes = self.codes
        return bool(words & codes.cramp_words and words & codes.site_words and not words & codes.not_words)

    # --- Medicines ----------------------------------------------------------------------------------

    def medicine(self, chart: Chart, resource: dict[str, Any]) -> None:
        if resource.get("status") not in CURRENT_MEDICINE or len(chart.medicines) >= MAX_MEDICINES:
            return
        concept = resource.get("medicationCodeableConcept")
        reference = resource.get("medicationReference")
        name = concept_text(concept) or (reference.get("display", "") if isinstance(reference, dict) else "")
        name = " ".join(name.split())[:MAX_NAME]  # "" for a medicine given by reference only: the cards say so
        terms: list[str] = []
        supplements: set[str] = set()
        for coding in codings(concept):
            code = coding.get("code")
            if coding.get("system") == self._atc and isinstance(code, str):
                for length in self._atc_lengths:
                    level = self._atc_levels.get(code[:length]) if length <= len(code) else None
                    if level is not None:
                        terms += level[0]
                        supplements.update(level[1])
        texts = list(dict.fromkeys([name] + [c["display"] for c in codings(concept) if isinstance(c.get("display"), str)]))
        supplements.update(self._supplements(texts))
        # The engine classifies one name: the record's text, else a coded display the lexicon knows,
        # plus a lexicon term for each class only the ATC code tells.
        classify = self.lexicon.classify
        engine_name, known = name or UNNAMED_MEDICINE, classify(name)
        if not known:
            for text in texts[1:]:
                if classify(text):
                    engine_name = text[:MAX_NAME]
                    known = classify(engine_name)
                    break
        extra = [t for t in dict.fromkeys(terms) if not classify(t) <= known]
        if extra:
            suffix = f" ({', '.join(extra)})"
            engine_name = engine_name[: MAX_NAME - len(suffix)].rstrip() + suffix
        chart.medicines.append(Medicine(name, _reference(resource), engine_name, frozenset(supplements)))

    def _supplements(self, texts: Iterable[str]) -> set[str]:
        """Potassium or magnesium products named by whole phrases of up to four words."""
        found = set()
        phrases = self._phrases
        for text in texts:
            words = tokens(text)
            if self._first_words.isdisjoint(words):  # nearly every medicine: no phrase can start here
                continue
            for size in range(1, 5):
                for start in range(len(words) - size + 1):
                    hit = phrases.get(" ".join(words[start:start + size]))
                    if hit:
                        found.add(hit)
        return found

    # --- Observations -------------------------------------------------------------------------------

    def observation(self, chart: Chart, observation: dict[str, Any]) -> None:
        if observation.get("status") not in RESULT_STATUSES:
            return
        kind = self._lab_kind(observation.get("code"))
        if kind is None:
            return
        when = _effective(observation)
        labs = chart.labs if chart.labs is not None else {}
        chart.labs = labs
        current = labs.get(kind.id)
        if current is not None and current.when >= when:
            return
        labs[kind.id] = LabResult(kind, _value(observation), when,
                                  concept_text(next(iter(observation.get("interpretation", ())), None)))
        if kind.id == "pregnancy_status":
            chart.pregnant = _pregnant(observation.get("valueCodeableConcept"))

    def _lab_kind(self, concept: Any) -> LabKind | None:
        labs = self.codes.labs
        return next((labs[c["code"]] for c in codings(concept)
                     if c.get("system") == self._loinc and c.get("code") in labs), None)

    # --- Facts for the engine -----------------------------------------------------------------------

    def facts(self, chart: Chart) -> dict[str, Any]:
        """The engine's request: only what the chart says; everything else stays unknown."""
        person: dict[str, Any] = {}
        if chart.age is not None:
            person["age"] = chart.age
        if chart.sex is not None:
            person["sex"] = chart.sex
        if chart.pregnant is not None:
            person["pregnant"] = chart.pregnant
        request: dict[str, Any] = {}
        if person:
            request["person"] = person
        names = list(dict.fromkeys(m.engine_name for m in chart.medicines))
        request["medications"] = [{"name": name} for name in names]
        request["conditions"] = sorted(chart.conditions)
        taken = sorted({s for m in chart.medicines for s in m.supplements})
        if taken:
            request["self_treatment"] = taken
        return request


def _reference(resource: dict[str, Any]) -> str:
    rid = resource.get("id")
    return f"{resource['resourceType']}/{rid}" if isinstance(rid, str) else resource["resourceType"]


def _effective(observation: dict[str, Any]) -> str:
    period = observation.get("effectivePeriod")
    for value in (observation.get("effectiveDateTime"), observation.get("effectiveInstant"),
                  period.get("end") or period.get("start") if isinstance(period, dict) else None,
                  observation.get("issued")):
        if isinstance(value, str):
            return value[:10]
    return ""


def _value(observation: dict[str, Any]) -> str:
    quantity = observation.get("valueQuantity")
    if isinstance(quantity, dict) and "value" in quantity:
        unit = quantity.get("unit") or quantity.get("code") or ""
        return f"{quantity['value']} {unit}".strip()
    if "valueCodeableConcept" in observation:
        return concept_text(observation["valueCodeableConcept"])
    value = observation.get("valueString")
    return value.strip() if isinstance(value, str) else ""


def _pregnant(concept: Any) -> bool | None:
    """Pregnant / not pregnant from the answer's words; anything else (unknown) stays unknown."""
    words = set(tokens(concept_text(concept)))
    if not words & PREGNANCY_WORDS:
        return None
    return not bool(words & NOT_WORDS)
