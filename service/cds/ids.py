"""Card uuids that carry their card kind, so feedback can be counted by kind with no stored state.

A card uuid is an RFC 9562 version 8 ("custom") UUID: 106 random bits, a marker byte saying it is
ours, and the card kind's position in content.CARD_KINDS. Feedback naming any other uuid is counted
under the kind "unknown". The kind is no secret and no patient data: it is also the card's topic.
"""
from __future__ import annotations

import os
import uuid

_MARKER = 0xC5


def card_uuid(kind_index: int) -> str:
    raw = bytearray(os.urandom(16))
    raw[6] = 0x80 | (raw[6] & 0x0F)  # version 8
    raw[8] = 0x80 | (raw[8] & 0x3F)  # RFC 9562 variant
    raw[14], raw[15] = _MARKER, kind_index & 0xFF
    return str(uuid.UUID(bytes=bytes(raw)))


def kind_index(card: str) -> int | None:
    """The kind position a uuid of ours carries, else None."""
    try:
        value = uuid.UUID(card)
    except (ValueError, TypeError, AttributeError):
        return None
    raw = value.bytes
    if value.version != 8 or raw[14] != _MARKER:
        return None
    return raw[15]


def suggestion_uuid() -> str:
    return str(uuid.uuid4())
