"""Configuration from environment variables, read once at start-up with documented defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from service.content import DEFAULT_DATA_DIR


class ConfigError(ValueError):
    """A setting has a value the service cannot run with; the message names the variable."""


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    max_body_bytes: int = 32_768
    log_level: str = "INFO"
    knowledge_base_dir: Path = DEFAULT_DATA_DIR
    drain_file: str = ""
    metrics_port: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        level = env.get("CRAMP_LOG_LEVEL", "INFO").upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ConfigError("CRAMP_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        metrics_bind = env.get("METRICS_BIND", "")
        metrics_port = None
        if metrics_bind:
            port = metrics_bind.rpartition(":")[2]
            if not port.isdigit():
                raise ConfigError("METRICS_BIND must look like HOST:PORT")
            metrics_port = int(port)
        return cls(
            max_body_bytes=_int(env, "CRAMP_MAX_BODY_BYTES", 32_768, 1_024, 1_048_576),
            log_level=level,
            knowledge_base_dir=Path(env.get("CRAMP_KNOWLEDGE_BASE_DIR") or DEFAULT_DATA_DIR),
            drain_file=env.get("CRAMP_DRAIN_FILE", ""),
            metrics_port=metrics_port,
        )
