"""The rulebook for clinical sign-off: one static HTML page built from the code and the content.

    python -m service.rulebook --out docs/rulebook.html      (what `make rulebook` runs)

Nothing in the page is written by hand. Rules come in RULES order with their content from rules.toml;
the thresholds a rule uses are found by reading the code (`thresholds_by_rule`); the cases that
exercise a rule are found by running them through the engine (`run_cases`). The page carries no time
of its own: it is dated by the knowledge base's `last_reviewed`, so the same code and content always
give the same bytes, and tests/test_rulebook.py can check the committed copy is not stale.
"""
from __future__ import annotations

import argparse
import ast
import copy
import inspect
import json
import re
import sys
import textwrap
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import jinja2
import markupsafe

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).with_name("templates")
FIXTURES = ROOT / "tests" / "fixtures"
PUBLIC_CASES = FIXTURES / "vignettes-public.json"
TEAM_CASES = FIXTURES / "vignettes-team.json"
TRIGGER_TABLE = ROOT / "tests" / "advice" / "test_rules.py"

# Level id -> (heading, short name for tables).
TIER_NAMES = {
    "emergency": ("Emergency", "Emergency"),
    "urgent": ("Urgent (the same day)", "Urgent"),
    "doctor_soon": ("Doctor soon (1 to 3 days)", "Doctor soon"),
    "doctor_routine": ("Doctor, routine", "Doctor routine"),
    "self_care": ("Self-care", "Self-care"),
}


# --- Which thresholds a rule uses, read from the code ------------------------------------------------
#
# A threshold is read as `<anything>.limits.<id>`, or as `<alias>.<id>` after `alias = c.limits` (tuple
# unpacking included). A rule also uses what it reaches: functions it calls that are defined in
# service/advice/rules/ or service/advice/case.py (pictures, module helpers such as doctor.troublesome),
# Case methods it calls (`c.is_child()` reads `self.limits.adult_age`), and Case facts whose value the
# Case computed with a threshold (`c.fever` depends on fever_c, `c.postpartum` on postpartum_weeks,
# `c.recent_changes` on new_medicine_weeks). The facts are found by following, inside Case's methods,
# which thresholds flow into each `self.<fact>` (through local names, and through the `if` tests an
# assignment sits under).

_FOLLOWED_MODULES = ("service.advice.rules", "service.advice.case")


def _parse_function(fn: Callable[..., Any]) -> ast.FunctionDef:
    node = ast.parse(textwrap.dedent(inspect.getsource(fn))).body[0]
    assert isinstance(node, ast.FunctionDef), fn
    return node


def _limits_aliases(fn: ast.FunctionDef) -> frozenset[str]:
    """Local names bound to `<x>.limits`: `limits = c.limits`, `a, limits = x.a, self.limits`."""
    aliases: set[str] = set()

    def bind(target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
            for t, v in zip(target.elts, value.elts):
                bind(t, v)
        elif isinstance(target, ast.Name) and isinstance(value, ast.Attribute) and value.attr == "limits":
            aliases.add(target.id)

    for node in ast.walk(fn):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                bind(target, node.value)
    return frozenset(aliases)


def _case_names(fn: ast.FunctionDef, is_method: bool) -> frozenset[str]:
    """Parameters holding the Case: `self` in its methods, else those annotated Case (or named c)."""
    names = {"self"} if is_method else set()
    for arg in fn.args.args:
        annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
        if annotation.strip("'\"") == "Case" or arg.arg == "c":
            names.add(arg.arg)
    return frozenset(names)


def _direct_threshold(node: ast.AST, aliases: frozenset[str]) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
        base = node.value
        if isinstance(base, ast.Attribute) and base.attr == "limits":
            return node.attr
        if isinstance(base, ast.Name) and base.id in aliases:
            return node.attr
    return None


class _CodeReader:
    """Threshold reads of functions, memoised, with the Case class read once."""

    def __init__(self) -> None:
        from service.advice import case as case_module

        self.case_module = case_module
        source = ast.parse(inspect.getsource(case_module))
        case_class = next(n for n in source.body if isinstance(n, ast.ClassDef) and n.name == "Case")
        self.case_methods: dict[str, ast.FunctionDef] = {
            n.name: n for n in case_class.body if isinstance(n, ast.FunctionDef)
        }
        self._functions: dict[Callable[..., Any], frozenset[str]] = {}
        self._methods: dict[str, frozenset[str]] = {}
        self._in_progress: set[object] = set()
        self.facts: dict[str, frozenset[str]] = {}
        while True:  # a fact may come from a method that reads another fact: repeat until nothing changes
            facts = self._fact_thresholds()
            if facts == self.facts:
                break
            self.facts, self._methods, self._functions = facts, {}, {}

    # A function or method: what it reads directly, through Case facts, and through what it calls.
    def reads(self, fn: ast.FunctionDef, namespace: Mapping[str, Any], is_method: bool) -> frozenset[str]:
        aliases, cases = _limits_aliases(fn), _case_names(fn, is_method)
        found: set[str] = set()
        for node in ast.walk(fn):
            direct = _direct_threshold(node, aliases)
            if direct:
                found.add(direct)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in cases:
                found |= self.facts.get(node.attr, frozenset())
            if isinstance(node, ast.Call):
                found |= self.called(node.func, namespace, cases)
        return frozenset(found)

    def called(self, func: ast.expr, namespace: Mapping[str, Any], cases: frozenset[str]) -> frozenset[str]:
        if isinstance(func, ast.Name):
            target = namespace.get(func.id)
            if inspect.isfunction(target) and target.__module__.startswith(_FOLLOWED_MODULES):
                return self.function(target)
        elif (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in cases
              and func.attr in self.case_methods):
            return self.method(func.attr)
        return frozenset()

    def function(self, fn: Callable[..., Any]) -> frozenset[str]:
        if fn not in self._functions:
            if fn in self._in_progress:  # recursion: what it reads is being collected further up
                return frozenset()
            self._in_progress.add(fn)
            self._functions[fn] = self.reads(_parse_function(fn), fn.__globals__, is_method=False)
            self._in_progress.discard(fn)
        return self._functions[fn]

    def method(self, name: str) -> frozenset[str]:
        if name not in self._methods:
            key = ("Case", name)
            if key in self._in_progress:
                return frozenset()
            self._in_progress.add(key)
            self._methods[name] = self.reads(self.case_methods[name], vars(self.case_module), is_method=True)
            self._in_progress.discard(key)
        return self._methods[name]

    def _fact_thresholds(self) -> dict[str, frozenset[str]]:
        """Case fact -> the thresholds its value depends on, across all Case methods."""
        facts: dict[str, set[str]] = {}
        for fn in self.case_methods.values():
            _FactFlow(self, fn, facts).block(fn.body, frozenset())
        return {name: frozenset(found) for name, found in sorted(facts.items()) if found and name != "limits"}


class _FactFlow:
    """Which thresholds flow into each `self.<fact>` in one Case method: through local names, through
    the `if`/`for` tests an assignment sits under, and into `self.<fact>.append(...)`-style mutation.
    Flow-insensitive (a name collects everything ever assigned to it), so it errs towards listing more."""

    def __init__(self, reader: _CodeReader, fn: ast.FunctionDef, facts: dict[str, set[str]]) -> None:
        self.reader, self.facts = reader, facts
        self.aliases = _limits_aliases(fn)
        self.local: dict[str, set[str]] = {}

    def value_reads(self, expr: ast.AST) -> set[str]:
        found: set[str] = set()
        namespace = vars(self.reader.case_module)
        for node in ast.walk(expr):
            direct = _direct_threshold(node, self.aliases)
            if direct:
                found.add(direct)
            elif isinstance(node, ast.Name) and node.id in self.local:
                found |= self.local[node.id]
            elif _is_self_attribute(node):
                found |= self.reader.facts.get(node.attr, frozenset())
            if isinstance(node, ast.Call):
                found |= self.reader.called(node.func, namespace, frozenset({"self"}))
        return found

    def store(self, target: ast.expr, thresholds: Iterable[str]) -> None:
        if isinstance(target, ast.Name):
            self.local.setdefault(target.id, set()).update(thresholds)
        elif _is_self_attribute(target):
            self.facts.setdefault(target.attr, set()).update(thresholds)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.store(element, thresholds)

    def assign(self, target: ast.expr, value: ast.expr, control: frozenset[str]) -> None:
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
            for t, v in zip(target.elts, value.elts):
                self.assign(t, v, control)
        else:
            self.store(target, self.value_reads(value) | control)

    @staticmethod
    def mutated(func: ast.expr) -> ast.expr | None:
        """What a call mutates: `self.x.append(...)`, `self.x.setdefault(k, []).append(...)` -> self.x;
        `names.append(...)` -> names; `self.warn(...)` (a method, not a fact) -> None."""
        if not isinstance(func, ast.Attribute):
            return None
        node = func.value
        while isinstance(node, (ast.Call, ast.Attribute)):
            if _is_self_attribute(node):
                return node
            node = node.func if isinstance(node, ast.Call) else node.value
        return node if isinstance(node, ast.Name) and node.id != "self" else None

    def block(self, statements: Iterable[ast.stmt], control: frozenset[str]) -> None:
        for s in statements:
            if isinstance(s, ast.Assign):
                for target in s.targets:
                    self.assign(target, s.value, control)
            elif isinstance(s, (ast.AnnAssign, ast.AugAssign)) and s.value is not None:
                self.assign(s.target, s.value, control)
            elif isinstance(s, (ast.If, ast.While)):
                inner = control | self.value_reads(s.test)
                self.block(s.body, inner)
                self.block(s.orelse, inner)
            elif isinstance(s, ast.For):
                inner = control | self.value_reads(s.iter)
                self.store(s.target, inner)
                self.block(s.body, inner)
                self.block(s.orelse, inner)
            elif isinstance(s, ast.With):
                self.block(s.body, control)
            elif isinstance(s, ast.Try):
                for part in (s.body, *(h.body for h in s.handlers), s.orelse, s.finalbody):
                    self.block(part, control)
            elif isinstance(s, ast.Expr) and isinstance(s.value, ast.Call):
                target = self.mutated(s.value.func)
                if target is not None:
                    self.store(target, self.value_reads(s.value) | control)


def _is_self_attribute(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"


def thresholds_by_rule(order: Iterable[str] | None = None) -> dict[str, tuple[str, ...]]:
    """Rule id -> the thresholds it uses, found in the code (in `order`, else alphabetical)."""
    from service.advice.rules import RULES

    reader = _CodeReader()
    rank = {name: i for i, name in enumerate(order)} if order is not None else None
    found = {}
    for rule in RULES:
        names = reader.function(rule)
        found[rule.__name__] = tuple(sorted(names, key=rank.__getitem__) if rank is not None else sorted(names))
    return found


def comparisons() -> dict[str, tuple[str, ...]]:
    """Threshold id -> every function in service/advice that compares with it itself (direct reads:
    rules and pictures, Case methods, advice topics, cautions), as `module.function`."""
    import importlib
    import pkgutil

    from service import advice

    found: dict[str, set[str]] = {}
    for info in pkgutil.walk_packages(advice.__path__, prefix="service.advice."):
        if info.ispkg:
            continue
        module = importlib.import_module(info.name)
        short = info.name.removeprefix("service.advice.")
        tree = ast.parse(inspect.getsource(module))
        for node in tree.body:
            named: list[tuple[str, ast.AST]] = []
            if isinstance(node, ast.FunctionDef):
                named = [(f"{short}.{node.name}", node)]
            elif isinstance(node, ast.ClassDef):
                named = [(f"{short}.{node.name}.{n.name}", n) for n in node.body if isinstance(n, ast.FunctionDef)]
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                # A table of checks (cautions.CHECKS): name each entry by its key.
                target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                label = f"{short}.{ast.unparse(target)}"
                if isinstance(node.value, ast.Dict):
                    named = [(f"{label}[{ast.unparse(k)}]" if k is not None else label, v)
                             for k, v in zip(node.value.keys, node.value.values)]
                else:
                    named = [(label, node.value)]
            for qualname, code in named:
                aliases = _limits_aliases(code) if isinstance(code, ast.FunctionDef) else frozenset()
                for sub in ast.walk(code):
                    direct = _direct_threshold(sub, aliases)
                    if direct:
                        found.setdefault(direct, set()).add(qualname)
    return {name: tuple(sorted(users)) for name, users in found.items()}


# --- The cases that exercise each rule ----------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One case run through the engine for the rulebook."""

    id: str
    anchor: str
    group: str  # "public", "team", "trigger"
    summary: str
    request: Mapping[str, Any]
    level: str = ""
    fired: tuple[str, ...] = field(default=())


def _vignettes(path: Path, group: str) -> list[Example]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("cases", data.get("vignettes"))
    if not isinstance(data, list):
        raise SystemExit(f"{path}: expected a list of cases")
    return [
        Example(str(case["id"]), f"case-{case['id']}", group, str(case.get("summary", "")), case["request"])
        for case in data
    ]


def trigger_rows(path: Path = TRIGGER_TABLE) -> dict[str, tuple[Any, str, Any, Any]]:
    """TRIGGERS from tests/advice/test_rules.py, read as a literal (the tests need not be importable)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        if isinstance(target, ast.Name) and target.id == "TRIGGERS" and node.value is not None:
            try:
                return ast.literal_eval(node.value)
            except ValueError as err:
                raise SystemExit(f"{path}: TRIGGERS must stay a plain literal for the rulebook ({err})") from None
    raise SystemExit(f"{path}: no TRIGGERS table")


def _with_value(base: Mapping[str, Any], pointer: str, value: Any) -> dict[str, Any]:
    """The request a TRIGGERS row fires with (as with_value in tests/advice/test_rules.py)."""
    request = copy.deepcopy(dict(base))
    parts = pointer.strip("/").split("/")
    node = request
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return request


def load_cases(root: Path = ROOT) -> tuple[list[Example], bool]:
    """Public vignettes, the team's vignettes when present, and each TRIGGERS row's firing request."""
    fixtures = root / "tests" / "fixtures"
    cases = _vignettes(fixtures / PUBLIC_CASES.name, "public")
    team = fixtures / TEAM_CASES.name
    has_team = team.exists()
    if has_team:
        cases += _vignettes(team, "team")
    for rule_id, (base, pointer, value, _no) in trigger_rows(root / TRIGGER_TABLE.relative_to(ROOT)).items():
        shown = json.dumps(value, ensure_ascii=False)
        summary = f"{json.dumps(base, ensure_ascii=False)} with {pointer} = {shown}"
        cases.append(Example(rule_id, f"trigger-{rule_id}", "trigger", summary, _with_value(base, pointer, value)))
    return cases, has_team


def run_cases(engine: Any, cases: Iterable[Example]) -> list[Example]:
    """Each case through the request schema and the engine, as the service would answer it."""
    from schemas import ASSESS_REQUEST, ValidationError

    answered = []
    for case in cases:
        try:
            facts = ASSESS_REQUEST.load(copy.deepcopy(dict(case.request)))
        except ValidationError as err:
            raise SystemExit(f"case {case.id} ({case.group}) is not a valid request: {err.messages}") from None
        answer = engine.assess(facts)
        fired = tuple(flag["id"] for flag in answer["red_flags"])
        answered.append(Example(case.id, case.anchor, case.group, case.summary, case.request,
                                answer["disposition"]["level"], fired))
    return answered


# --- The page -------------------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:g}"


def _act_within(duration: str | None) -> str:
    if not duration:
        return "no time limit"
    match = re.fullmatch(r"P(?:T(\d+)([HMS])|(\d+)([DW]))", duration)
    if not match:
        return duration
    amount = int(match.group(1) or match.group(3))
    if amount == 0:
        return "now"
    unit = {"H": "hour", "M": "minute", "S": "second", "D": "day", "W": "week"}[match.group(2) or match.group(4)]
    return f"within {amount} {unit}{'s' if amount != 1 else ''}"


def page_data(data_dir: Path | None = None, root: Path = ROOT) -> dict[str, Any]:
    """Everything the template shows, in the order it shows it."""
    from service.advice import Engine
    from service.advice.rules import RULES
    from service.content import DEFAULT_DATA_DIR, load_knowledge_base

    data_dir = data_dir or DEFAULT_DATA_DIR
    kb = load_knowledge_base(data_dir)
    meta = tomllib.loads((data_dir / "kb.toml").read_text(encoding="utf-8"))
    signoff = str(meta.get("clinical_signoff", "not recorded"))
    engine = Engine(kb)
    cases, has_team = load_cases(root)
    cases = run_cases(engine, cases)

    threshold_order = list(kb.threshold_content)
    uses = thresholds_by_rule(threshold_order)
    compared_in = comparisons()

    def basis(basis_id: str) -> dict[str, Any]:
        if basis_id == "interpretation":
            return {"interpretation": True}
        source = kb.sources[basis_id]
        return {"interpretation": False, "id": source.id, "label": source.label, "url": source.url}

    thresholds = []
    for t in kb.threshold_content.values():
        thresholds.append({
            "id": t.id, "value": _number(t.value), "unit": t.unit, "meaning": t.meaning, "note": t.note,
            "basis": basis(t.basis),
            "rules": [r.__name__ for r in RULES if t.id in uses[r.__name__]],
            "compared_in": list(compared_in.get(t.id, ())),
        })
    threshold_by_id = {t["id"]: t for t in thresholds}

    rule_modules = {r.__name__: r.__module__.replace(".", "/") + ".py" for r in RULES}
    tiers: list[dict[str, Any]] = []
    for rule in RULES:
        rule_id = rule.__name__
        content = kb.rules[rule_id]
        if not tiers or tiers[-1]["level"] != content.level:
            level = kb.levels[content.level]
            name, short = TIER_NAMES.get(content.level, (content.level, content.level))
            tiers.append({"level": content.level, "name": name, "short": short,
                          "title": level.title, "act_within": _act_within(level.act_within), "rules": []})
        sources = []
        for cited in content.sources:
            source = next(s for s in kb.sources.values() if s.url == cited["url"] and s.label == cited["label"])
            sources.append(source)
        exercised = {group: [c for c in cases if c.group == group and rule_id in c.fired]
                     for group in ("public", "team", "trigger")}
        tiers[-1]["rules"].append({
            "id": rule_id, "guidance_id": content.guidance_id, "level": content.level, "title": content.title,
            "trigger": content.trigger, "advice": content.advice, "evidence": content.evidence,
            "last_reviewed": content.last_reviewed, "sources": sources, "code": rule_modules[rule_id],
            "thresholds": [threshold_by_id[name] for name in uses[rule_id]],
            "cases": exercised, "case_count": sum(len(v) for v in exercised.values()),
        })
    rules = [rule for tier in tiers for rule in tier["rules"]]
    return {
        "kb": {"name": str(meta.get("name", "Knowledge base")), "version": kb.version, "sha256": kb.sha256,
               "last_reviewed": kb.last_reviewed, "signoff": signoff, "signed_off": signoff == "signed_off"},
        "tiers": tiers,
        "rules": rules,
        "thresholds": thresholds,
        "interpretations": [t for t in thresholds if t["basis"]["interpretation"]],
        "unverified": [r for r in rules if r["evidence"] == "unverified"],
        "cases": cases,
        "case_groups": {
            "public": [c for c in cases if c.group == "public"],
            "team": [c for c in cases if c.group == "team"],
            "trigger": [c for c in cases if c.group == "trigger"],
        },
        "has_team": has_team,
        "rule_titles": {r["id"]: f"{r['guidance_id']} {r['title']}" for r in rules},
        "guidance_ids": {r["id"]: r["guidance_id"] for r in rules},
        "files": {
            "public": PUBLIC_CASES.relative_to(ROOT).as_posix(),
            "team": TEAM_CASES.relative_to(ROOT).as_posix(),
            "triggers": TRIGGER_TABLE.relative_to(ROOT).as_posix(),
        },
    }


def _breakable(identifier: str) -> markupsafe.Markup:
    """An identifier that may wrap after `_` and `.` in a narrow table cell (escaped, then <wbr>)."""
    escaped = markupsafe.escape(identifier)
    return markupsafe.Markup(re.sub(r"([_.])", r"\1<wbr>", str(escaped)))


def build(data_dir: Path | None = None, root: Path = ROOT) -> str:
    """The rulebook as one self-contained HTML document (deterministic: no clock, no randomness)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["breakable"] = _breakable
    environment.globals["level_names"] = {level: short for level, (_, short) in TIER_NAMES.items()}
    return environment.get_template("rulebook.html").render(**page_data(data_dir, root))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.rulebook", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where to write the HTML (e.g. docs/rulebook.html)")
    args = parser.parse_args(argv)
    html = build()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(html, encoding="utf-8", newline="\n")
    print(f"rulebook: wrote {args.out} ({len(html.encode()):,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
