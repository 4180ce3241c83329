"""The timestamps in answers (evaluated_at) and log lines: "2026-11-26T08:58:45.123Z"."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from service.clock import utc_millis

FORMAT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@given(st.integers(0, 4_102_444_800_000))  # whole milliseconds up to 2100
def test_matches_datetime_to_the_millisecond(millis: int) -> None:
    now = millis / 1000 + 0.0004  # inside the millisecond, clear of float rounding at its edges
    expected = datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert utc_millis(now) == expected
    assert FORMAT.fullmatch(utc_millis(now))


def test_milliseconds_are_truncated_not_rounded() -> None:
    assert utc_millis(1_764_147_525.5) == "2025-11-26T08:58:45.500Z"
    assert utc_millis(1_764_147_525.9996) == "2025-11-26T08:58:45.999Z"
    assert utc_millis(1_764_147_526.25) == "2025-11-26T08:58:46.250Z"
    assert utc_millis(0) == "1970-01-01T00:00:00.000Z"


def test_defaults_to_now() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = utc_millis()
    assert FORMAT.fullmatch(stamp)
    assert before <= datetime.fromisoformat(stamp) <= datetime.now(UTC)
