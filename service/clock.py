"""UTC timestamps as the API and the logs write them: "2026-11-26T08:58:45.123Z"."""
from __future__ import annotations

from datetime import UTC, datetime


def utc_millis(now: float | None = None) -> str:
    """`now` (seconds since the epoch, default the current time) to milliseconds, truncated, with Z."""
    moment = datetime.now(UTC) if now is None else datetime.fromtimestamp(now, UTC)
    return moment.isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"
