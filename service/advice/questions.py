"""Which unknown facts would most change an answer, in priority order (contract: `data_requested`).

The first questions guard the emergency tier; later ones refine routine advice. Only fields the
request left out are asked about: absent means unknown, and unknown is worth asking.
"""
from __future__ import annotations

from typing import Callable

from service.advice.case import EXERCISE_TIMINGS, Case
from service.advice.rules.pictures import one_sided_leg_pain

MAX_QUESTIONS = 5


def always(c: Case) -> bool:
    return True


def _one_sided_pain(c: Case) -> bool:
    """Whether a one-sided pain is an ordinary cramp or possible DVT pain turns on how long it lasts and
    whether it eased (guidance 2.1 item 7): ask early."""
    return bool(one_sided_leg_pain(c))


def _exertion_or_statin(c: Case) -> bool:
    return bool(
        c.timing & EXERCISE_TIMINGS or c.context.get("hot_environment") or c.taking(("statin", "fibrate"))
        or c.context.get("exertion") in ("strenuous", "extreme")
    )


CANDIDATES: tuple[tuple[str, Callable[[Case], bool]], ...] = (
    ("/signs/chest_pain", always),
    ("/signs/breathlessness", always),
    ("/signs/swelling_side", lambda c: bool(c.swelling)),
    ("/signs/swelling", lambda c: not c.swelling),
    ("/cramp/duration_minutes", _one_sided_pain),
    ("/cramp/relieved_by_stretching", _one_sided_pain),
    ("/signs/urine_colour", _exertion_or_statin),
    ("/signs/confusion", lambda c: bool(c.timing & EXERCISE_TIMINGS or c.context.get("hot_environment"))),
    ("/signs/weakness_onset", lambda c: bool(c.weakness)),
    ("/signs/numbness_onset", lambda c: bool(c.numbness)),
    ("/context/wound/dirty", lambda c: bool(c.wound_present)),
    ("/context/tetanus_vaccination", lambda c: bool(c.wound_present)),
    ("/context/missed_dialysis_days", lambda c: bool(c.dialysis)),
    ("/cramp/duration_minutes", lambda c: not _one_sided_pain(c)),
    ("/cramp/side", always),
    ("/signs/warmth", lambda c: bool(c.swelling)),
    ("/signs/redness", lambda c: bool(c.swelling)),
    ("/medications", always),
    ("/person/pregnant", lambda c: not c.pregnant and c.sex != "male" and (c.age is None or 12 <= c.age <= 55)),
    ("/person/age", always),
    ("/signs/weakness", lambda c: not c.weakness),
    ("/signs/numbness", lambda c: not c.numbness),
    ("/context/sleep_disturbed", always),
    ("/cramp/relieved_by_stretching", lambda c: not _one_sided_pain(c)),
    ("/cramp/episodes_per_week", always),
    ("/conditions", always),
)

