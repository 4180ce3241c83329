"""Read a request body as strict JSON: right media type, bounded size, no duplicate keys, no NaN.

Python's json module accepts NaN/Infinity, silently keeps the last of duplicated keys and turns 1e400
into infinity; each of those could change clinical meaning, so each is refused here with a reason.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import IO, Any

import orjson
from flask import Request
from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge

_MEDIA_TYPES = ("application/json",)
# Content-Type values accepted without parsing; anything else is parsed and judged by media_type_ok.
_PLAIN_JSON = frozenset({
    "application/json", "application/json; charset=utf-8", "application/json;charset=utf-8",
    "application/json; charset=UTF-8", "application/json;charset=UTF-8",
})


class BodyError(Exception):
    """A body the service will not read; `status` is the HTTP status, the message is safe to show."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise BodyError(400, "The JSON body repeats a key inside one object.")
    return result


def _no_constants(name: str) -> Any:
    raise BodyError(400, "NaN and Infinity are not valid JSON numbers.")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise BodyError(400, "A number in the body is too large to represent.")
    return value


_DECODER = json.JSONDecoder(
    object_pairs_hook=_no_duplicates, parse_constant=_no_constants, parse_float=_finite_float
)


def media_type_ok(request: Request) -> bool:
    return request.mimetype in _MEDIA_TYPES


def strict_loads(text: str) -> Any:
    """The strict decode every body gets by default: duplicate keys, NaN, Infinity, numbers too large
    for a float and lone surrogates are refused (BodyError); malformed JSON raises json.JSONDecodeError."""
    document = _DECODER.decode(text)
    if "\\u" in text:  # valid UTF-8 cannot hold a surrogate: only a \u escape can make one
        _no_lone_surrogates(document)
    return document


def read_json(request: Request, limit: int, decode: Callable[[str], Any] = strict_loads) -> Any:
    """The body as JSON. `decode` may be a faster decoder that gives exactly strict_loads' answers
    (service/cds/jsontext.py for the large CDS bodies)."""
    if request.environ.get("CONTENT_TYPE") not in _PLAIN_JSON:
        if not media_type_ok(request):
            raise BodyError(415, "Send the request body as application/json.")
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise BodyError(415, "Only UTF-8 encoded JSON is accepted.")
    length = request.content_length
    if length is not None and length > limit:
        raise BodyError(413, f"The body is larger than {limit} bytes.")
    raw = _read_body(request, limit, length)
    if raw.startswith(b"\xef\xbb\xbf"):
        raise BodyError(400, "The body starts with a byte order mark; send plain UTF-8 JSON.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError(400, "The body is not valid UTF-8.") from None
    if not text.strip():
        raise BodyError(400, "The body is empty; send a JSON object ({} is a valid request).")
    try:
        return decode(text)
    except BodyError:
        raise
    except json.JSONDecodeError as err:
        raise BodyError(400, f"The body is not valid JSON (line {err.lineno}, column {err.colno}).") from None
    except (RecursionError, ValueError):
        raise BodyError(400, "The body is nested too deeply or holds a number too long to read.") from None


def _read_body(request: Request, limit: int, length: int | None) -> bytes:
    """Read the whole body, refusing it once it passes `limit`, however it is framed.

    With a Content-Length (already checked against the limit) exactly that many bytes are read from
    werkzeug's raw `input_stream`, as PEP 3333 allows: its guarded `stream` (behind `get_data()`)
    allocates buffers sized for the limit on every read, a measured share of every request. A body
    without a length (chunked) is read through `get_data()`, where MAX_CONTENT_LENGTH (limit + 1)
    stops it one byte past the limit.
    """
    try:
        raw = _read_exactly(request.input_stream, length) if length is not None else request.get_data()
    except RequestEntityTooLarge:
        raise BodyError(413, f"The body is larger than {limit} bytes.") from None
    except HTTPException:
        raise
    except Exception:  # the server's body reader: broken chunked framing, a socket error
        raise BodyError(400, "The body could not be read: its chunked encoding or length is broken.") from None
    if len(raw) > limit:
        raise BodyError(413, f"The body is larger than {limit} bytes.")
    return raw


def _read_exactly(stream: IO[bytes], length: int) -> bytes:
    chunks: list[bytes] = []
    remaining = length
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            raise ClientDisconnected()  # what werkzeug's own stream says of a body shorter than declared
        chunks.append(chunk)
        remaining -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _no_lone_surrogates(document: Any) -> None:
    """json.loads turns "\\ud800" into half a character, which cannot be written back as UTF-8.

    orjson refuses exactly those strings (keys included) when serialising, in C, so a trial dump is
    both the check and far cheaper than walking the document in Python."""
    try:
        orjson.dumps(document)
    except orjson.JSONEncodeError as err:
        if "surrogates" not in str(err) and _all_strings_encode(document):
            return  # e.g. an integer beyond 64 bits, which the schema's ranges refuse later
        raise BodyError(400, "The body holds a \\u escape for half a UTF-16 surrogate pair, "
                             "which is not a character.") from None


def _all_strings_encode(document: Any) -> bool:
    """The slow walk, only for the rare body orjson refuses for another reason (a huge integer)."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return True
