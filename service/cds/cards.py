"""Cards: a renderer of the engine's assessment, the lexicon and the chart, in CDS Hooks 2.0's shape.

Every statement comes from cards.toml or the knowledge base with its guidance sources, numbered on
the card; data from the chart (medicine names, results) is escaped before it goes into Markdown, so a
record cannot inject links or HTML into a card. No member is ever null or empty (CDS Hooks 2.0).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from service.advice.levels import rank_of
from service.advice.medications import MedicationLexicon
from service.cds.chart import Chart
from service.cds.content import CARD_KINDS, SUMMARY_MAX, CardContent, CdsContent, Statement
from service.cds.ids import card_uuid, suggestion_uuid
from service.content import KnowledgeBase

TOPIC_SYSTEM = "urn:cramp-advice:cds:card-kind"
OVERRIDE_SYSTEM = "urn:cramp-advice:cds:override-reason"
_INDICATOR = {"emergency": "critical", "urgent": "critical", "doctor_soon": "warning",
              "doctor_routine": "info", "self_care": "info"}
# Enough to keep chart text inert: no emphasis, code, link or image can start without a bracket or a
# mark, and chart text never starts a line (it follows "- " or "**"), so block marks need no escape.
_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")
POTASSIUM_RAISING = ("ace_inhibitor", "arb", "potassium_sparing_diuretic")


def escape(text: str) -> str:
    """Chart text made inert in GitHub-flavoured Markdown: entities for HTML, backslashes for marks."""
    text = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", text)


def indicator(level: str | None, card: CardContent) -> str:
    if card.indicator is not None:
        return card.indicator
    return _INDICATOR[level] if level else "info"


class Detail:
    """One card's Markdown with numbered citations, sources listed at the end."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb, self.lines, self.cited = kb, [], []

    def refs(self, sources: Iterable[str]) -> str:
        numbers = []
        for source in sources:
            if source not in self.cited:
                self.cited.append(source)
            numbers.append(str(self.cited.index(source) + 1))
        return f" [{', '.join(numbers)}]" if numbers else ""

    def say(self, statement: Statement) -> None:
        self.lines.append(statement.text + self.refs(statement.sources))

    def text(self) -> str:
        body = "\n\n".join(line for line in self.lines if line)
        if self.cited:
            listed = "\n".join(f"{n}. [{escape(self.kb.sources[s].label)}]({self.kb.sources[s].url})"
                               for n, s in enumerate(self.cited, start=1))
            body += "\n\n**Sources**\n\n" + listed
        return body


class CardRenderer:
    def __init__(self, kb: KnowledgeBase, lexicon: MedicationLexicon, content: CdsContent) -> None:
        self.kb, self.lexicon, self.content = kb, lexicon, content
        self._override = [{"system": OVERRIDE_SYSTEM, **reason} for reason in content.override_reasons]
        covered = {rule for card in content.cards.values() for rule in card.rules}
        self._covered = frozenset(covered)

    # --- shared pieces --------------------------------------------------------------------------------

    def _card(self, kind: str, summary: str, level: str | None, detail: Detail, source: str,
              **members: Any) -> dict[str, Any]:
        card = self.content.cards[kind]
        source_content = self.kb.sources[source]
        result: dict[str, Any] = {
            "uuid": card_uuid(CARD_KINDS.index(kind)),
            "summary": _fit(summary),
            "indicator": indicator(level, card),
            "detail": detail.text(),
            "source": {"label": source_content.label, "url": source_content.url,
                       "topic": {"system": TOPIC_SYSTEM, "code": kind, "display": _topic(kind)}},
        }
        result.update({key: value for key, value in members.items() if value})
        return result

    @staticmethod
    def _summary(card: CardContent, count: int, **fields: Any) -> str:
        template = card.summary_one if count == 1 else card.summary_many
        return template.format(count=count, **fields)

    @staticmethod
    def _level(assessment: dict[str, Any], rules: Iterable[str]) -> str | None:
        levels = [flag["level"] for flag in assessment["red_flags"] if flag["id"] in rules]
        return max(levels, key=rank_of) if levels else None

    def _classes(self, assessment: dict[str, Any]) -> dict[str, frozenset[str]]:
        return {m["name"]: frozenset(m["classes"]) for m in assessment["data_quality"]["recognised_medications"]}

    # --- leg-cramp-review -----------------------------------------------------------------------------

    def review(self, assessment: dict[str, Any], chart: Chart, questionnaire: str | None) -> list[dict[str, Any]]:
        classes = self._classes(assessment)
        medicines = [(m, classes.get(m.engine_name, frozenset())) for m in chart.medicines]
        cards = [
            self._cramp_medicines(assessment, medicines),
            self._supplements(assessment, chart, medicines),
            self._nsaids(assessment, chart, medicines),
            self._quinine_on_record(assessment, medicines),
        ]
        cards += [self._flag(flag) for flag in assessment["red_flags"] if flag["id"] not in self._covered]
        cards.append(self._what_to_check(assessment, chart, questionnaire))
        return [card for card in cards if card is not None]

    def _cramp_medicines(self, assessment: dict[str, Any], medicines: list[Any]) -> dict[str, Any] | None:
        card = self.content.cards["cramp_medicines"]
        detail = Detail(self.kb)
        detail.lines.append(card.heading)
        lines, statin = [], False
        for medicine, classes in medicines:
            linked = sorted(cls for cls in classes if cls in self.content.associations)
            for cls in linked:
                association = self.content.associations[cls]
                lines.append(f"- **{escape(medicine.name)}**: {escape(self.lexicon.drug_class(cls).label)}: "
                             f"{association.strength}{detail.refs(association.sources)}")
            statin = statin or "statin" in classes
        if not lines:
            return None
        detail.lines.append("\n".join(lines))
        for statement in card.statements:
            detail.say(statement)
        if statin:
            detail.say(card.extra["statin"])
        unrecognised = len(assessment["data_quality"]["unrecognised_medications"])
        if unrecognised:
            detail.lines.append(card.extra["unrecognised"].format(count=unrecognised))
        count = sum(1 for m, classes in medicines if classes & self.content.associations.keys())
        return self._card(card.id, self._summary(card, count), self._level(assessment, card.rules), detail,
                          card.source)

    def _supplements(self, assessment: dict[str, Any], chart: Chart, medicines: list[Any]) -> dict[str, Any] | None:
        card = self.content.cards["potassium_magnesium_caution"]
        level = self._level(assessment, card.rules)
        if level is None:
            return None
        recorded = [escape(m.name) for m, _ in medicines if m.supplements]
        recorded += [escape(d) for c in ("ckd", "dialysis") for d in chart.conditions.get(c, ())]
        recorded += [escape(m.name) for m, classes in medicines if classes.intersection(POTASSIUM_RAISING)]
        return self._listing(card, level, recorded, 1)

    def _nsaids(self, assessment: dict[str, Any], chart: Chart, medicines: list[Any]) -> dict[str, Any] | None:
        card = self.content.cards["nsaid_caution"]
        nsaids = [escape(m.name) for m, classes in medicines if "nsaid" in classes]
        if not nsaids:
            return None
        extra = card.extra
        recorded = [escape(d) for c in sorted(extra["recorded_conditions"]) for d in chart.conditions.get(c, ())]
        recorded += [escape(m.name) for m, classes in medicines if classes & extra["recorded_classes"]]
        pregnancy = (chart.labs or {}).get("pregnancy_status")
        if extra["recorded_pregnancy"] and chart.pregnant and pregnancy is not None:
            recorded.append(f"{escape(pregnancy.kind.label)}: {escape(pregnancy.value)}")
        detail = Detail(self.kb)
        detail.lines += [card.heading, "\n".join(f"- {item}" for item in dict.fromkeys(nsaids))]
        for statement in card.statements:
            detail.say(statement)
        if recorded:  # the chart facts that meet the caution list, after the list itself
            detail.lines += [extra["recorded_heading"], "\n".join(f"- {item}" for item in dict.fromkeys(recorded))]
        return self._card(card.id, self._summary(card, len(nsaids)), None, detail, card.source)

    def _quinine_on_record(self, assessment: dict[str, Any], medicines: list[Any]) -> dict[str, Any] | None:
        card = self.content.cards["quinine_on_record"]
        quinine = [escape(m.name) for m, classes in medicines if "quinine" in classes]
        if not quinine:
            return None
        return self._listing(card, self._level(assessment, card.rules), quinine, len(quinine))

    def _listing(self, card: CardContent, level: str | None, items: list[str], count: int) -> dict[str, Any]:
        detail = Detail(self.kb)
        if card.heading and items:
            detail.lines.append(card.heading)
            detail.lines.append("\n".join(f"- {item}" for item in dict.fromkeys(items)))
        for statement in card.statements:
            detail.say(statement)
        return self._card(card.id, self._summary(card, count), level, detail, card.source)

    def _flag(self, flag: dict[str, Any]) -> dict[str, Any]:
        card = self.content.cards["guidance_flag"]
        detail = Detail(self.kb)
        detail.lines.append(card.heading)
        detail.lines.append("> " + escape(flag["advice"]))
        sources = [s for s in self.kb.sources.values()
                   if {"label": s.label, "url": s.url} in flag["sources"]]
        detail.lines[-1] += detail.refs(s.id for s in sources)
        summary = self._summary(card, 1, title=flag["title"], guidance_id=flag["guidance_id"])
        return self._card(card.id, summary, flag["level"], detail, sources[0].id if sources else "S1")

    def _what_to_check(self, assessment: dict[str, Any], chart: Chart, questionnaire: str | None) -> dict[str, Any]:
        card = self.content.cards["what_to_check"]
        extra, codes = card.extra, self.content.codes
        detail = Detail(self.kb)
        for statement in card.statements:
            detail.say(statement)
        linked = [c for c in sorted(chart.conditions) if c in extra["linked_conditions"]]
        if linked:
            detail.lines.append(extra["conditions_heading"])
            detail.lines.append("\n".join(
                f"- {escape(display)}{detail.refs(codes.condition_basis[c])}" for c in linked
                for display in dict.fromkeys(chart.conditions[c])))
        if chart.labs is None:
            detail.lines.append(extra["results_not_sent"])
        else:
            found = [chart.labs[k.id] for k in codes.lab_kinds if k.id in chart.labs]
            if found:
                detail.lines.append(extra["results_heading"])
                detail.lines.append("\n".join(
                    f"- {escape(r.kind.label)}: {escape(r.value) or '(no value)'}"
                    + (f" ({escape(', '.join(p for p in (r.when, r.flag) if p))})" if r.when or r.flag else "")
                    for r in found))
            missing = [k.label for k in codes.lab_kinds if k.id not in chart.labs]
            if missing:
                detail.lines.append(extra["results_missing"].format(labs=", ".join(missing)))
        links = [{"label": extra["link_label"], "url": questionnaire, "type": "absolute"}] if questionnaire else None
        return self._card(card.id, self._summary(card, 1), None, detail, card.source, links=links)

    # --- quinine-for-cramps ---------------------------------------------------------------------------

    def quinine_order(self, order_name: str, reference: str) -> dict[str, Any]:
        card = self.content.cards["quinine_order"]
        detail = Detail(self.kb)
        detail.lines.append(card.heading)
        detail.lines.append(f"- {escape(order_name)}")
        for statement in card.statements:
            detail.say(statement)
        if "/" not in reference:  # a draft without an id cannot be named in a delete action
            return self._card(card.id, self._summary(card, 1), None, detail, card.source,
                              overrideReasons=self._override)
        suggestion = {
            "label": card.extra["suggestion"],
            "uuid": suggestion_uuid(),
            "isRecommended": True,
            "actions": [{"type": "delete", "description": card.extra["action"].format(resource=reference),
                         "resourceId": reference}],
        }
        return self._card(card.id, self._summary(card, 1), None, detail, card.source,
                          suggestions=[suggestion], selectionBehavior="at-most-one",
                          overrideReasons=self._override)


def _fit(summary: str) -> str:
    summary = " ".join(summary.split())
    return summary if len(summary) <= SUMMARY_MAX else summary[: SUMMARY_MAX - 1].rstrip() + "…"


def _topic(kind: str) -> str:
    return kind.replace("_", " ").capitalize()
