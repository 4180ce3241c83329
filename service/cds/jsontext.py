"""Strict JSON for the large CDS bodies at orjson's speed, with exactly the strict decoder's answers.

The strict decoder every body gets (service/http/jsonbody.py: the stdlib's, with a Python hook per
object to refuse repeated keys) is most of the cost of decoding a 48 KB prefetch. orjson refuses what
the strict decoder refuses (NaN, Infinity, numbers beyond a float, broken surrogates) except in two
ways: it keeps the last of repeated keys, and it reads an integer beyond 64 bits as a float. So orjson
answers only when neither can have happened; the strict decoder answers everything else, every error
included, so what a caller is told is the same either way:

- Repeated keys. Outside strings, a colon only ever separates a key from its value, so the colons in
  the text are its keys plus the colons inside its strings. orjson's compact re-encoding of what it
  decoded has exactly as many, unless a key and its value were dropped (a repeat), or a string spelled
  a colon as an escape (\\u003a), which is why any \\u escape goes to the strict decoder too.
- Integers beyond 64 bits: any run of 19 or more digits goes to the strict decoder.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

# Every digit to "0" and every other byte to a space, so that a long number is a long run of zeros.
_ZEROED = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_NUMBER = b"0" * 19  # an integer of up to 18 digits fits in 64 bits, which orjson reads exactly


def loads(text: str, strict: Callable[[str], Any]) -> Any:
    """The JSON document `strict(text)` would give, decoded by orjson when that is provably the same."""
    if ("\\" in text and "\\u" in text) or _LONG_NUMBER in text.encode().translate(_ZEROED):  # one byte first: fast
        return strict(text)
    try:
        document = orjson.loads(text)
        colons = orjson.dumps(document).count(b":")
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):  # malformed, or nested beyond orjson's limits
        return strict(text)  # the strict decoder's own answer, worded as for every other body
    if text.count(":") != colons:
        return strict(text)  # a key was repeated: the strict decoder refuses it
    return document
