"""Languages: every text in every locale, the same placeholders, reviewed or said not to be; an edition
differs from the default only in its words."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import pytest
from tooling import edit

from service.content import KnowledgeBaseError, load_editions
from service.content.locales import source_texts, with_texts
from service.content.templates import placeholders

EDITIONS = load_editions()
SOURCE = EDITIONS.locales[EDITIONS.default_language].texts
# Spellings and words an American reader should not meet (en-US inherits en-GB's texts unless it overrides them).
BRITISH = re.compile(r"colour|diarrhoea|\bcentre|haem|oedem|anaem|paediatr|travelled|organis|recognis|\ba fit\b|"
                     r"\bGPs?\b|minor injur|A&E|\btablets?\b|stop-smoking|maternity unit", re.IGNORECASE)


def test_every_language_and_region_is_built() -> None:
    assert EDITIONS.languages == ("en-GB", "en-US", "es") and EDITIONS.default_language == "en-GB"
    assert len(EDITIONS.by_key) == len(EDITIONS.languages) * (1 + len(EDITIONS.regions.regions))


@pytest.mark.parametrize("tag", ["en-GB", "en-US", "es"])
def test_every_text_exists_in_every_locale_with_the_same_placeholders(tag: str) -> None:
    locale = EDITIONS.locales[tag]
    assert set(locale.texts) == set(SOURCE)
    for key, text in locale.texts.items():
        for mine, theirs in zip(*(t if isinstance(t, tuple) else (t,) for t in (text, SOURCE[key]))):
            assert set(placeholders(mine)) == set(placeholders(theirs)), key
    assert set(locale.phrases) == set(EDITIONS.locales["en-GB"].phrases)


# Words Spanish writes as English does (names of countries, units, the product's name, pure placeholders).
SAME_IN_SPANISH = {"Normal", "°C", "No", "Diabetes", "Australia", "Austria", "Bulgaria", "Estonia", "Malta",
                   "Portugal", "Cramp Advice", "Error:", "{label} {number}", "{row}, {field}"}


def test_the_standalone_translation_words_every_text_itself() -> None:
    spanish = EDITIONS.locales["es"]
    assert spanish.counts["texts"] == len(SOURCE)
    assert spanish.counts["phrases"] == len(spanish.phrases)
    untranslated = [key for key, text in spanish.texts.items() if text == SOURCE[key] and text not in SAME_IN_SPANISH]
    assert untranslated == []


def test_translations_say_they_await_review() -> None:
    assert EDITIONS.locales["en-GB"].translation_reviewed is True  # the source: nothing translated
    for tag in ("en-US", "es"):
        locale = EDITIONS.locales[tag]
        assert locale.translation_reviewed is False
        assert locale.counts["unreviewed"] == locale.counts["entries"] > 0
        assert all(edition.translation_reviewed is False
                   for (language, _), edition in EDITIONS.by_key.items() if language == tag)


@pytest.mark.parametrize("code", [None, "US", "CA"])
def test_american_english_has_no_british_spelling_or_services(code: str | None) -> None:
    kb = EDITIONS.edition("en-US", code).kb
    found = [(key, match.group(0)) for key, text in source_texts(kb).items()
             for one in (text if isinstance(text, tuple) else (text,)) for match in BRITISH.finditer(one)]
    assert found == []


def test_an_edition_differs_from_the_default_only_in_its_texts() -> None:
    default = EDITIONS.default.kb
    words = source_texts(default)
    for key, edition in EDITIONS.by_key.items():
        assert with_texts(edition.kb, words) == default, key


def test_the_default_edition_is_what_the_rulebook_and_load_knowledge_base_see() -> None:
    from service.content import load_knowledge_base

    # Equal, not identical: tests that load scratch content can push the real content out of the cache.
    assert load_knowledge_base() == EDITIONS.default.kb
    assert not any("{" in text for text in (EDITIONS.default.kb.disclaimer, EDITIONS.default.kb.emergency_fallback))


@pytest.mark.parametrize(("file", "change", "message"), [
    ("locales/es.toml", lambda t: t.replace(
        '[rule.possible_dvt]\ntranslation_reviewed = false\ntitle = "Posible coágulo de sangre en la pierna (TVP, '
        'trombosis venosa profunda)"\n', "[rule.possible_dvt]\ntranslation_reviewed = false\n"),
     "locales/es.toml: rule 'possible_dvt': 'title': missing"),
    ("locales/es.toml", lambda t: t.replace("[rule.possible_dvt]", "[rule.possible_dvtt]"),
     "locales/es.toml: rule 'possible_dvtt': 'title': no such text in the base files"),
    ("locales/es.toml", lambda t: t.replace(
        "Si le falta el aire, tiene dolor en el pecho o tose sangre, llame {emergency_number}{emergency_examples}.",
        "Si le falta el aire, llame.", 1),
     "locales/es.toml: rule 'possible_dvt': 'advice': placeholders"),
    ("locales/es.toml", lambda t: t.replace(
        '[contraindication.under_18]\ntranslation_reviewed = false\n', "[contraindication.under_18]\n"),
     "locales/es.toml: contraindication 'under_18': needs 'translation_reviewed'"),
    ("locales/es.toml", lambda t: t.replace('  "No la cubra con un vendaje apretado ni ponga calor encima.",\n', ""),
     "locales/es.toml: recommendation 'topical_analgesic': 'cautions': must be a list of 3"),
    ("locales/es.toml", lambda t: t.replace('without_service = "un servicio de atención urgente"\n', "", 1),
     "locales/es.toml: phrase 'urgent_care' has no wording for region 'US'"),
    ("locales/es.toml", lambda t: t.replace("[phrase.in_the_uk]", "[phrase.in_the_gb]"),
     "locales/es.toml: phrase 'in_the_gb': no such phrase"),
    ("locales/es.toml", lambda t: t.replace("[service.IE]", "[service.NL]"),
     "locales/es.toml: service 'NL': no region with an urgent-care service"),
    ("locales/es.toml", lambda t: t.replace('name = "NHS 111 (en Irlanda del Norte, GP Out-of-Hours)"',
                                            'name = "NHS (en Irlanda del Norte, GP Out-of-Hours)"'),
     "locales/es.toml: service 'GB': must name the same numbers"),
    ("locales/en-US.toml", lambda t: t.replace('inherits = "en-GB"', 'inherits = "es"'),
     "locales/en-US.toml: 'inherits' must name a locale listed before it"),
    ("locales/index.toml", lambda t: t.replace('"en-US", "es"]', '"en-US", "es", "fr"]'),
     "locales/fr.toml: cannot be read"),
    ("rules.toml", lambda t: t.replace("or use {urgent_care}.", "or use {urgent_kare}.", 1),
     "rules.toml: rule 'possible_dvt': 'advice': names {urgent_kare}, which no phrase"),
])
def test_a_broken_locale_stops_start_up_naming_file_and_entry(data_dir: Path, file: str,
                                                              change: Callable[[str], str], message: str) -> None:
    edit(data_dir / file, change)
    with pytest.raises(KnowledgeBaseError) as caught:
        load_editions(data_dir)
    assert message in str(caught.value)


def test_the_app_does_not_start_on_a_broken_locale(data_dir: Path) -> None:
    from service.app import create_app
    from service.config import Settings

    edit(data_dir / "locales/es.toml", lambda t: t.replace("[rule.possible_dvt]", "[rule.possible_dvtt]"))
    with pytest.raises(KnowledgeBaseError, match="locales/es.toml"):
        create_app(Settings(knowledge_base_dir=data_dir))


def test_a_new_locale_starts_from_a_skeleton_that_loads_once_translated(data_dir: Path) -> None:
    from service.content.locale_skeleton import skeleton

    (data_dir / "locales" / "fr.toml").write_text(skeleton("fr", "Français", "ou", data_dir), encoding="utf-8")
    edit(data_dir / "locales/index.toml", lambda t: t.replace('"en-US", "es"]', '"en-US", "es", "fr"]'))
    editions = load_editions(data_dir)  # structurally complete; the test above fails while it is English
    assert editions.locales["fr"].translation_reviewed is False
    assert len(editions.by_key) == 4 * (1 + len(editions.regions.regions))
