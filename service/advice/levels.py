"""The five disposition levels, lowest first, so that comparing ranks compares urgency."""

LEVELS: tuple[str, ...] = ("self_care", "doctor_routine", "doctor_soon", "urgent", "emergency")
_RANK = {name: index for index, name in enumerate(LEVELS)}


def rank_of(level: str) -> int:
    """Rank 0 (self_care) to 4 (emergency); KeyError on an unknown level keeps typos loud."""
    return _RANK[level]
