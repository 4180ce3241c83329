"""Facts in, assessment out: the one entry point the HTTP layer (and any other renderer) calls.

The engine checks at construction that code and content agree (every rule and topic has content,
every question the engine may ask has its wording), then precomputes the static parts of answers so
that `assess` does only the per-case work. Output is plain dicts and lists: JSON-ready, and easy for
other renderers (portal HTML, CDS Hooks cards) to reshape. Treat it as read-only: static parts are shared.
"""
from __future__ import annotations

from typing import Any

from service.advice.case import WARNING_IDS, Case, warning_texts
from service.advice.cautions import CHECKS, contraindications
from service.advice.levels import LEVELS, rank_of
from service.advice.medications import MedicationLexicon
from service.advice.pointers import Pointers
from service.advice.questions import CANDIDATES, MAX_QUESTIONS, always
from service.advice.rules import RULE_IDS, RULES
from service.advice.topics import SELECTORS
from service.content import KnowledgeBase, KnowledgeBaseError
from service.content.vocabulary import NEVER_RECOMMENDED, TOPIC_CATEGORIES, TOPIC_IDS

_ORDER_CALM = ("self_care", "medicines", "routing", "safety")
_ORDER_SERIOUS = ("safety", "routing", "medicines", "self_care")


class Engine:
    """The clinical engine bound to one loaded knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        try:
            self.lexicon = MedicationLexicon.from_entries([dict(e) for e in kb.medication_entries])
        except ValueError as err:
            raise KnowledgeBaseError(f"medications.toml: {err}") from None
        self._check_coverage()
        self._cramp_classes = frozenset(
            cid for cid in self.lexicon.class_ids if self.lexicon.drug_class(cid).cramp_associated
        )
        self._warning_texts = warning_texts(kb.warnings, kb.thresholds)
        # Static parts of the answer, built once; per request only `because` is filled in.
        self._flag_templates = {
            rule_id: {
                "id": rule_id, "guidance_id": content.guidance_id, "level": content.level,
                "title": content.title, "advice": content.advice, "because": None,
                "sources": [dict(s) for s in content.sources], "evidence": content.evidence,
            }
            for rule_id, content in kb.rules.items()
        }
        self._advice_templates = {
            topic_id: [self._advice_template(content, None)]
            + [self._advice_template(content, variant) for variant in content.variants]
            for topic_id, content in kb.recommendations.items()
        }
        safety_items = [
            ({"id": item.id, "text": item.text, "level": item.level}, rank_of(item.level), item.rules)
            for item in kb.safety_net
        ]
        # Per level: the items about something more serious than it (each may be dropped when all the
        # rules it warns about already fired), and what to say when none is left (an emergency already).
        while_waiting = [item for item, _, rules in safety_items if not rules and item["level"] == "emergency"]
        self._safety_by_level = {}
        for level in LEVELS:
            more_serious = tuple((item, rules) for item, rank, rules in safety_items if rank > rank_of(level))
            self._safety_by_level[level] = (more_serious, while_waiting)
        self._topic_plans = {level: self._plan(level) for level in LEVELS}
        self._question_items = tuple(
            (field[1:], None if relevant is always else relevant, {"field": field, "question": kb.questions[field]})
            for field, relevant in CANDIDATES
        )
        self._rule_rank = {rule_id: rank_of(content.level) for rule_id, content in kb.rules.items()}
        self._knowledge_base = {"version": kb.version, "sha256": kb.sha256, "last_reviewed": kb.last_reviewed}

    def _plan(self, level: str) -> tuple[tuple[Any, ...], ...]:
        """Topics in the order an answer at this level shows them, with what deciding each one needs."""
        categories = _ORDER_SERIOUS if rank_of(level) >= rank_of("urgent") else _ORDER_CALM
        order = tuple(t for category in categories for t in TOPIC_CATEGORIES[category]) + TOPIC_CATEGORIES["never"]
        plans = []
        for topic_id in order:
            content = self.kb.recommendations[topic_id]
            if level == "emergency" and not content.at_emergency and topic_id not in NEVER_RECOMMENDED:
                continue  # not given while waiting for an ambulance: no need to ask whether it applies
            plans.append((
                topic_id, SELECTORS[topic_id], topic_id in NEVER_RECOMMENDED,
                content.suppressed_when, tuple(v.when for v in content.variants), self._advice_templates[topic_id],
            ))
        return tuple(plans)

    @staticmethod
    def _advice_template(content: Any, variant: Any) -> dict[str, Any]:
        return {
            "id": content.id, "category": content.category, "title": content.title,
            "detail": variant.detail if variant else content.detail, "because": None,
            "sources": [dict(s) for s in content.sources], "evidence": content.evidence,
            "evidence_note": content.evidence_note,
            "cautions": list(variant.cautions if variant and variant.cautions is not None else content.cautions),
            "last_reviewed": content.last_reviewed,
        }

    def _check_coverage(self) -> None:
        if set(self.kb.warnings) != WARNING_IDS:
            raise KnowledgeBaseError(f"data_quality.toml: warning ids differ from the engine's: missing "
                                     f"{sorted(WARNING_IDS - set(self.kb.warnings))}, unknown "
                                     f"{sorted(set(self.kb.warnings) - WARNING_IDS)}")
        kb = self.kb
        missing = set(RULE_IDS) - set(kb.rules)
        extra = set(kb.rules) - set(RULE_IDS)
        if missing or extra:
            raise KnowledgeBaseError(
                f"rules.toml: rules without content {sorted(missing)}; content without a rule {sorted(extra)}"
            )
        if set(SELECTORS) != TOPIC_IDS:
            raise KnowledgeBaseError(f"engine: topics without a selector {sorted(TOPIC_IDS - set(SELECTORS))}")
        if set(CHECKS) != set(kb.contraindications):
            raise KnowledgeBaseError("contraindications.toml: ids differ from the engine's checks")
        asked = {field for field, _ in CANDIDATES} - set(kb.questions)
        if asked:
            raise KnowledgeBaseError(f"questions.toml: no wording for {sorted(asked)}")

    def assess(self, request: dict[str, Any]) -> dict[str, Any]:
        """Assess one validated request. Deterministic: the same request gives the same answer."""
        c = Case(request, self.lexicon.classify, self.kb.thresholds, self._warning_texts, self._cramp_classes)
        fired: dict[str, Pointers] = {}
        for rule_id, rule in zip(RULE_IDS, RULES):
            because = rule(c, fired)
            if because:
                fired[rule_id] = because
        rules = self.kb.rules
        by_level = sorted(fired, key=self._rule_rank.__getitem__, reverse=True)  # stable: keeps rule order
        level = rules[by_level[0]].level if by_level else "self_care"
        cautions = contraindications(c, fired)
        recommendations, withheld = self._advice(c, fired, level, cautions)
        return {
            "disposition": self._disposition(level, [r for r in by_level if rules[r].level == level]),
            "red_flags": [self._filled(self._flag_templates[r], fired[r]) for r in by_level],
            "recommendations": recommendations,
            "withheld": withheld,
            "safety_net": self._safety_net(level, frozenset(fired)),
            "data_requested": self._questions(c, level),
            "data_quality": {
                "warnings": c.warnings,
                "unrecognised_medications": c.unrecognised,
                "recognised_medications": c.medications,
            },
            "knowledge_base": self._knowledge_base,
            "disclaimer": self.kb.disclaimer,
        }

    @staticmethod
    def _filled(template: dict[str, Any], because: Pointers) -> dict[str, Any]:
        """A fresh answer item: the shared template's fields with this case's `because`."""
        return {**template, "because": list(because)}

    def _disposition(self, level: str, set_by: list[str]) -> dict[str, Any]:
        content = self.kb.levels[level]
        message = content.message
        if set_by and rank_of(level) >= rank_of("urgent"):
            # Emergency and urgent rules' advice leads with the action to take now, in the rule's terms.
            message = self.kb.rules[set_by[0]].advice
        return {
            "level": level, "rank": content.rank, "act_within": content.act_within,
            "title": content.title, "message": message, "set_by": set_by,
        }

    def _advice(
        self, c: Case, fired: dict[str, Pointers], level: str, cautions: dict[str, Pointers]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        recommendations: list[dict[str, Any]] = []
        withheld: list[dict[str, Any]] = []
        for topic_id, select, never, suppressed_when, whens, templates in self._topic_plans[level]:
            because = select(c, fired)
            if because is None:  # (the emergency plan holds only what is given at that level)
                continue
            if never:
                withheld.append({"id": topic_id, "reason": templates[0]["detail"], "because": list(because)})
                continue
            if cautions and not suppressed_when.isdisjoint(cautions):
                name = min(suppressed_when.intersection(cautions))  # a deterministic choice of the reason
                withheld.append({
                    "id": topic_id, "reason": self.kb.contraindications[name], "because": list(cautions[name]),
                })
                continue
            recommendations.append(self._filled(self._variant(templates, whens, cautions), because))
        return recommendations, withheld

    @staticmethod
    def _variant(templates: list[dict[str, Any]], whens: tuple[str, ...], cautions: dict[str, Pointers]
                 ) -> dict[str, Any]:
        """The first variant written for a caution that holds, else the plain advice (templates[0])."""
        for position, when in enumerate(whens, start=1):
            if when in cautions:
                return templates[position]
        return templates[0]

    def _safety_net(self, level: str, fired_ids: frozenset[str]) -> list[dict[str, str]]:
        """Warnings about anything more serious than this level, except those about rules that all fired."""
        more_serious, while_waiting = self._safety_by_level[level]
        items = [item for item, rules in more_serious if not (rules and rules <= fired_ids)]
        return items or while_waiting.copy()

    def _questions(self, c: Case, level: str) -> list[dict[str, str]]:
        if level == "emergency":
            return []
        asked: list[dict[str, str]] = []
        answered = c.answered
        for key, relevant, item in self._question_items:  # relevant None: always worth asking
            if key not in answered and (relevant is None or relevant(c)):
                asked.append(item)
                if len(asked) == MAX_QUESTIONS:
                    break
        return asked


