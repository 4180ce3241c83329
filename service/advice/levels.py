"""Rank of the five disposition levels (contract vocabulary), lowest first, so comparing ranks compares urgency."""
from service.content.vocabulary import LEVELS

_RANK = {name: index for index, name in enumerate(LEVELS)}


def rank_of(level: str) -> int:
    """Rank 0 (self_care) to 4 (emergency); KeyError on an unknown level keeps typos loud."""
    return _RANK[level]


__all__ = ["LEVELS", "rank_of"]
