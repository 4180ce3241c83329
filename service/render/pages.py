"""The /embed pages: the questionnaire (empty, or again with errors), the result with its follow-up form,
and the error page. Each is a complete HTML page from service/templates/embed/, rendered by Flask's Jinja2.

Widgets follow the request schema's kinds (service/render/labels.py): yes/no and choices are radios with an
"I don't know" answer that sends nothing, lists are checkboxes (with "none of these" where the content
offers it), numbers are text boxes, medicines are rows. Their words come from the edition's knowledge base
and page words (service/render/words.py), so a page is wholly in one language, which its <html lang> says.
Every link and form keeps the query the page was asked with (`here`: lang, region), so the language and
region chosen on the first page hold through the follow-up.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import jinja2
from markupsafe import Markup

from service.content import KnowledgeBase
from service.render.form import NONE, FormCodec, form_name
from service.render.html import AnswerHtml
from service.render.labels import BOOLEAN, CHOICE, CHOICES, INTEGER, NUMBER, ROWS, FieldInfo, Labels
from service.render.words import Words

EMPTY_ROWS = 3  # medicine rows the questionnaire offers at first
_INPUT_WIDTHS = {INTEGER: 3, NUMBER: 5}


@dataclass(slots=True)
class Option:
    value: str
    words: str
    id: str
    checked: bool = False


@dataclass(slots=True)
class Widget:
    """One question on a page, ready for service/templates/embed/widgets.html."""

    kind: str  # radios, checkboxes, input, rows
    name: str
    id: str
    question: str
    hint: str = ""
    unit: str = ""
    value: str = ""
    inline: bool = False
    inputmode: str = ""
    width: int = 0
    options: list[Option] = field(default_factory=list)
    none: Option | None = None
    errors: list[Markup] = field(default_factory=list)  # messages in the page's language
    rows: list["Row"] = field(default_factory=list)

    @property
    def target(self) -> str:
        """The element an error summary links to: the first control (GOV.UK)."""
        if self.options:
            return self.options[0].id
        if self.rows:
            return self.rows[0].parts[0].target
        return self.id


@dataclass(slots=True)
class Row:
    legend: str
    parts: list[Widget]


def pointer_name(pointer: str) -> str:
    """The form name a JSON Pointer was made from ("/signs/fevr" -> "signs.fevr")."""
    return ".".join(part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/"))


def control_id(name: str) -> str:
    return "cramp-f-" + name.replace(".", "-")


class Values:
    """Submitted answers by form name (werkzeug's MultiDict, or nothing for an empty form)."""

    def __init__(self, form: Any = None) -> None:
        self.form = form

    def get(self, name: str) -> list[str]:
        return self.form.getlist(name) if self.form is not None else []


class Pages:
    """Builds and renders the /embed pages; one per process, made at start-up."""

    def __init__(self, env: jinja2.Environment, kb: KnowledgeBase, labels: Labels, codec: FormCodec,
                 answers: AnswerHtml, css_version: str, words: Words) -> None:
        self.labels, self.codec, self.answers = labels, codec, answers
        self.page_words, self.lang = words, words.language
        self.words = kb.presentation.answers
        self.groups = kb.presentation.groups
        self.emergency_advice = kb.emergency_fallback
        self.css_version = css_version
        self._questionnaire = env.get_template("embed/questionnaire.html")
        self._result = env.get_template("embed/result.html")
        self._error = env.get_template("embed/error.html")
        self.on_questionnaire = frozenset(form_name(p) for g in self.groups for p in g.fields)
        self.row_labels = {name: labels.fields[info.pointer + "/-"].text.label for name, info in codec.rows.items()}

    # --- widgets -----------------------------------------------------------------------------------

    def widget(self, pointer: str, values: Values, errors: Mapping[str, list[Markup]], question: str = "",
               name: str = "") -> Widget:
        """The control for one request field (a template pointer such as /signs/chest_pain); `name` for a
        medicine row's field ("medications.2.name")."""
        info = self.labels.fields[pointer]
        name = name or form_name(pointer)
        text = info.text
        question = question or text.question or text.label
        if info.kind == ROWS:
            return self._rows(info, name, question, values, errors)
        widget = Widget("input", name, control_id(name), question, text.hint, errors=list(errors.get(name, ())))
        given = values.get(name)
        if info.kind in (BOOLEAN, CHOICE):
            widget.kind = "radios"
            if info.kind == BOOLEAN:
                choices = [("yes", self.words["yes"]), ("no", self.words["no"])]
                widget.inline = True
            else:
                choices = [(value, text.options[value]) for value in info.choices]
            if "unknown" not in info.choices:  # else the choice itself says "I don't know"
                choices.append(("", text.unknown or self.words["unknown"]))
            widget.options = [
                Option(value, words, f"{widget.id}-{value or 'unknown'}", value in given) for value, words in choices
            ]
        elif info.kind == CHOICES:
            widget.kind = "checkboxes"
            widget.options = [
                Option(value, text.options[value], f"{widget.id}-{value}", value in given) for value in info.choices
            ]
            if text.none:
                widget.none = Option(NONE, text.none, f"{widget.id}-none", NONE in given)
        else:
            widget.value = given[0] if given else ""
            widget.unit = text.unit
            widget.inputmode = "decimal" if info.kind == NUMBER else "numeric" if info.kind == INTEGER else ""
            widget.width = _INPUT_WIDTHS.get(info.kind, 0)
        return widget

    def _rows(self, info: FieldInfo, name: str, question: str, values: Values,
              errors: Mapping[str, list[Markup]]) -> Widget:
        fields = self.codec.row_fields[name]
        used = [row[1] for row in map(self.codec.row_of, self._submitted(values)) if row and row[0] == name]
        count = min(self.codec.max_rows, max([EMPTY_ROWS, *(row + 2 for row in used)]))
        widget = Widget("rows", name, control_id(name), question, info.text.hint,
                        errors=list(errors.get(name, ())))
        for row in range(count):
            parts = []
            for key, part_info in fields.items():
                parts.append(self.widget(part_info.pointer, values, errors, part_info.text.question or part_info.text.label,
                                         f"{name}.{row}.{key}"))
            widget.rows.append(Row(self._row(name, row), parts))
        if info.text.none:
            widget.none = Option(NONE, info.text.none, f"{widget.id}-none", NONE in values.get(name))
        return widget

    @staticmethod
    def _submitted(values: Values) -> list[str]:
        return list(values.form.keys()) if values.form is not None else []

    # --- pages ---------------------------------------------------------------------------------------

    def _row(self, name: str, row: int) -> str:
        """A medicine row's legend: "Medicine 2"."""
        return self.page_words.fill("row", label=self.row_labels[name], number=self.page_words.number(row + 1))

    def _page(self, template: jinja2.Template, here: Mapping[str, str], **context: Any) -> str:
        return template.render(lang=self.lang, w=self.page_words.namespace, here=here, css_version=self.css_version,
                               **context)

    def questionnaire(self, form: Any = None, errors: Sequence[dict[str, str]] = (), rows: Sequence[int] = (),
                      here: Mapping[str, str] | None = None) -> str:
        """The questionnaire: empty, or with the submitted answers, the error summary and inline messages."""
        values = Values(form)
        say = self.page_words.messages.say
        by_name: dict[str, list[Markup]] = {}
        located: list[tuple[str | None, Markup]] = []  # (form name or None, summary text)
        for error in errors:
            name = self.codec.form_name_of(error["pointer"], list(rows))
            detail = say(error["detail"])
            if not self.codec.knows(name):  # an unknown field: say which name the form sent
                words = self._field_words(error["pointer"], pointer_name(error["pointer"]))
                located.append((None, Markup("{}: {}").format(words, detail)))
                continue
            by_name.setdefault(name, []).append(detail)
            located.append((name, Markup("{}: {}").format(self._field_words(error["pointer"], name), detail)))
        groups = []
        shown: list[Widget] = []
        for group in self.groups:
            widgets = [self.widget(pointer, values, by_name) for pointer in group.fields]
            shown.extend(widgets)
            groups.append({"id": group.id, "title": group.title, "hint": group.hint, "widgets": widgets})
        hidden = []
        others = []
        for name in self._submitted(values):
            if name in self.on_questionnaire or self.codec.row_of(name):
                continue
            info = self.codec.scalars.get(name) or self.codec.lists.get(name)
            if info is None:
                continue  # an unknown name: its error is in the summary, the value is not carried on
            if name in by_name:
                others.append(self.widget(info.pointer, values, by_name))
            else:
                hidden.extend((name, value) for value in values.get(name))
        if others:
            groups.append({"id": "other", "title": self.page_words.page["other_answers"], "hint": "", "widgets": others})
            shown.extend(others)
        summary = self._summary(located, shown)
        return self._page(self._questionnaire, here or {}, groups=groups, hidden=hidden, summary=summary)

    def _field_words(self, pointer: str, name: str) -> str:
        try:
            label = self.labels.info(pointer).text.label
        except KeyError:
            return self.page_words.fill("unknown_form_answer", name=name)
        row = self.codec.row_of(name)
        if row:
            return self.page_words.fill("row_field", row=self._row(row[0], row[1]), field=f"{label[0].lower()}{label[1:]}")
        return label

    @staticmethod
    def _summary(located: list[tuple[str | None, Markup]], shown: list[Widget]) -> list[dict[str, Any]]:
        """Error summary items in page order, each linking to its field's first control (GOV.UK)."""
        targets: dict[str, tuple[int, str]] = {}
        for position, widget in enumerate(shown):
            targets.setdefault(widget.name, (position, widget.target))
            for row in widget.rows:
                for part in row.parts:
                    targets.setdefault(part.name, (position, part.target))
        items = []
        for name, text in located:
            position, target = targets.get(name or "", (len(shown), ""))
            items.append((position, {"href": f"#{target}" if target else None, "text": text}))
        return [item for _, item in sorted(items, key=lambda pair: pair[0])]

    def result(self, answer: Mapping[str, Any], facts: Mapping[str, Any], here: Mapping[str, str] | None = None) -> str:
        """The advice, then the follow-up questions with the earlier answers carried in hidden fields."""
        empty = Values()
        followup = [
            self.widget(item["field"], empty, {}, item["question"]) for item in answer["data_requested"]
        ]
        return self._page(self._result, here or {}, answer=self.answers.fragment_markup(answer, facts, 2),
                          followup=followup, hidden=self.codec.encode(facts))

    def error(self, status: int, detail: str, here: Mapping[str, str] | None = None) -> str:
        heading = self.page_words.page["cannot_advise" if status >= 500 else "cannot_read_answers"]
        return self._page(self._error, here or {}, heading=heading, detail=self.page_words.messages.say(detail),
                          emergency_advice=self.emergency_advice)
