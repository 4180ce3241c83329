"""The assessment as an HTML fragment: one more renderer of the engine's answer, next to orjson.

`AnswerHtml.fragment` turns the same answer dict `POST /assess` sends as JSON (plus the validated
request, for "Because you said ...") into one `<section>` for a portal page: what to do now, the red
flags and why, advice with its evidence and sources, advice withheld and why, the safety net, the
disclaimer, attribution and review dates. Words come from the edition's knowledge base (its language
and region) and its page words; the markup from service/templates/embed/answer.html (autoescaped,
`cramp-` classes, no inline style or script).
"""
from __future__ import annotations

from typing import Any, Mapping

import jinja2
from markupsafe import Markup, escape

from service.content import KnowledgeBase
from service.content.vocabulary import NEVER_RECOMMENDED
from service.render.labels import Labels
from service.render.words import Words

HEADING_LEVELS = (2, 3, 4)  # the fragment's top heading; items go two levels deeper (h6 at most)
DEFAULT_HEADING_LEVEL = 2


class AnswerHtml:
    """Renders answers and refusals as HTML fragments.

    An item's markup depends on the content only (its title, text, sources, evidence) and the heading
    level, so it is rendered once through embed/items.html and kept: a request renders only its own
    "Because you said ..." lines and the frame. The keys are content (ids and texts from the knowledge
    base, three heading levels), so the cache is bounded by the content.
    """

    def __init__(self, env: jinja2.Environment, kb: KnowledgeBase, labels: Labels, words: Words) -> None:
        self.labels = labels
        self.words = words
        self.lang = words.language
        page = self._page = words.namespace
        self.emergency_advice = kb.emergency_fallback
        self._answer = env.get_template("embed/answer.html")
        self._problem = env.get_template("embed/problem.html")
        self._items = env.get_template("embed/items.html").module
        presentation = kb.presentation
        self._level_words = presentation.levels
        self._evidence_words = presentation.evidence
        self._kb_version = kb.version
        self._kb_version_words = words.fill("kb_version", version=kb.version)
        self.disclaimer, self.attribution = kb.disclaimer, presentation.attribution
        self.last_reviewed, self.next_review_due = words.date(kb.last_reviewed), words.date(kb.next_review_due)
        self._footer = Markup(self._items.footer(kb.disclaimer, presentation.attribution, self._kb_version_words,
                                                 self.last_reviewed, self.next_review_due, page))
        self._topic_titles = {topic: content.title for topic, content in kb.recommendations.items()}
        self._pieces: dict[tuple[Any, ...], tuple[str, str]] = {}
        items = self._items
        self._because = (str(items.because_open(page)), str(items.because_line_open()),
                         str(items.because_line_close()), str(items.because_close()))

    # Pieces are kept as plain str (markup already escaped by Jinja2): joining str is several times cheaper
    # than Markup arithmetic, which escapes on every "+". Only the per-request lines are escaped, in _lines.

    def _flag(self, flag: Mapping[str, Any], show_advice: bool, h2: int) -> tuple[str, str]:
        key = ("flag", flag["id"], flag["advice"], show_advice, h2)  # the advice: another edition's words
        piece = self._pieces.get(key)
        if piece is None:
            piece = self._pieces[key] = (
                str(self._items.flag_head(flag, show_advice, h2, self._level_words)),
                str(self._items.flag_tail(flag, self._evidence_words, self._page)),
            )
        return piece

    def _advice(self, item: Mapping[str, Any], h2: int) -> tuple[str, str]:
        key = ("advice", item["id"], item["detail"], h2)  # a variant differs in its detail (and cautions)
        piece = self._pieces.get(key)
        if piece is None:
            piece = self._pieces[key] = (
                str(self._items.advice_head(item, h2, self._page)),
                str(self._items.advice_tail(item, self._evidence_words, self.words.fill(
                    "advice_reviewed", date=self.words.date(item["last_reviewed"])), self._page)),
            )
        return piece

    def _withheld(self, item: Mapping[str, Any], h2: int) -> tuple[str, str]:
        key = ("withheld", item["id"], item["reason"], h2)
        piece = self._pieces.get(key)
        if piece is None:
            # Quinine's reason stands alone ("Quinine is not recommended..."); others complete a sentence.
            reason = item["reason"] if item["id"] in NEVER_RECOMMENDED else self.words.fill(
                "withheld_because", reason=item["reason"])
            piece = self._pieces[key] = (
                str(self._items.withheld_head(item, self._topic_titles[item["id"]], reason, h2)), "</li>",
            )
        return piece

    def _safety(self, item: Mapping[str, Any]) -> str:
        key = ("safety", item["id"], item["text"])
        piece = self._pieces.get(key)
        if piece is None:
            piece = self._pieces[key] = (str(self._items.safety_item(item, self._level_words)), "")
        return piece[0]

    def _lines(self, item: Mapping[str, Any], facts: Mapping[str, Any]) -> str:
        """"Because you said ..." in plain words, one escaped line per answer the item names."""
        because = item["because"]
        if not because:
            return ""
        said = self.labels.said
        start, line_open, line_close, end = self._because
        return start + "".join([line_open + str(escape(said(pointer, facts))) + line_close for pointer in because]) + end

    def fragment(self, answer: Mapping[str, Any], facts: Mapping[str, Any], heading_level: int) -> str:
        """The answer as one <section>, its top heading at h<heading_level>."""
        h2 = heading_level + 2
        message = answer["disposition"]["message"]
        lines = self._lines

        def joined(pieces: list[tuple[tuple[str, str], Mapping[str, Any]]]) -> Markup:
            return Markup("\n".join([head + lines(item, facts) + tail for (head, tail), item in pieces]))

        disposition = answer["disposition"]
        footer = self._footer
        if answer["disclaimer"] != self.disclaimer:  # another edition's words (never today): render them
            footer = Markup(self._items.footer(answer["disclaimer"], self.attribution, self._kb_version_words,
                                               self.last_reviewed, self.next_review_due, self._page))
        return self._answer.render(
            h=heading_level, uid=f"cramp-{answer['assessment_id'][:8]}", assessment_id=answer["assessment_id"],
            lang=self.lang, w=self._page,
            level=disposition["level"], level_words=self._level_words[disposition["level"]],
            title=disposition["title"], message=disposition["message"], kb_version=self._kb_version,
            footer=footer,
            red_flags=joined([(self._flag(f, f["advice"] != message, h2), f) for f in answer["red_flags"]]),
            recommendations=joined([(self._advice(r, h2), r) for r in answer["recommendations"]]),
            withheld=joined([(self._withheld(w, h2), w) for w in answer["withheld"]]),
            safety_net=Markup("\n".join([self._safety(s) for s in answer["safety_net"]])),
        )

    def fragment_markup(self, answer: Mapping[str, Any], facts: Mapping[str, Any], heading_level: int) -> Markup:
        return Markup(self.fragment(answer, facts, heading_level))

    def error_lines(self, errors: list[dict[str, str]]) -> list[dict[str, Any]]:
        """Each invalid field as {pointer, field (plain words), detail (in this language)}; never the value."""
        lines = []
        for error in errors:
            try:
                field = self.labels.info(error["pointer"]).text.label
            except KeyError:
                field = ""  # not a field of the request: an unknown name
            lines.append({"pointer": error["pointer"], "field": field, "detail": self.words.messages.say(error["detail"])})
        return lines

    def problem(self, status: int, title: str, detail: str, errors: list[dict[str, str]] | None,
                heading_level: int = DEFAULT_HEADING_LEVEL) -> str:
        """A refusal of `POST /assess` in HTML: what went wrong, field by field, and the emergency advice."""
        return self._problem.render(
            status=status, title=title, detail=self.words.messages.say(detail), errors=self.error_lines(errors or []),
            h=heading_level, emergency_advice=self.emergency_advice, lang=self.lang, w=self._page,
        )
