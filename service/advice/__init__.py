"""The clinical engine: facts in, assessment out. Pure Python, no Flask, deterministic."""
from service.advice.engine import Engine
from service.advice.levels import LEVELS, rank_of

__all__ = ["Engine", "LEVELS", "rank_of"]
