"""The CDS content files: checked at start-up, naming file and entry; cards say only what guidance says."""
from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from service.advice import Engine
from service.cds.cards import escape
from service.cds.codes import code_ok, loinc_ok, verhoeff_ok
from service.cds.content import DATA_DIR, CdsContent, CdsContentError, card_languages, load_content
from service.cds.ids import card_uuid, kind_index
from service.cds.locale import offered
from service.cds.services import CdsServices
from service.content import KnowledgeBase

GUIDANCE = Path(__file__).resolve().parents[3] / "shared" / "clinical" / "guidance.md"


@pytest.fixture(scope="module")
def services(kb: KnowledgeBase, engine: Engine) -> CdsServices:
    return CdsServices(kb, engine, load_content(kb, engine.lexicon))


def test_check_digits() -> None:
    assert verhoeff_ok("44054006") and not verhoeff_ok("44054007")
    assert loinc_ok("2823-3") and not loinc_ok("2823-4")
    assert code_ok("atc", "P01BC01") and not code_ok("atc", "P01BC1")
    assert code_ok("icd10", "R25.2") and not code_ok("icd10", "R252X")


BREAKAGES = [
    ("codes.toml", 'code_source = "who-icd10"', 'code_source = "nowhere"', "cramp_problem 'icd10_cramp_and_spasm'"),
    ("codes.toml", 'snomed = ["709044004"]', 'snomed = ["709044005"]', "condition 'ckd': snomed code"),
    ("codes.toml", 'prefix = "C03CA"   # high-ceiling diuretics, sulfonamides (furosemide, bumetanide, torasemide)\nclasses = ["loop_diuretic"]',
     'prefix = "C03CA"\nclasses = ["loop_diuretics"]', "atc 'C03CA'"),
    ("codes.toml", 'loinc = ["2823-3"]', 'loinc = ["2823-4"]', "lab 'potassium'"),
    ("codes.toml", 'basis = ["S40", "S6", "S9"]', 'basis = ["S40", "S99"]', "condition 'dialysis'"),
    ("cards.toml", 'sources = ["S19", "S4", "S8"]', 'sources = ["S19", "S4", "S88"]', "card 'cramp_medicines' statement #1"),
    ("cards.toml", 'rules = ["supplements_with_kidney_risk"]', 'rules = ["no_such_rule"]', "card 'potassium_magnesium_caution'"),
    ("cards.toml", 'classes = ["laba"]', 'classes = ["laba", "ace_inhibitor"]', "[[association]] must cover exactly"),
    ("cards.toml", 'summary_one = "Leg cramps on the problem list: what to check"',
     'summary_one = "' + "x" * 140 + '"', "card 'what_to_check': 'summary_one' is 140 characters"),
    ("cards.toml", 'summary_many = "{count} current medicines', 'summary_many = "{counted} current medicines',
     "card 'cramp_medicines': 'summary_many' names {counted}, which the cards never fill in"),
    ("cards.toml", 'summary_one = "{title} (guidance {guidance_id})"',
     'summary_one = "{title} (guidance {guidance_id}) ' + "x" * 100 + '"',
     "card 'guidance_flag': 'summary_one' is"),
]


def _break(tmp_path: Path, file: str, old: str, new: str) -> None:
    for name in ("codes.toml", "cards.toml", "cards.es.toml"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    text = (tmp_path / file).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (tmp_path / file).write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(("file", "old", "new", "says"), BREAKAGES, ids=[b[3] for b in BREAKAGES])
def test_a_bad_entry_stops_start_up_naming_file_and_entry(kb: KnowledgeBase, engine: Engine, tmp_path: Path,
                                                          file: str, old: str, new: str, says: str) -> None:
    _break(tmp_path, file, old, new)
    with pytest.raises(CdsContentError) as caught:
        load_content(kb, engine.lexicon, tmp_path)
    assert str(caught.value).startswith(file) and says in str(caught.value)


SPANISH = "cards.es.toml"
TRANSLATION_BREAKAGES = [
    ('statements = [\n  "Revíselos con el paciente.', 'statements = [\n]\nunused = [\n  "Revíselos con el paciente.',
     "card 'cramp_medicines'"),
    ('"No durante el embarazo (teratogenia).",\n]\n\n[card.what_to_check]', ']\n\n[card.what_to_check]',
     "card 'quinine_on_record': 'statements' needs statement #4"),
    ('summary_many = "{count} medicamentos', 'summary_many = "{n} medicamentos',
     "card 'cramp_medicines': 'summary_many' has the placeholders {n} where cards.toml has {count}"),
    ('results_missing = "Sin resultados en la historia clínica de: {labs}."', 'results_missing = "Sin resultados."',
     "card 'what_to_check': 'results_missing' has the placeholders {} where cards.toml has {labs}"),
    ('action = "Eliminar la prescripción de quinina en borrador {resource}"', 'action = "Eliminar {resource"',
     "card 'quinine_order': 'action' has an unmatched { or }"),
    ('link_label = "Cuestionario', 'link_labels = "Cuestionario', "card 'what_to_check': 'link_label' must be"),
    ('[lab.tsh]\ntranslation_reviewed = false\nlabel = "TSH"\n', '', "lab 'tsh': missing"),
    ('[override_reason.specialist-advice]\ntranslation_reviewed = false\n', '[override_reason.specialist-advice]\n',
     "override_reason 'specialist-advice': needs 'translation_reviewed'"),
    ('[association.saba]\n', '[association.salbutamol]\n', "association 'saba': missing"),
    ('[drug_class.lithium]\n', '[drug_class.lithium]\nnote = "x"\n', "drug_class 'lithium': unknown keys ['note']"),
    ('summary_one = "No se recomienda la quinina', 'summary_one = "' + "x" * 60 + ' No se recomienda la quinina',
     "card 'quinine_order': 'summary_one' is 165 characters filled in"),
    ('language = "es"', 'language = "en"', "top level: 'language' must be 'es'"),
]


@pytest.mark.parametrize(("old", "new", "says"), TRANSLATION_BREAKAGES, ids=[b[2] for b in TRANSLATION_BREAKAGES])
def test_a_missing_or_wrong_spanish_statement_stops_start_up(kb: KnowledgeBase, engine: Engine, tmp_path: Path,
                                                             old: str, new: str, says: str) -> None:
    _break(tmp_path, SPANISH, old, new)
    load_content(kb, engine.lexicon, tmp_path)  # English alone does not read the translation
    with pytest.raises(CdsContentError) as caught:
        load_content(kb, engine.lexicon, tmp_path, "es")
    assert str(caught.value).startswith(SPANISH) and says in str(caught.value), str(caught.value)


def test_a_spanish_summary_too_long_with_a_rule_title_names_the_rule(kb: KnowledgeBase, engine: Engine,
                                                                      tmp_path: Path) -> None:
    _break(tmp_path, SPANISH, 'summary_one = "{title} (guía {guidance_id})"',
           'summary_one = "{title} (guía {guidance_id}) ' + "x" * 80 + '"')
    with pytest.raises(CdsContentError) as caught:
        load_content(kb, engine.lexicon, tmp_path, "es")
    assert "card 'guidance_flag': 'summary_one' is" in str(caught.value) and "with the title of rule" in str(caught.value)


def test_languages_follow_the_translation_files(tmp_path: Path, kb: KnowledgeBase, engine: Engine) -> None:
    assert card_languages() == ("en", "es")
    for name in ("codes.toml", "cards.toml"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    assert card_languages(tmp_path) == ("en",)
    assert offered(("en-GB", "en-US", "es"), card_languages(tmp_path)) == ("en-GB", "en-US")
    assert offered(("en-GB", "en-US", "es"), card_languages()) == ("en-GB", "en-US", "es")
    spanish = load_content(kb, engine.lexicon, language="es")
    assert spanish.translation_reviewed is False, "no clinician has reviewed the Spanish cards yet"
    assert load_content(kb, engine.lexicon).translation_reviewed is True


def test_every_cited_source_is_a_guidance_source(services: CdsServices) -> None:
    guidance = GUIDANCE.read_text(encoding="utf-8") if GUIDANCE.is_file() else ""
    for card in services.content.cards.values():
        for statement in card.statements:
            for source in statement.sources:
                assert source in services.kb.sources
                if guidance:
                    assert f"| {source} |" in guidance


def _all_card_text(content: CdsContent) -> list[str]:
    texts = []
    for card in content.cards.values():
        texts += [card.summary_one, card.summary_many, card.heading] + [s.text for s in card.statements]
        texts += [v.text if hasattr(v, "text") else str(v) for v in card.extra.values()]
    return texts


def test_no_card_recommends_quinine_or_tells_anyone_to_stop_a_medicine(services: CdsServices) -> None:
    for text in _all_card_text(services.content):
        lowered = text.lower()
        assert not re.search(r"\b(start|prescribe|try|recommend(ed)?|use)\s+quinine\b", lowered), text
        if re.search(r"\bstop\b", lowered):  # only the NHS statin advice (S31) and quinine's MHRA trial rule
            assert "statin" in lowered or "no benefit" in lowered, text


def test_nor_does_any_spanish_card(kb: KnowledgeBase, engine: Engine) -> None:
    for text in _all_card_text(load_content(kb, engine.lexicon, language="es")):
        lowered = text.lower()
        assert not re.search(r"\b(inicie|empiece|prescriba|pruebe|recomiende|use|usar)\s+(la\s+)?quinina\b", lowered), text
        # "Stop" only where the English says it: the statin advice and the MHRA trial rule ("rather
        # than stopping a prescribed medicine" advises against it).
        if re.search(r"\bsusp[eé]nd", lowered.replace("en lugar de suspender", "")):
            assert "estatina" in lowered or "no hay beneficio" in lowered, text


def test_chart_text_is_inert_markdown() -> None:
    hostile = "[click](javascript:alert(1)) <img src=x onerror=1> **bold** `code` ![i](x)"
    escaped = escape(hostile)
    assert "<" not in escaped and ">" not in escaped
    assert "](" not in escaped.replace("\\](", "")
    assert "\\*\\*bold\\*\\*" in escaped and "\\`code\\`" in escaped


def test_card_uuids_carry_their_kind_and_nothing_else_is_ours() -> None:
    ids = {card_uuid(3) for _ in range(1000)}
    assert len(ids) == 1000 and {kind_index(i) for i in ids} == {3}
    assert kind_index("4e0a3a1e-3283-4575-ab82-028d55fe2719") is None
    assert kind_index("not a uuid") is None


def _request(conditions: list[dict[str, Any]], medicines: list[dict[str, Any]]) -> dict[str, Any]:
    def bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
        return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}
    return {"hook": "patient-view", "hookInstance": "0e4c8f64-2ad5-4a31-9d7a-3b0c7c1d2e14",
            "context": {"patientId": "p"},
            "prefetch": {"patient": {"resourceType": "Patient", "id": "p"}, "conditions": bundle(conditions),
                         "medications": bundle(medicines)}}


def _condition(text: str, coding: dict[str, str] | None = None) -> dict[str, Any]:
    code: dict[str, Any] = {"text": text}
    if coding:
        code["coding"] = [coding]
    return {"resourceType": "Condition", "code": code, "subject": {"reference": "Patient/p"}}


@pytest.mark.parametrize(("text", "coding", "is_cramp"), [
    ("Nocturnal leg cramps", None, True),
    ("Cramp in lower leg", {"system": "http://snomed.info/sct", "code": "449917004"}, True),
    ("Muscle cramps", None, True),
    ("Cramp and spasm", {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "R25.2"}, True),
    ("Abdominal cramps", None, False),
    ("Menstrual cramps", None, False),
    ("Leg pain", None, False),
])
def test_what_counts_as_a_cramp_problem(services: CdsServices, text: str, coding: dict[str, str] | None,
                                        is_cramp: bool) -> None:
    answer = services.review(_request([_condition(text, coding)], []), date(2026, 12, 3), None)
    assert bool(answer.body["cards"]) is is_cramp


def test_salt_forms_are_not_supplements(services: CdsServices) -> None:
    medicines = [{"resourceType": "MedicationRequest", "status": "active", "intent": "order",
                  "medicationCodeableConcept": {"text": name}, "subject": {"reference": "Patient/p"}}
                 for name in ("Losartan potassium 50mg", "Esomeprazole magnesium 20mg")]
    ckd = _condition("CKD", {"system": "http://hl7.org/fhir/sid/icd-10", "code": "N18.4"})
    answer = services.review(_request([_condition("Leg cramps"), ckd], medicines), date(2026, 12, 3), None)
    assert "potassium_magnesium_caution" not in answer.kinds
