"""The timestamps in answers (evaluated_at) and log lines."""
from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from service.clock import utc_millis


@given(st.integers(0, 4_102_444_800_000))  # whole milliseconds up to 2100
def test_matches_datetime_to_the_millisecond(millis: int) -> None:
    now = millis / 1000 + 0.0004  # inside the millisecond, clear of float rounding at its edges
    expected = datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert utc_millis(now) == expected


def test_the_cached_second_changes_with_the_second() -> None:
    assert utc_millis(1_764_147_525.5) == "2025-11-26T08:58:45.500Z"
    assert utc_millis(1_764_147_526.25) == "2025-11-26T08:58:46.250Z"
    assert utc_millis(1_764_147_525.5) == "2025-11-26T08:58:45.500Z"


def test_defaults_to_now() -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    stamp = datetime.fromisoformat(utc_millis().replace("Z", "+00:00"))
    assert before <= stamp <= datetime.now(timezone.utc)
