"""Reading the body under every framing a server hands over: the answers a client sees.

The test client always sends whole bodies with a Content-Length; gunicorn also hands over chunked
bodies, bodies cut short and broken chunk framing, with `wsgi.input_terminated` set. These call the
WSGI app with such an environ directly.
"""
from __future__ import annotations

import io
import json
import sys
from typing import Any

import pytest
from flask import Flask
from gunicorn.http.errors import InvalidChunkSize

from service.config import Settings

LIMIT = Settings().max_body_bytes
SMALL = b'{"person": {"age": 45}}'


class Unreadable(io.RawIOBase):
    """A body that must not be read."""

    def readinto(self, buffer: Any) -> int:
        raise AssertionError("the body was read")


class Trickle(io.RawIOBase):
    """`data` a few bytes per read, as a socket may deliver it; then `then` (b"" or an exception)."""

    def __init__(self, data: bytes, step: int = 3, then: BaseException | None = None) -> None:
        self.data, self.step, self.then = data, step, then

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self.data and self.then is not None:
            raise self.then
        piece, self.data = self.data[:min(self.step, len(buffer))], self.data[min(self.step, len(buffer)):]
        buffer[:len(piece)] = piece
        return len(piece)


def call(app: Flask, stream: io.RawIOBase, length: int | None, terminated: bool = True) -> tuple[int, dict[str, Any]]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/assess", "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000", "CONTENT_TYPE": "application/json", "wsgi.input": stream,
        "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
    }
    if length is None:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(length)
    if terminated:
        environ["wsgi.input_terminated"] = True  # as gunicorn sets it
    started: list[str] = []
    body = b"".join(app(environ, lambda status, headers, exc_info=None: started.append(status)))
    return int(started[0].split()[0]), json.loads(body)


@pytest.mark.parametrize("terminated", [True, False])
def test_a_body_in_small_pieces_is_read_whole(app: Flask, terminated: bool) -> None:
    status, answer = call(app, Trickle(SMALL), len(SMALL), terminated)
    assert status == 200 and answer["disposition"]["level"]


@pytest.mark.parametrize("terminated", [True, False])
def test_a_body_shorter_than_its_content_length_is_400(app: Flask, terminated: bool) -> None:
    status, problem = call(app, Trickle(SMALL[:-1]), len(SMALL), terminated)
    assert (status, problem["type"], problem["title"], problem["detail"]) == (
        400, "about:blank", "Bad Request", "The request could not be read.")


def test_a_declared_length_over_the_limit_is_413_before_the_body_is_read(app: Flask) -> None:
    status, problem = call(app, Unreadable(), LIMIT + 1)
    assert (status, problem["type"], problem["title"], problem["detail"]) == (
        413, "about:blank", "Content Too Large", f"The body is larger than {LIMIT} bytes.")


def test_a_chunked_body_up_to_the_limit_is_answered(app: Flask) -> None:
    body = b"{}" + b" " * (LIMIT - 2)
    status, answer = call(app, Trickle(body, step=4096), None)
    assert status == 200 and answer["disposition"]["level"]


@pytest.mark.parametrize("size", [LIMIT + 1, LIMIT + 2, 3 * LIMIT])
def test_a_chunked_body_past_the_limit_is_413(app: Flask, size: int) -> None:
    status, problem = call(app, Trickle(b"{}" + b" " * (size - 2), step=4096), None)
    assert (status, problem["type"], problem["title"], problem["detail"]) == (
        413, "about:blank", "Content Too Large", f"The body is larger than {LIMIT} bytes.")


def test_broken_chunk_framing_met_while_reading_is_400(app: Flask) -> None:
    status, problem = call(app, Trickle(b'{"person": ', then=InvalidChunkSize(b"zz")), None)
    assert (status, problem["type"], problem["title"], problem["detail"]) == (
        400, "urn:cramp-advice:problem:malformed-json", "Malformed JSON",
        "The body could not be read: its chunked encoding or length is broken.")
