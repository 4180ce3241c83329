"""The region table: every number is what the phone network says it is, sourced, reviewed, and the only
place a number is written."""
from __future__ import annotations

import datetime
from pathlib import Path
from typing import Callable

import phonenumbers
import pytest
from phonenumbers import shortnumberinfo
from spec_check import load_spec
from tooling import edit

from schemas import ASSESS_REQUEST
from service.content import KnowledgeBaseError, load_editions
from service.content.regions import Region
from service.content.vocabulary import REGIONS

EDITIONS = load_editions()
TABLE = EDITIONS.regions
ENTRIES = list(TABLE.regions.values())


def country(code: str) -> str:
    """The ISO 3166-1 country of a code (GB-WLS -> GB): what phonenumbers' data is keyed by."""
    return code.split("-")[0]


def test_the_table_covers_exactly_the_contract_regions() -> None:
    assert set(TABLE.by_code) == set(REGIONS)
    assert ASSESS_REQUEST.fields["region"].validators[0].choices == REGIONS
    spec = load_spec()["components"]["schemas"]
    assert spec["AssessRequest"]["properties"]["region"]["enum"] == list(REGIONS)
    assert spec["KnowledgeBase"]["properties"]["region"]["enum"] == [*REGIONS, None]


@pytest.mark.parametrize("region", ENTRIES, ids=[r.id for r in ENTRIES])
def test_every_emergency_number_is_one_for_every_code_of_its_region(region: Region) -> None:
    for code in region.codes:
        for number in region.emergency:
            assert shortnumberinfo.is_emergency_number(number, country(code)), (region.id, code, number)


@pytest.mark.parametrize("region", [r for r in ENTRIES if r.urgent_care and r.urgent_care.number],
                         ids=[r.id for r in ENTRIES if r.urgent_care and r.urgent_care.number])
def test_every_urgent_care_number_is_valid_and_not_an_emergency_number(region: Region) -> None:
    assert region.urgent_care is not None
    number = region.urgent_care.number
    for code in region.codes:
        parsed = phonenumbers.parse(number, country(code))
        if len(number.replace(" ", "")) <= 4:
            assert shortnumberinfo.is_valid_short_number_for_region(parsed, country(code)), (code, number)
        else:
            assert phonenumbers.is_valid_number_for_region(parsed, country(code)), (code, number)
        # Sending a person to their emergency number for advice is the error the table exists to prevent.
        assert not shortnumberinfo.is_emergency_number(number.replace(" ", ""), country(code)), (code, number)


def test_new_zealand_is_never_sent_to_111_for_advice() -> None:
    nz = TABLE.by_code["NZ"]
    assert nz.emergency == ("111",)
    assert nz.urgent_care is not None and "111" not in nz.urgent_care.label


@pytest.mark.parametrize("region", ENTRIES, ids=[r.id for r in ENTRIES])
def test_every_fact_has_a_source_and_is_within_its_review_date(region: Region) -> None:
    assert region.emergency_source.startswith("https://")
    if region.urgent_care:
        assert region.urgent_care.source.startswith("https://")
    assert region.reviewed <= datetime.date.today().isoformat() <= region.next_review, (
        f"regions.toml: region '{region.id}' is due for review: check its numbers against its sources, "
        "then move 'reviewed' and 'next_review'"
    )


@pytest.mark.parametrize(("file", "change", "message"), [
    ("regions.toml", lambda t: t.replace('  "LU", "LV",', '  "LV",'), "regions.toml: the codes must be exactly"),
    ("regions.toml", lambda t: t.replace('emergency = ["000"]', 'emergency = ["0-0-0"]'),
     "regions.toml: region 'AU': 'emergency'"),
    ("regions.toml", lambda t: t.replace("https://www.triplezero.gov.au/", "https://www.example.com/000", 1),
     "regions.toml: region 'AU': 'emergency_source'"),
    ("regions.toml", lambda t: t.replace('number = "0800 611 116"', 'number = "0800-HEALTH"'),
     "regions.toml: region 'NZ' urgent_care: 'number'"),
    ("regions.toml", lambda t: t.replace('next_review = "2027-03-03"', 'next_review = "2026-01-01"'),
     "regions.toml: region 'AU': 'next_review' must come after 'reviewed'"),
    ("regions.toml", lambda t: t.replace('codes = [\n  "AT",', 'codes = [\n  "NZ", "AT",'),
     "regions.toml: region 'EU': code 'NZ' already belongs to region 'NZ'"),
    ("rules.toml", lambda t: t.replace("call {emergency_number}{emergency_examples}.", "call 999.", 1),
     "rules.toml: rule 'possible_dvt': 'advice': writes 999 itself"),
    ("safety_net.toml", lambda t: t.replace("{urgent_call}{in_the_uk}", "call 111{in_the_uk}"),
     "safety_net.toml: safety_net 'statin_muscle_pain': 'text': writes 111 itself"),
    ("locales/es.toml",
     lambda t: t.replace("Llame ahora {emergency_number}{emergency_examples}. No", "Llame al 112. No", 1),
     "locales/es.toml: rule 'chest_pain_or_breathlessness': 'advice'"),
    ("locales/en-GB.toml", lambda t: t.replace('" ({GB.emergency} in the UK', '" (999 in the UK'),
     "locales/en-GB.toml: phrase 'emergency_examples': writes 999 itself"),
    ("locales/en-US.toml",
     lambda t: t.replace('without_service = "contact an urgent care center"', 'without_service = "call 0800 611 116"'),
     "locales/en-US.toml: phrase 'urgent_call': writes 0800 611 116 itself"),
])
def test_a_bad_table_or_a_number_written_into_a_text_is_named(data_dir: Path, file: str,
                                                              change: Callable[[str], str], message: str) -> None:
    edit(data_dir / file, change)
    with pytest.raises(KnowledgeBaseError) as caught:
        load_editions(data_dir)
    assert message in str(caught.value)
