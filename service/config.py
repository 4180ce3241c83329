"""Configuration from environment variables, read once at start-up with documented defaults."""
from __future__ import annotations

import os
import re
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


def _api_keys(raw: str) -> tuple[tuple[str, str], ...]:
    """CRAMP_API_KEYS = "name:sha256hex,name2:sha256hex": only hashes are configured, never keys."""
    keys = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        name, _, digest = item.partition(":")
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,31}", name) or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise ConfigError("CRAMP_API_KEYS entries must be name:sha256-hex (name: a-z 0-9 _ -, up to 32)")
        keys.append((name, digest))
    if len({name for name, _ in keys}) != len(keys):
        raise ConfigError("CRAMP_API_KEYS has a name twice")
    return tuple(keys)


def _origins(raw: str) -> frozenset[str]:
    origins = frozenset(filter(None, (part.strip() for part in raw.split(","))))
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?", origin):
            raise ConfigError("CRAMP_CORS_ORIGINS entries must be origins like https://portal.example.org")
    return origins


@dataclass(frozen=True, slots=True)
class Settings:
    max_body_bytes: int = 32_768
    log_level: str = "INFO"
    knowledge_base_dir: Path = DEFAULT_DATA_DIR
    drain_file: str = ""
    metrics_port: int | None = None
    api_keys: tuple[tuple[str, str], ...] = ()
    cors_origins: frozenset[str] = frozenset()

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
            api_keys=_api_keys(env.get("CRAMP_API_KEYS", "")),
            cors_origins=_origins(env.get("CRAMP_CORS_ORIGINS", "")),
        )
