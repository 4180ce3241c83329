"""Cards: a renderer of the engine's assessment, the lexicon and the chart, in CDS Hooks 2.0's shape.

Every statement comes from cards.toml or the knowledge base with its guidance sources, numbered on
the card; data from the chart (medicine names, results) is escaped before it goes into Markdown, so a
record cannot inject links or HTML into a card. No member is ever null or empty (CDS Hooks 2.0).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from service.advice.levels import rank_of
from service.advice.medications import MedicationLexicon
from service.cds.chart import Chart
from service.cds.content import CARD_KINDS, SUMMARY_MAX, CardContent, CdsContent, Statement
from service.cds.ids import card_uuid, suggestion_uuid
from service.content import KnowledgeBase
from service.content.templates import render

TOPIC_SYSTEM = "urn:cramp-advice:cds:card-kind"
OVERRIDE_SYSTEM = "urn:cramp-advice:cds:override-reason"
EXTENSION = "cramp-advice"  # the card extension member saying the wording's language and review
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
    """One card's Markdown with numbered citations, sources listed at the end, then the footer (if any).

    `sources` maps a source id to its Markdown link and `ending` is what follows the list (the
    footer), both made once per renderer: they never depend on the chart.
    """

    def __init__(self, sources: Mapping[str, str], heading: str, ending: str = "") -> None:
        self.sources, self.heading, self.ending = sources, heading, ending
        self.lines: list[str] = []
        self.cited: list[str] = []

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
            body += self.heading + "\n".join(f"{n}. {self.sources[s]}" for n, s in enumerate(self.cited, start=1))
        return body + self.ending


class CardRenderer:
    """Cards in one language: `content`'s statements, `kb`'s edition for the knowledge-base parts.

    `language` (a content locale, en-GB) and `translation_reviewed` (the card statements' and the
    edition's, as the JSON API's knowledge_base says) go on every card as its `extension`; an
    unreviewed wording also ends every card's detail with a line saying so, for the clinician.
    """

    def __init__(self, kb: KnowledgeBase, lexicon: MedicationLexicon, content: CdsContent,
                 language: str = "en-GB", translation_reviewed: bool = True) -> None:
        self.kb, self.lexicon, self.content, self.words = kb, lexicon, content, content.words
        self._override = [{"system": OVERRIDE_SYSTEM, **reason} for reason in content.override_reasons]
        covered = {rule for card in content.cards.values() for rule in card.rules}
        self._covered = frozenset(covered)
        self._footer = "" if translation_reviewed else content.words["unreviewed"]
        self._extension = {EXTENSION: {"language": language, "translation_reviewed": translation_reviewed}}
        # Everything on a card that is not chart data, escaped and assembled once.
        self._sources = {s.id: f"[{escape(s.label)}]({s.url})" for s in kb.sources.values()}
        self._source_ids = {(s.label, s.url): s.id for s in kb.sources.values()}  # an answer's source -> its id
        self._source_order = {source_id: n for n, source_id in enumerate(kb.sources)}
        self._sources_heading = f"\n\n**{content.words['sources']}**\n\n"
        self._ending = f"\n\n{self._footer}" if self._footer else ""
        self._class_labels = {cls: escape(content.class_labels.get(cls) or lexicon.drug_class(cls).label)
                              for cls in content.associations}
        self._lab_labels = {kind.id: escape(content.lab_label(kind)) for kind in content.codes.lab_kinds}

    def _detail(self) -> Detail:
        return Detail(self._sources, self._sources_heading, self._ending)

    def _named(self, text: str, fallback: str) -> str:
        """Record text made inert, or this language's word for a record item without one."""
        return escape(text) if text else self.words[fallback]

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
                       "topic": {"system": TOPIC_SYSTEM, "code": kind, "display": card.topic}},
        }
        result.update({key: value for key, value in members.items() if value})
        result["extension"] = self._extension
        return result

    @staticmethod
    def _summary(card: CardContent, count: int, **fields: Any) -> str:
        template = card.summary_one if count == 1 else card.summary_many
        return render(template, {"count": str(count), **fields})

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
        detail = self._detail()
        detail.lines.append(card.heading)
        lines, statin = [], False
        for medicine, classes in medicines:
            linked = sorted(cls for cls in classes if cls in self.content.associations)
            for cls in linked:
                association = self.content.associations[cls]
                lines.append(f"- **{self._named(medicine.name, 'unnamed_medicine')}**: {self._class_labels[cls]}: "
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
            detail.lines.append(render(card.extra["unrecognised"], {"count": str(unrecognised)}))
        count = sum(1 for m, classes in medicines if classes & self.content.associations.keys())
        return self._card(card.id, self._summary(card, count), self._level(assessment, card.rules), detail,
                          card.source)

    def _supplements(self, assessment: dict[str, Any], chart: Chart, medicines: list[Any]) -> dict[str, Any] | None:
        card = self.content.cards["potassium_magnesium_caution"]
        level = self._level(assessment, card.rules)
        if level is None:
            return None
        recorded = [self._named(m.name, "unnamed_medicine") for m, _ in medicines if m.supplements]
        recorded += [self._named(d, "unnamed_condition") for c in ("ckd", "dialysis") for d in chart.conditions.get(c, ())]
        recorded += [self._named(m.name, "unnamed_medicine") for m, classes in medicines
                     if classes.intersection(POTASSIUM_RAISING)]
        return self._listing(card, level, recorded, 1)

    def _nsaids(self, assessment: dict[str, Any], chart: Chart, medicines: list[Any]) -> dict[str, Any] | None:
        card = self.content.cards["nsaid_caution"]
        nsaids = [self._named(m.name, "unnamed_medicine") for m, classes in medicines if "nsaid" in classes]
        if not nsaids:
            return None
        extra = card.extra
        recorded = [self._named(d, "unnamed_condition") for c in sorted(extra["recorded_conditions"])
                    for d in chart.conditions.get(c, ())]
        recorded += [self._named(m.name, "unnamed_medicine") for m, classes in medicines
                     if classes & extra["recorded_classes"]]
        pregnancy = (chart.labs or {}).get("pregnancy_status")
        if extra["recorded_pregnancy"] and chart.pregnant and pregnancy is not None:
            recorded.append(f"{self._lab_labels[pregnancy.kind.id]}: {escape(pregnancy.value)}")
        detail = self._detail()
        detail.lines += [card.heading, "\n".join(f"- {item}" for item in dict.fromkeys(nsaids))]
        for statement in card.statements:
            detail.say(statement)
        if recorded:  # the chart facts that meet the caution list, after the list itself
            detail.lines += [extra["recorded_heading"], "\n".join(f"- {item}" for item in dict.fromkeys(recorded))]
        return self._card(card.id, self._summary(card, len(nsaids)), None, detail, card.source)

    def _quinine_on_record(self, assessment: dict[str, Any], medicines: list[Any]) -> dict[str, Any] | None:
        card = self.content.cards["quinine_on_record"]
        quinine = [self._named(m.name, "unnamed_medicine") for m, classes in medicines if "quinine" in classes]
        if not quinine:
            return None
        return self._listing(card, self._level(assessment, card.rules), quinine, len(quinine))

    def _listing(self, card: CardContent, level: str | None, items: list[str], count: int) -> dict[str, Any]:
        detail = self._detail()
        if card.heading and items:
            detail.lines.append(card.heading)
            detail.lines.append("\n".join(f"- {item}" for item in dict.fromkeys(items)))
        for statement in card.statements:
            detail.say(statement)
        return self._card(card.id, self._summary(card, count), level, detail, card.source)

    def _flag(self, flag: dict[str, Any]) -> dict[str, Any]:
        card = self.content.cards["guidance_flag"]
        detail = self._detail()
        detail.lines.append(card.heading)
        detail.lines.append("> " + escape(flag["advice"]))
        named = {self._source_ids.get((s["label"], s["url"])) for s in flag["sources"]} - {None}
        sources = sorted(named, key=lambda source_id: self._source_order[source_id])  # the knowledge base's order
        detail.lines[-1] += detail.refs(sources)
        summary = self._summary(card, 1, title=flag["title"], guidance_id=flag["guidance_id"])
        return self._card(card.id, summary, flag["level"], detail, sources[0] if sources else "S1")

    def _what_to_check(self, assessment: dict[str, Any], chart: Chart, questionnaire: str | None) -> dict[str, Any]:
        card = self.content.cards["what_to_check"]
        extra, codes = card.extra, self.content.codes
        detail = self._detail()
        for statement in card.statements:
            detail.say(statement)
        linked = [c for c in sorted(chart.conditions) if c in extra["linked_conditions"]]
        if linked:
            detail.lines.append(extra["conditions_heading"])
            detail.lines.append("\n".join(
                f"- {self._named(display, 'unnamed_condition')}{detail.refs(codes.condition_basis[c])}" for c in linked
                for display in dict.fromkeys(chart.conditions[c])))
        if chart.labs is None:
            detail.lines.append(extra["results_not_sent"])
        else:
            found = [chart.labs[k.id] for k in codes.lab_kinds if k.id in chart.labs]
            if found:
                detail.lines.append(extra["results_heading"])
                detail.lines.append("\n".join(
                    f"- {self._lab_labels[r.kind.id]}: {escape(r.value) or self.words['no_value']}"
                    + (f" ({escape(', '.join(p for p in (r.when, r.flag) if p))})" if r.when or r.flag else "")
                    for r in found))
            missing = [self.content.lab_label(k) for k in codes.lab_kinds if k.id not in chart.labs]
            if missing:
                detail.lines.append(render(extra["results_missing"], {"labs": ", ".join(missing)}))
        links = [{"label": extra["link_label"], "url": questionnaire, "type": "absolute"}] if questionnaire else None
        return self._card(card.id, self._summary(card, 1), None, detail, card.source, links=links)

    # --- quinine-for-cramps ---------------------------------------------------------------------------

    def quinine_order(self, order_name: str, reference: str) -> dict[str, Any]:
        card = self.content.cards["quinine_order"]
        detail = self._detail()
        detail.lines.append(card.heading)
        detail.lines.append(f"- {self._named(order_name, 'quinine')}")
        for statement in card.statements:
            detail.say(statement)
        if "/" not in reference:  # a draft without an id cannot be named in a delete action
            return self._card(card.id, self._summary(card, 1), None, detail, card.source,
                              overrideReasons=self._override)
        suggestion = {
            "label": card.extra["suggestion"],
            "uuid": suggestion_uuid(),
            "isRecommended": True,
            "actions": [{"type": "delete", "description": render(card.extra["action"], {"resource": reference}),
                         "resourceId": reference}],
        }
        return self._card(card.id, self._summary(card, 1), None, detail, card.source,
                          suggestions=[suggestion], selectionBehavior="at-most-one",
                          overrideReasons=self._override)


def _fit(summary: str) -> str:
    summary = " ".join(summary.split())
    return summary if len(summary) <= SUMMARY_MAX else summary[: SUMMARY_MAX - 1].rstrip() + "…"
