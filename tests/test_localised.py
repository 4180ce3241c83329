"""Every language x region answers every public vignette with the same decision, and names only its own
region's numbers."""
from __future__ import annotations

import re
from typing import Any

import pytest

from vignette_files import load_vignettes
from service.content import load_editions
from service.localised import Answerer, localised

LOCALISED = localised(load_editions())
REGIONS = LOCALISED.editions.regions
CASES = [case["request"] for case in load_vignettes()] + [{}]  # {}: the full safety net and every question
# The words of an answer; everything else (levels, ids, pointers, sources, evidence) is the decision.
TEXT_FIELDS = {"title", "message", "advice", "detail", "evidence_note", "cautions", "reason", "text", "question",
               "disclaimer", "knowledge_base"}


def decision(answer: Any) -> Any:
    """The answer with its words left out."""
    if isinstance(answer, dict):
        return {k: decision(v) for k, v in answer.items() if k not in TEXT_FIELDS}
    if isinstance(answer, list):
        return [decision(v) for v in answer]
    return answer


def words(answer: Any) -> list[str]:
    """Every text of an answer."""
    if isinstance(answer, dict):
        return [w for k, v in answer.items() for w in (words(v) if k != "knowledge_base" else [])]
    if isinstance(answer, list):
        return [w for v in answer for w in words(v)]
    return [answer] if isinstance(answer, str) else []


def written(number: str, text: str) -> bool:
    digits = r"[\s-]?".join(d for d in number if d.isdigit())
    return re.search(rf"(?<![\d.,]){digits}(?![\d.,]\d|\d)", text) is not None


def test_every_language_and_region_code_has_an_answerer() -> None:
    assert len(LOCALISED.answerers) == len(LOCALISED.editions.languages) * (1 + len(REGIONS.by_code))
    engines = {id(a.engine) for a in LOCALISED.answerers.values()}
    assert len(engines) == len(LOCALISED.editions.by_key)  # codes of one entry (the EU) share its engine


@pytest.mark.parametrize("index", range(len(CASES)))
def test_every_vignette_gets_the_same_decision_in_every_language_and_region(index: int) -> None:
    default = decision(LOCALISED.default().assess(dict(CASES[index])))
    for (language, code), answerer in LOCALISED.answerers.items():
        answer = answerer.assess(dict(CASES[index]))
        assert decision(answer) == default, (language, code)
        assert answer["knowledge_base"]["language"] == language and answer["knowledge_base"]["region"] == code


def _regional() -> list[tuple[str, str, Answerer]]:
    return [(language, code, a) for (language, code), a in LOCALISED.answerers.items() if code is not None]


@pytest.mark.parametrize(("language", "code", "answerer"), _regional(), ids=[f"{l}-{c}" for l, c, _ in _regional()])
def test_no_answer_for_a_region_names_another_regions_numbers(language: str, code: str, answerer: Answerer) -> None:
    own = set(REGIONS.by_code[code].numbers)
    foreign = REGIONS.numbers() - own
    texts = [t for case in CASES for t in words(answerer.assess(dict(case)))]
    for number in foreign:
        assert not [t for t in texts if written(number, t)], (code, number)
    for number in REGIONS.by_code[code].emergency:  # and its own emergency number is there
        assert any(written(number, t) for t in texts), (code, number)


@pytest.mark.parametrize("language", ["en-GB", "en-US", "es"])
def test_new_zealand_answers_never_name_an_nhs_service(language: str) -> None:
    answerer = LOCALISED.answerer(language, "NZ")
    texts = " ".join(t for case in CASES for t in words(answerer.assess(dict(case))))
    assert "NHS 111" not in texts and "NHS 24" not in texts and "Healthline (0800 611 116)" in texts


def test_region_neutral_answers_keep_the_wording_of_before() -> None:
    # The default must not change for callers that send no region: it still names the UK's and the US's.
    answer = LOCALISED.default().assess({"signs": {"chest_pain": True}})
    assert answer["disposition"]["message"].startswith(
        "Call your local emergency number now (999 in the UK, 911 in the US). Do not drive yourself.")
