"""JSON Pointers to the answers behind a fact: what a red flag or a piece of advice says it is "because" of.

A fact is a tuple of pointers, truthy when it holds: ("/signs/warmth",) holds, NO_POINTERS does not.
Facts combine with `join`, which keeps the first-seen order and drops repeats, so an answer lists
each field once, in the order the rule found them.
"""
from __future__ import annotations

from functools import cache
from typing import Iterable

Pointers = tuple[str, ...]
NO_POINTERS: Pointers = ()


@cache
def field(section: str, key: str) -> Pointers:
    """("/signs/fever",): one field as a fact. Remembered: rules name the same few fields again and again,
    and the names come from code or from schema-validated requests, so the set stays small."""
    return (f"/{section}/{key}",)


def join(*facts: Pointers) -> Pointers:
    """The pointers of all these facts, each once, in first-seen order."""
    found = NO_POINTERS
    for fact in facts:
        if not fact:
            continue
        if not found:
            found = fact
            continue
        for pointer in fact:
            if pointer not in found:
                found += (pointer,)
    return found


def fired_because(fired: dict[str, Pointers], rule_ids: Iterable[str]) -> Pointers:
    """The pointers of whichever of these rules fired, joined (NO_POINTERS when none did)."""
    return join(*[fired[rule_id] for rule_id in rule_ids if rule_id in fired])
