"""Red-flag and escalation rules of guidance section 2.2, one small predicate each.

A rule returns the JSON Pointers of the answers that triggered it, or () when it does not fire.
Levels, titles, advice and sources live in rules.toml; these modules only decide *whether* a rule
fires and *because of what*. Rules run in registration order, highest tier first: the imports
below fix it.
"""

# isort: off
# Importing registers the rules, in this order: some read the ids fired by rules before them.
from service.advice.rules import emergency  # noqa: F401
from service.advice.rules import urgent  # noqa: F401
from service.advice.rules import doctor  # noqa: F401
from service.advice.rules.registry import RULES, Rule, rule

# isort: on

RULE_IDS: tuple[str, ...] = tuple(rule_id for rule_id, _, _ in RULES)

__all__ = ["RULES", "RULE_IDS", "Rule", "rule"]
