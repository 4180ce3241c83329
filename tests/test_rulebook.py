"""The rulebook (docs/rulebook.html, `make rulebook`): built from the code and content, deterministic,
complete, self-contained, and never stale in the repository."""
from __future__ import annotations

import difflib
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from service.advice.rules import RULE_IDS
from service.content import (
    DEFAULT_DATA_DIR,
    KnowledgeBase,
    KnowledgeBaseError,
    load_knowledge_base,
)
from service.content.models import Thresholds
from service.rulebook import ROOT, build, thresholds_by_rule

COMMITTED = ROOT / "docs" / "rulebook.html"


@pytest.fixture(scope="module")
def html() -> str:
    return build()


@pytest.fixture(scope="module")
def uses() -> dict[str, tuple[str, ...]]:
    return thresholds_by_rule()


def rule_section(html: str, rule_id: str) -> str:
    start = html.index(f'<article class="rule" aria-labelledby="rule-{rule_id}">')
    return html[start:html.index("</article>", start)]


def test_the_build_is_deterministic(html: str) -> None:
    assert build() == html


def test_the_committed_rulebook_is_current(html: str) -> None:
    if not COMMITTED.exists():
        pytest.fail("docs/rulebook.html is missing: run `make rulebook` and commit it")
    committed = COMMITTED.read_text(encoding="utf-8")
    if committed != html:
        diff = list(difflib.unified_diff(committed.splitlines(), html.splitlines(), "committed", "fresh build",
                                         n=0, lineterm=""))
        pytest.fail("docs/rulebook.html is stale (the rules, content or cases changed): run `make rulebook` "
                    "and commit it. First differences:\n" + "\n".join(diff[:12]), pytrace=False)


def test_every_rule_has_a_section_in_rules_order(html: str) -> None:
    positions = [html.index(f'<h3 id="rule-{rule_id}">') for rule_id in RULE_IDS]
    assert positions == sorted(positions)
    assert html.count('<article class="rule"') == len(RULE_IDS)


def test_every_rule_section_shows_its_content(html: str, kb: KnowledgeBase) -> None:
    from markupsafe import escape

    for rule_id in RULE_IDS:
        content = kb.rules[rule_id]
        section = rule_section(html, rule_id)
        for text in (content.guidance_id, content.title, content.trigger, content.advice, content.last_reviewed):
            assert str(escape(text)) in section, (rule_id, text)
        for source in content.sources:
            assert str(escape(source["url"])) in section, (rule_id, source)
        # The rule's own row in tests/advice/test_rules.py TRIGGERS fires it, so it is listed.
        assert f'href="#trigger-{rule_id}"' in section


def test_every_threshold_appears_with_its_basis(html: str, kb: KnowledgeBase) -> None:
    assert set(kb.threshold_content) == set(Thresholds.ids())
    for threshold in kb.threshold_content.values():
        row_start = html.index(f'<tr id="threshold-{threshold.id}"')
        row = html[row_start:html.index("</tr>", row_start)]
        if threshold.basis == "interpretation":
            assert "Interpretation: needs" in row and 'class="interpretation"' in row
        else:
            assert kb.sources[threshold.basis].url in row


def test_the_header_names_the_knowledge_base(html: str, kb: KnowledgeBase) -> None:
    header = html[:html.index("</header>")]
    for text in (kb.version, kb.sha256, kb.last_reviewed, "Clinical sign-off: pending"):
        assert text in header


@pytest.mark.parametrize("rule_id,thresholds", [
    ("prolonged_cramp", {"prolonged_cramp_minutes"}),
    # Through pictures.dvt_features -> dvt_risk_factors (an alias: `limits = c.limits`).
    ("possible_dvt", {"recent_surgery_days", "immobile_days", "long_journey_hours"}),
    # Through the Case method is_child (self.limits.adult_age).
    ("child_leg_pain_red_features", {"adult_age", "child_one_sided_pain_hours"}),
    ("seriously_unwell_child", {"adult_age"}),
    # Through a module helper (doctor.troublesome).
    ("troublesome_cramps", {"frequent_cramps_per_week"}),
    # Through Case facts the Case computed with a threshold.
    ("cellulitis_signs", {"fever_c"}),
    ("pregnancy_one_sided_leg_pain", {"postpartum_weeks"}),
    ("new_medicine_cramps", {"new_medicine_weeks"}),
])
def test_thresholds_a_rule_uses_are_derived_from_its_code(
    uses: dict[str, tuple[str, ...]], html: str, rule_id: str, thresholds: set[str]
) -> None:
    assert thresholds <= set(uses[rule_id])
    section = rule_section(html, rule_id)
    for name in thresholds:
        assert f'href="#threshold-{name}"' in section


def test_rules_without_numbers_list_no_thresholds(uses: dict[str, tuple[str, ...]]) -> None:
    assert uses["chest_pain_or_breathlessness"] == ()
    assert uses["toxin_exposure"] == ()


def test_derived_thresholds_are_real_thresholds(uses: dict[str, tuple[str, ...]]) -> None:
    assert set(uses) == set(RULE_IDS)
    assert set().union(*map(set, uses.values())) <= set(Thresholds.ids())


_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")


def test_numbers_in_a_trigger_are_the_rules_thresholds(kb: KnowledgeBase, uses: dict[str, tuple[str, ...]]) -> None:
    """A trigger that says "more than 10 minutes" must be the rule's threshold, so the words in the
    rulebook cannot drift from the number the engine compares with."""
    for rule_id in RULE_IDS:
        allowed: set[float] = set()
        for name in uses[rule_id]:
            threshold = kb.threshold_content[name]
            allowed.add(threshold.value)
            allowed |= {float(n) for n in _NUMBER.findall(threshold.unit)}  # "points out of 10"
        for number in _NUMBER.findall(kb.rules[rule_id].trigger):
            assert float(number) in allowed, f"{rule_id}: trigger says {number}, thresholds {uses[rule_id]}"


def test_the_page_is_self_contained_and_accessible(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in html
    lowered = html.lower()
    for forbidden in ("<script", "<link", " src=", "@import", "url(", "<iframe", "<img"):
        assert forbidden not in lowered, forbidden
    assert html.count("<table") == html.count("<thead>") == html.count("<caption")
    assert re.search(r"<h1>", html) and '<th scope="col">' in html


class _Balance(HTMLParser):
    VOID = frozenset({"meta", "br", "wbr", "col", "hr", "img", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value for name, value in attrs if name == "id" and value]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()


def test_the_page_is_well_formed_and_its_links_resolve(html: str) -> None:
    parser = _Balance()
    parser.feed(html)
    parser.close()
    assert parser.stack == []
    assert len(parser.ids) == len(set(parser.ids)), "duplicate ids"
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets <= set(parser.ids), targets - set(parser.ids)


def test_a_rule_without_a_trigger_stops_loading(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    rules = data / "rules.toml"
    text = rules.read_text(encoding="utf-8")
    changed = re.sub(r'(id = "toxin_exposure"(?:\n.*?)*?)\ntrigger = "[^"]*"', r"\1", text, count=1)
    assert changed != text
    rules.write_text(changed, encoding="utf-8")
    message = "rules.toml: rule 'toxin_exposure': 'trigger' must be a non-empty string"
    with pytest.raises(KnowledgeBaseError, match=message):
        load_knowledge_base(data)
