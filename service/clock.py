"""UTC timestamps as the API and the logs write them: "2026-11-26T08:58:45.123Z".

datetime.now(timezone.utc).isoformat() cost ~3.5 us and time.strftime() ~2.4 us on this machine, on
every request, twice; the seconds part is formatted once per second instead.
"""
from __future__ import annotations

import time

_last: tuple[int, str] = (-1, "")


def utc_millis(now: float | None = None) -> str:
    """`now` (seconds since the epoch, default the current time) to milliseconds, truncated, with Z."""
    global _last
    if now is None:
        now = time.time()
    second = int(now)
    if _last[0] != second:
        _last = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
    return f"{_last[1]}.{int((now - second) * 1000):03d}Z"
