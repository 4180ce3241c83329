"""The rule registry: rules register in evaluation order; the order matters where a rule reads
the ids fired before it (e.g. the heatstroke rule runs after the other emergency rules)."""

from __future__ import annotations

from typing import Callable, Mapping

from service.advice.case import Case, Pointers

Rule = Callable[[Case, Mapping[str, Pointers]], Pointers]
RULES: list[tuple[str, Rule, frozenset[str]]] = []


def rule(rule_id: str, needs: tuple[str, ...]) -> Callable[[Rule], Rule]:
    """Register a rule. `needs`: request fields ("signs/chest_pain") at least one of which must be
    present for the rule to be able to fire; the engine skips it otherwise (an index, not logic:
    a property test checks that skipping never changes an answer)."""

    def register(fn: Rule) -> Rule:
        RULES.append((rule_id, fn, frozenset(needs)))
        return fn

    return register
