"""Configuration from environment variables, read once at start-up with documented defaults."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from service.content import DEFAULT_DATA_DIR
from service.content.vocabulary import REGIONS


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


def _origins(raw: str, name: str) -> frozenset[str]:
    origins = frozenset(filter(None, (part.strip() for part in raw.split(","))))
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?", origin):
            raise ConfigError(f"{name} entries must be origins like https://portal.example.org")
    return origins



def _region(raw: str) -> str | None:
    """CRAMP_DEFAULT_REGION: a region code of the contract (GB, GB-WLS, NZ, FR...), or unset."""
    if not raw:
        return None
    if raw not in REGIONS:
        raise ConfigError(f"CRAMP_DEFAULT_REGION must be one of the region codes the service knows: {', '.join(REGIONS)}")
    return raw


def _cds_issuers(raw: str) -> tuple[tuple[str, str], ...]:
    """CRAMP_CDS_ISSUERS: trusted CDS clients as a JSON object {issuer: JWK Set}, written inline or
    kept in a file whose path is given. Keys are checked when the app is built (service/cds/auth.py)."""
    raw = raw.strip()
    if not raw:
        return ()
    try:
        text = raw if raw.startswith("{") else Path(raw).read_text(encoding="utf-8")
        issuers = json.loads(text)
    except OSError:
        raise ConfigError("CRAMP_CDS_ISSUERS names a file that cannot be read") from None
    except ValueError:
        raise ConfigError("CRAMP_CDS_ISSUERS is not valid JSON") from None
    if not isinstance(issuers, dict) or not issuers:
        raise ConfigError("CRAMP_CDS_ISSUERS must be a JSON object {issuer: JWK Set}")
    for issuer, jwks in issuers.items():
        keys = jwks.get("keys") if isinstance(jwks, dict) else None
        if not re.fullmatch(r"[a-z][a-z0-9+.-]*:\S+", issuer) or not isinstance(keys, list) or not keys \
                or not all(isinstance(key, dict) for key in keys):
            raise ConfigError("CRAMP_CDS_ISSUERS entries must be issuer URI -> {\"keys\": [JWK, ...]}")
    return tuple((issuer, json.dumps(jwks, sort_keys=True)) for issuer, jwks in sorted(issuers.items()))


def _base_url(raw: str) -> str:
    url = raw.strip().rstrip("/")
    if url and not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~/-]*)?", url):
        raise ConfigError("CRAMP_CDS_BASE_URL must be the service's public base URL, like https://cds.example.org")
    return url


@dataclass(frozen=True, slots=True)
class Settings:
    max_body_bytes: int = 32_768
    log_level: str = "INFO"
    knowledge_base_dir: Path = DEFAULT_DATA_DIR
    drain_file: str = ""
    metrics_port: int | None = None
    api_keys: tuple[tuple[str, str], ...] = ()
    cors_origins: frozenset[str] = frozenset()
    # CDS Hooks: trusted issuers and their JWK Sets (unset: no token needed), the public base URL that
    # tokens' aud and card links use, and the larger body limit prefetched FHIR data needs.
    cds_issuers: tuple[tuple[str, str], ...] = ()
    cds_base_url: str = ""
    cds_max_body_bytes: int = 1_048_576
    # Origins whose pages may frame /embed (CSP frame-ancestors), besides the service's own.
    embed_origins: frozenset[str] = frozenset()
    # The region of requests that send none (None: region-neutral wording, naming no one region's numbers).
    default_region: str | None = None

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
        cds_issuers = _cds_issuers(env.get("CRAMP_CDS_ISSUERS", ""))
        cds_base_url = _base_url(env.get("CRAMP_CDS_BASE_URL", ""))
        if cds_issuers and not cds_base_url:
            raise ConfigError("CRAMP_CDS_BASE_URL is required with CRAMP_CDS_ISSUERS: tokens' aud must name it")
        return cls(
            max_body_bytes=_int(env, "CRAMP_MAX_BODY_BYTES", 32_768, 1_024, 1_048_576),
            log_level=level,
            knowledge_base_dir=Path(env.get("CRAMP_KNOWLEDGE_BASE_DIR") or DEFAULT_DATA_DIR),
            drain_file=env.get("CRAMP_DRAIN_FILE", ""),
            metrics_port=metrics_port,
            api_keys=_api_keys(env.get("CRAMP_API_KEYS", "")),
            cors_origins=_origins(env.get("CRAMP_CORS_ORIGINS", ""), "CRAMP_CORS_ORIGINS"),
            cds_issuers=cds_issuers,
            cds_base_url=cds_base_url,
            cds_max_body_bytes=_int(env, "CRAMP_CDS_MAX_BODY_BYTES", 1_048_576, 1_024, 16_777_216),
            embed_origins=_origins(env.get("CRAMP_EMBED_ORIGINS", ""), "CRAMP_EMBED_ORIGINS"),
            default_region=_region(env.get("CRAMP_DEFAULT_REGION", "")),
        )
