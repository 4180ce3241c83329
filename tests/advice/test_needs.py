"""Each group of names an index entry needs is really needed.

The engine skips a rule, topic or caution when some group it needs has no member present (and, for
topics and cautions, no member rule fired). A group that is not truly needed would silently skip a
red flag. So, for random valid requests, each group is taken out of the request in turn, and the
unindexed engine must then never fire the rule, select the topic or find the caution.

Random requests rarely meet all of an entry's other groups at once (dense ones nearly always hold a
chest symptom, which suppresses the rules that defer to the emergency ones), so the second test, per
entry, fills one random member of each other group, takes the group under test out, and then gives
fresh random values to whatever fields the entry's own check asked for (for a list it looked into,
sometimes a list of the very values it looked for). Seven deliberate mistakes (DVT without redness
or without conditions, a one-sided leg without swelling_side, fluid loss without medications, a
child's red features without limp, a spreading infection without dizziness, a diabetic foot without
context/wound) were each caught in every run tried; plain random requests missed two of them.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import ASSESS_REQUEST
from service.advice import Engine
from service.advice.case import FACT_FIELDS, Case, Pointers
from service.advice.cautions import CHECKS
from service.advice.index import Needs
from service.advice.rules import RULE_IDS, RULES
from service.advice.topics import NEEDS, SELECTORS
from strategies import REQUEST_FIELDS, sparse_requests, valid_requests

ENTRIES: list[tuple[str, str, Needs]] = (
    [("rule", rule_id, needs) for rule_id, _, needs in RULES]
    + [("topic", topic_id, needs) for topic_id, needs in NEEDS.items() if needs is not None]
    + [("caution", name, (fields | rules,)) for name, (fields, rules, _) in CHECKS.items()]
)
BY_GROUP: dict[frozenset[str], list[tuple[str, str]]] = {}
for _kind, _name, _needs in ENTRIES:
    for _group in _needs:
        BY_GROUP.setdefault(_group, []).append((_kind, _name))
STEPS = 6  # rounds of filling in what the check asked for
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def without(request: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    """The request with these fields taken out ("signs/fever", "context/wound", "medications")."""
    stripped = copy.deepcopy(request)
    for name in names - set(RULE_IDS):
        section, _, key = name.partition("/")
        if key:
            stripped.get(section, {}).pop(key, None)
        else:
            stripped.pop(section, None)
    return stripped


def put(request: dict[str, Any], name: str, value: Any) -> None:
    section, _, key = name.partition("/")
    if key:
        request.setdefault(section, {})[key] = value
    else:
        request[section] = value


def assert_not_applying(plain: Engine, request: dict[str, Any], group: frozenset[str],
                        entries: list[tuple[str, str]]) -> None:
    answer = plain.assess(request)
    fired: dict[str, Pointers] = {flag["id"]: tuple(flag["because"]) for flag in answer["red_flags"]}
    if group & fired.keys():
        return  # a rule the group names fired on other fields: the group is met
    case = Case(request, plain.lexicon.classify, plain._cramp_classes)
    for kind, name in entries:
        if kind == "rule":
            assert name not in fired, (name, sorted(group), request)
        elif kind == "topic":
            assert SELECTORS[name](case, fired) is None, (name, sorted(group), request)
        else:
            assert not CHECKS[name][2](case, fired), (name, sorted(group), request)


@SETTINGS
@given(request=st.one_of(valid_requests, sparse_requests))
def test_nothing_applies_with_a_needed_group_taken_out(unindexed_engine: Engine, request: dict[str, Any]) -> None:
    for group, entries in BY_GROUP.items():
        assert_not_applying(unindexed_engine, without(request, group), group, entries)


class ReadLog(dict):  # type: ignore[type-arg]
    """A request object that notes which of its fields the engine asked for."""

    def __init__(self, data: dict[str, Any], prefix: str, log: set[str]) -> None:
        super().__init__(data)
        self._prefix, self._log = prefix, log

    def get(self, key: str, default: Any = None) -> Any:
        self._log.add(self._prefix + key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self._log.add(self._prefix + key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._log.add(self._prefix + str(key))
        return super().__contains__(key)


def logged(request: dict[str, Any], log: set[str]) -> dict[str, Any]:
    """The same request, every object noting reads (sections absent are empty: the same facts)."""
    sections = {name: ReadLog(request.get(name, {}), f"{name}/", log)
                for name in ("person", "cramp", "signs", "context")}
    return ReadLog({**request, **sections}, "", log)


# Case attributes that are not derived facts: the request's own sections (ReadLog notes reads of
# those), what the answer reports, the index's field sets, configuration and a memo.
NOT_FACTS = {"raw", "person", "cramp", "signs", "context", "wound", "warnings", "present", "answered",
             "cramp_associated", "_taken"}


def test_every_fact_case_derives_declares_its_fields() -> None:
    assert set(Case.__slots__) - NOT_FACTS == set(FACT_FIELDS)


class LoggedCase(Case):
    """A Case that, once `log` is set, notes the request fields behind each derived fact read, and
    in `wanted` the list values a check looks for (which conditions, places, asks)."""

    def __getattribute__(self, attribute: str) -> Any:
        log = object.__getattribute__(self, "__dict__").get("log")
        if log is not None and attribute in FACT_FIELDS:
            log.update(FACT_FIELDS[attribute])
        return object.__getattribute__(self, attribute)

    def want(self, field: str, values: Iterable[str]) -> None:
        self.__dict__.setdefault("wanted", {}).setdefault(field, set()).update(values)

    def has_condition(self, *ids: str) -> Pointers:
        self.want("conditions", ids)
        return super().has_condition(*ids)

    def located(self, *places: str) -> Pointers:
        self.want("cramp/locations", places)
        return super().located(*places)

    def asked(self, items: frozenset[str]) -> Pointers:
        self.want("asks_about", items)
        return super().asked(items)


def fresh_value(data: st.DataObject, field: str, wanted: dict[str, set[str]]) -> Any:
    """A random value for the field; for a list a check looked into, sometimes one holding what it
    looked for (random condition lists rarely hold the one condition a rule needs)."""
    if field in wanted and data.draw(st.booleans()):
        return data.draw(st.lists(st.sampled_from(sorted(wanted[field])), min_size=1, max_size=3, unique=True))
    return data.draw(REQUEST_FIELDS[field])


CHECK = {
    **{("rule", rule_id): predicate for rule_id, predicate, _ in RULES},
    **{("topic", topic_id): selector for topic_id, selector in SELECTORS.items()},
    **{("caution", name): check for name, (_, _, check) in CHECKS.items()},
}


@pytest.mark.parametrize(("kind", "name", "needs"), ENTRIES, ids=[f"{kind}:{name}" for kind, name, _ in ENTRIES])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=sparse_requests, data=st.data())
def test_nothing_applies_with_a_needed_group_taken_out_and_the_others_met(
    unindexed_engine: Engine, kind: str, name: str, needs: Needs, base: dict[str, Any], data: st.DataObject
) -> None:
    """Guided: one member of each other group is filled in; then, STEPS times over, every field this
    entry's check asked for (and one more at random) gets a fresh random value and the check runs
    again, so a trigger missing from a group is soon tried."""
    everything = sorted(REQUEST_FIELDS)
    for taken_out in needs:
        request = copy.deepcopy(base)
        for group in needs:
            fields = sorted(group - set(RULE_IDS) - taken_out)
            if group is not taken_out and fields:
                field = data.draw(st.sampled_from(fields))
                put(request, field, data.draw(REQUEST_FIELDS[field]))
        request = without(request, taken_out)
        for step in range(STEPS + 1):
            request = ASSESS_REQUEST.load(request)  # still a valid request
            assert_not_applying(unindexed_engine, request, taken_out, [(kind, name)])
            if step == STEPS:
                break
            asked: set[str] = set()
            plain = unindexed_engine
            case = LoggedCase(logged(request, asked), plain.lexicon.classify, plain._cramp_classes)
            asked.clear()  # only what this entry's own check asks for
            case.log = asked
            CHECK[kind, name](case, {flag["id"]: tuple(flag["because"]) for flag in plain.assess(request)["red_flags"]})
            wanted = case.__dict__.get("wanted", {})
            for field in sorted({*(asked & REQUEST_FIELDS.keys()), data.draw(st.sampled_from(everything))} - taken_out):
                put(request, field, fresh_value(data, field, wanted))
