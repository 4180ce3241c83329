"""JSON logs: one line per event, field names from a fixed allow-list, never a request value.

The formatter copies only known `extra` keys, so a careless `logger.info(..., extra={"age": ...})`
cannot leak health data: unknown keys are dropped, and messages are fixed event names.
"""
from __future__ import annotations

import logging
import sys
from typing import Any

import orjson

from service.clock import utc_millis

ALLOWED_FIELDS = (
    "request_id", "method", "route", "status", "duration_ms", "disposition", "error_type",
    "invalid_fields", "client", "format", "kb_version", "kb_sha256", "pid", "event_detail",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": utc_millis(record.created),
            "level": record.levelname,
            "logger": record.name,
            "event": record.msg if isinstance(record.msg, str) else "log",
        }
        for field in ALLOWED_FIELDS:
            value = record.__dict__.get(field)
            if value is not None:
                entry[field] = value
        return orjson.dumps(entry).decode()


class StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stdout is at the time (test capture swaps it)."""

    _cramp = True

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property  # type: ignore[override]
    def stream(self):  # noqa: ANN201
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:  # noqa: ANN001
        pass


def _line_buffered_stdout() -> None:
    """Each line must leave the process when it is written. The image sets PYTHONUNBUFFERED, but
    without it stdout into a file or pipe is block-buffered: request lines then wait for 8 KiB, and
    a killed worker takes its unwritten lines with it. Set in gunicorn's master, workers inherit it."""
    stream = sys.stdout
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None or getattr(stream, "line_buffering", True) or getattr(stream, "write_through", False):
        return
    try:
        reconfigure(line_buffering=True)
    except (ValueError, OSError):  # a closed or unusual stream: keep it as it is
        pass


def configure(level: str) -> logging.Logger:
    """Route the service's logger to stdout as JSON; idempotent across app factories in tests."""
    _line_buffered_stdout()
    logger = logging.getLogger("cramp")
    logger.setLevel(level)
    logger.propagate = False
    if not any(getattr(h, "_cramp", False) for h in logger.handlers):
        handler = StdoutHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    return logger


def write_request_line(logger: logging.Logger, fields: dict[str, Any]) -> None:
    """The per-request line, written without a LogRecord: it is on every request's path, and the
    logging machinery cost more than the rest of the line. Same format and allow-list as above."""
    if not logger.isEnabledFor(logging.INFO):
        return
    entry: dict[str, Any] = {
        "time": utc_millis(),
        "level": "INFO", "logger": logger.name, "event": "request",
    }
    for field in ALLOWED_FIELDS:
        value = fields.get(field)
        if value is not None:
            entry[field] = value
    sys.stdout.write(orjson.dumps(entry).decode() + "\n")
