"""The rule registry: rules register in evaluation order; the order matters where a rule reads
the ids fired before it (e.g. the heatstroke rule runs after the other emergency rules)."""

from __future__ import annotations

from typing import Callable

from service.advice.case import Case, Pointers
from service.advice.index import Needs, as_needs

Rule = Callable[[Case, dict[str, Pointers]], Pointers]
RULES: list[tuple[str, Rule, Needs]] = []


def rule(rule_id: str, needs: tuple[str, ...] | tuple[tuple[str, ...], ...]) -> Callable[[Rule], Rule]:
    """Register a rule. `needs`: request fields ("signs/chest_pain") at least one of which must be
    present for the rule to be able to fire, or several such groups that must all be met; the engine
    skips it otherwise (an index, not logic: property tests check that skipping never changes an
    answer and that the rule never fires with any one group absent)."""
    groups = as_needs(needs)
    if groups is None:  # a rule that needs nothing would run on every request: say so explicitly
        raise ValueError(f"rule {rule_id!r}: needs names no fields")

    def register(fn: Rule) -> Rule:
        RULES.append((rule_id, fn, groups))
        return fn

    return register
