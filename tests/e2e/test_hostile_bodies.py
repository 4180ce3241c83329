"""Hostile request bodies against a real gunicorn, written byte for byte on a raw socket.

No HTTP client library sits in between, so what reaches the server is exactly what each case says:
broken UTF-8, a byte order mark, NaN, 1e400, numbers past Python's 4300-digit limit, duplicated keys,
deep nesting, oversized and chunked bodies, `Expect: 100-continue`, Content-Type lies and broken
framing. Every answer must be a precise RFC 9457 problem (status, application/problem+json, a
non-empty detail, for 422 the JSON Pointers of the bad fields, and a body openapi.yaml documents):
never a 500, never HTML, never a connection dropped without an answer (closing after a 413 is allowed).

Two servers: one with the default limit (CRAMP_MAX_BODY_BYTES 32768) and one at the largest limit
the setting allows (1 MiB), where 100,000-element arrays and 1 MB strings get past the size check and
must be refused by the schema, cheaply and without echoing what was sent.
"""
from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from server import GunicornServer
from spec_check import assert_response_matches_spec

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"
LIMIT = 32_768  # the default CRAMP_MAX_BODY_BYTES
ROOMY_LIMIT = 1_048_576  # the largest CRAMP_MAX_BODY_BYTES accepted
POINTER = re.compile(r"^(/([^~/]|~[01])*)*$")
MALFORMED = "urn:cramp-advice:problem:malformed-json"
VALIDATION = "urn:cramp-advice:problem:validation"


# --- the wire ------------------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    interim: list[int] = field(default_factory=list)  # 1xx statuses that came first

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        return json.loads(self.body)


def build(body: bytes | None, *, content_type: str | None = "application/json", chunk: int | None = None,
          headers: tuple[tuple[str, str], ...] = (), method: str = "POST", path: str = "/assess",
          content_length: int | None = None) -> bytes:
    """One HTTP/1.1 request, exactly these bytes: Content-Length, or chunked in `chunk`-byte pieces."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Accept: application/json"]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    lines += [f"{name}: {value}" for name, value in headers]
    payload = body or b""
    if chunk is not None:
        lines.append("Transfer-Encoding: chunked")
        payload = b"".join(b"%x\r\n%s\r\n" % (len(payload[i:i + chunk]), payload[i:i + chunk])
                           for i in range(0, len(payload), chunk)) + b"0\r\n\r\n"
    elif body is not None or content_length is not None:
        lines.append(f"Content-Length: {len(payload) if content_length is None else content_length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


def _parse(buffer: bytes, closed: bool) -> tuple[Reply | None, bytes]:
    """The first complete response in `buffer` (1xx ones folded into `interim`), and what is left."""
    interim: list[int] = []
    while True:
        head, sep, rest = buffer.partition(b"\r\n\r\n")
        if not sep:
            return None, buffer
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        version, status, reason = (status_line.split(" ", 2) + [""])[:3]
        assert version.startswith("HTTP/1."), f"not an HTTP response: {status_line!r}"
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if 100 <= int(status) < 200:
            interim.append(int(status))
            buffer = rest
            continue
        if "content-length" in headers:
            length = int(headers["content-length"])
            if len(rest) < length:
                return None, buffer
            return Reply(int(status), reason, headers, rest[:length], interim), rest[length:]
        if not closed:
            return None, buffer
        return Reply(int(status), reason, headers, rest, interim), b""


def read_reply(sock: socket.socket, timeout: float) -> Reply | None:
    """Read until one final response is complete, the server closes, or `timeout` passes."""
    deadline = time.monotonic() + timeout
    buffer, closed = b"", False
    while True:
        reply, _ = _parse(buffer, closed)
        if reply is not None or closed:
            return reply
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        sock.settimeout(remaining)
        try:
            data = sock.recv(65_536)
        except TimeoutError:
            return None
        except ConnectionResetError:
            data = b""
        closed = not data
        buffer += data


def exchange(server: GunicornServer, raw: bytes, timeout: float = 15.0) -> Reply:
    """Send `raw` whole, then read the answer; a connection closed without one fails the test."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        try:
            sock.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything; the answer still counts
        reply = read_reply(sock, timeout)
    assert reply is not None, f"no response to {raw[:120]!r}... ({len(raw)} bytes)"
    return reply


# --- what every refusal must look like ----------------------------------------------------------

def assert_problem(reply: Reply, status: int, detail: str | None = None, pointer: str | None = None) -> dict[str, Any]:
    assert reply.status == status, (reply.status, reply.body[:400])
    assert reply.media_type == PROBLEM, reply.headers
    assert b"<html" not in reply.body.lower() and b"Traceback" not in reply.body
    problem = reply.json()
    assert problem["status"] == status and problem["title"] and problem["type"], problem
    assert isinstance(problem["detail"], str) and problem["detail"].strip(), problem
    assert reply.headers.get("x-request-id"), reply.headers
    if detail is not None:
        assert detail.lower() in problem["detail"].lower(), problem["detail"]
    if status == 422:
        assert problem["type"] == VALIDATION and problem["errors"], problem
        pointers = [error["pointer"] for error in problem["errors"]]
        assert all(POINTER.match(p) for p in pointers), pointers
        assert all(error["detail"].strip() for error in problem["errors"]), problem["errors"]
        if pointer is not None:
            assert pointer in pointers, pointers
    assert_response_matches_spec("POST", "/assess", reply.status, reply.headers.get("content-type"), reply.body,
                                 reply.headers)
    return problem


def assert_assessment(reply: Reply) -> dict[str, Any]:
    assert reply.status == 200, (reply.status, reply.body[:400])
    assert reply.media_type == "application/json"
    assert_response_matches_spec("POST", "/assess", 200, reply.headers.get("content-type"), reply.body, reply.headers)
    return reply.json()


# --- servers -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GunicornServer]:
    with GunicornServer(tmp_path_factory.mktemp("hostile")) as running:
        yield running


@pytest.fixture(scope="module")
def roomy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GunicornServer]:
    with GunicornServer(tmp_path_factory.mktemp("roomy"), workers=1,
                        env={"CRAMP_MAX_BODY_BYTES": str(ROOMY_LIMIT)}) as running:
        yield running


# --- the corpus ----------------------------------------------------------------------------------

def nested(depth: int, leaf: bytes = b"{}") -> bytes:
    return b'{"x": ' * depth + leaf + b"}" * depth


@dataclass(frozen=True)
class Case:
    id: str
    body: bytes
    status: int
    detail: str | None = None  # a phrase the problem detail must contain
    pointer: str | None = None  # for 422: a pointer errors[] must list
    content_type: str | None = "application/json"
    chunk: int | None = None


DIGITS_PAST_LIMIT = b"1" + b"0" * 5000  # 10**5000: past Python's 4300-digit int parsing limit
DIGITS_AT_LIMIT = b"9" * 4300  # the longest integer Python reads by default
CORPUS = [
    # Not UTF-8, or not only UTF-8.
    Case("latin-1 byte", b'{"medications": [{"name": "caf\xe9"}]}', 400, "UTF-8"),
    Case("invalid start bytes", b'{"a": "\xff\xfe"}', 400, "UTF-8"),
    Case("overlong encoding", b'{"person": {"sex": "\xc0\xafmale"}}', 400, "UTF-8"),
    Case("surrogate encoded as UTF-8", b'{"medications": [{"name": "\xed\xa0\x80"}]}', 400, "UTF-8"),
    Case("truncated multibyte at the end", b'{"a": "\xe2\x82', 400, "UTF-8"),
    Case("UTF-8 byte order mark", b"\xef\xbb\xbf{}", 400, "byte order mark"),
    Case("UTF-16 body", '{"person": {}}'.encode("utf-16"), 400),
    Case("lone surrogate escape in a name", b'{"medications": [{"name": "\\ud800"}]}', 400, "surrogate"),
    Case("lone surrogate escape as a key", b'{"\\udc00": true}', 400, "surrogate"),
    # Numbers JSON does not have, or Python cannot hold.
    Case("NaN", b'{"cramp": {"duration_minutes": NaN}}', 400, "NaN"),
    Case("Infinity", b'{"signs": {"temperature_c": Infinity}}', 400, "NaN"),
    Case("-Infinity", b'{"context": {"immobile_days": -Infinity}}', 400, "NaN"),
    Case("1e400", b'{"cramp": {"duration_minutes": 1e400}}', 400, "too large"),
    Case("-1e400", b'{"cramp": {"history_weeks": -1e400}}', 400, "too large"),
    Case("5000-digit decimal", b'{"cramp": {"history_weeks": ' + b"1" * 5000 + b'.5}}', 400, "too large"),
    Case("10**5000 as an integer", b'{"person": {"age": ' + DIGITS_PAST_LIMIT + b"}}", 400, "number"),
    Case("-10**5000 in an unknown field", b'{"nope": -' + DIGITS_PAST_LIMIT + b"}", 400, "number"),
    Case("4300-digit integer age", b'{"person": {"age": ' + DIGITS_AT_LIMIT + b"}}", 422, pointer="/person/age"),
    Case("fractional float for an integer", b'{"person": {"age": 45.5}}', 422, pointer="/person/age"),
    # Duplicated keys: json.loads would keep the last one silently.
    Case("duplicated top-level key", b'{"person": {}, "person": {}}', 400, "repeats a key"),
    Case("duplicated red flag, yes then no", b'{"signs": {"chest_pain": true, "chest_pain": false}}', 400,
         "repeats a key"),
    Case("duplicated key in an array item", b'{"medications": [{"name": "a", "name": "b"}]}', 400, "repeats a key"),
    # Deep nesting.
    Case("200 levels of objects", b'{"person": ' + nested(200) + b"}", 422, pointer="/person/x"),
    Case("200 levels of arrays", b"[" * 200 + b"]" * 200, 422, pointer=""),
    Case("16,000 levels of arrays", b"[" * 16_000 + b"]" * 16_000, 400, "nested too deeply"),
    Case("16,000 unclosed arrays", b'{"cramp": ' + b"[" * 16_000, 400),
    # Nulls where objects (or anything) belong: absent means unknown, null means nothing.
    Case("null person", b'{"person": null}', 422, pointer="/person"),
    Case("null wound", b'{"context": {"wound": null}}', 422, pointer="/context/wound"),
    Case("null medication", b'{"medications": [null]}', 422, pointer="/medications/0"),
    Case("null medications", b'{"medications": null}', 422, pointer="/medications"),
    Case("null body", b"null", 422, pointer=""),
    Case("array body", b"[{}]", 422, pointer=""),
    # Too large for the default limit, whatever is inside.
    Case("100,000-element array", b'{"conditions": [' + b",".join([b"0"] * 100_000) + b"]}", 413, "larger than"),
    Case("1 MB string", b'{"medications": [{"name": "' + b"a" * 1_000_000 + b'"}]}', 413, "larger than"),
    # Content-Type lies.
    Case("JSON labelled text/plain", b"{}", 415, content_type="text/plain"),
    Case("JSON without a Content-Type", b"{}", 415, content_type=None),
    Case("JSON labelled form data", b'{"person": {"age": 45}}', 415, content_type="application/x-www-form-urlencoded"),
    Case("JSON labelled latin-1", b"{}", 415, "UTF-8", content_type="application/json; charset=latin-1"),
    Case("JSON labelled json-patch", b"{}", 415, content_type="application/json-patch+json"),
    Case("form data labelled JSON", b"person.age=45&signs.chest_pain=true", 400, "not valid JSON"),
    Case("multipart labelled JSON", b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n', 400,
         "not valid JSON"),
    Case("XML labelled JSON", b"<assess><person age='45'/></assess>", 400, "not valid JSON"),
    Case("empty body", b"", 400, "empty"),
    Case("whitespace body", b" \r\n\t ", 400, "empty"),
    # Chunked transfer coding: no Content-Length, so the limit must be enforced while reading.
    Case("chunked, malformed JSON", b'{"person": ', 400, "not valid JSON", chunk=4),
    Case("chunked, 100 KB", b'{"medications": [' + b",".join([b'{"name": "' + b"x" * 90 + b'"}'] * 1000) + b"]}",
         413, "larger than", chunk=8192),
    Case("chunked, valid JSON padded past the limit", b"{}" + b" " * (2 * LIMIT) + b"garbage", 413, "larger than",
         chunk=8192),
]


def _params(cases: list[Case]) -> list[Any]:
    return [pytest.param(case, id=case.id) for case in cases]


@pytest.mark.parametrize("case", _params(CORPUS))
def test_hostile_body_gets_a_precise_problem(server: GunicornServer, case: Case) -> None:
    raw = build(case.body, content_type=case.content_type, chunk=case.chunk)
    problem = assert_problem(exchange(server, raw), case.status, case.detail, case.pointer)
    if case.status == 400 and case.content_type == "application/json":
        assert problem["type"] == MALFORMED, problem


# --- at the largest configurable limit, the schema refuses what the size check lets through ---------

ROOMY_CORPUS = [
    Case("100,000-element enum array", b'{"conditions": [' + b",".join([b'"ckd"'] * 100_000) + b"]}", 422,
         pointer="/conditions"),
    Case("100,000 medications", b'{"medications": [' + b",".join([b"{}"] * 100_000) + b"]}", 422,
         pointer="/medications"),
    Case("100,000 numbers for an enum list", b'{"cramp": {"timing": [' + b",".join([b"0"] * 100_000) + b"]}}",
         422, pointer="/cramp/timing"),
    Case("1 MB medication name", b'{"medications": [{"name": "' + b"a" * 1_000_000 + b'"}]}', 422,
         pointer="/medications/0/name"),
    Case("1 MB enum value", b'{"person": {"sex": "' + b"f" * 1_000_000 + b'"}}', 422, pointer="/person/sex"),
    Case("1 MB body past the limit", b'{"medications": [{"name": "' + b"a" * ROOMY_LIMIT + b'"}]}', 413, "larger than"),
]


@pytest.mark.parametrize("case", _params(ROOMY_CORPUS))
def test_big_but_allowed_bodies_are_refused_cheaply(roomy: GunicornServer, case: Case) -> None:
    started = time.monotonic()
    reply = exchange(roomy, build(case.body, content_type=case.content_type, chunk=case.chunk))
    elapsed = time.monotonic() - started
    problem = assert_problem(reply, case.status, case.detail, case.pointer)
    assert elapsed < 5.0, elapsed
    assert len(reply.body) < 2_000, "the refusal must not grow with (or echo) what was sent"
    if case.status == 422:
        assert len(problem["errors"]) == 1, problem["errors"][:3]


# --- oversized bodies are refused before they are read ------------------------------------------

TEN_MB = 10 * 1024 * 1024
FIRST_PIECE = 64 * 1024


def test_10_mb_body_is_refused_before_it_is_sent(server: GunicornServer) -> None:
    """Headers and the first 64 KiB go out; the 413 must come back while 10 MB are still unsent."""
    head = build(None, content_length=TEN_MB)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(head + b"[" * FIRST_PIECE)
        reply = read_reply(sock, timeout=5)
        answered_after = time.monotonic() - started
        assert reply is not None, "no answer while the client was still sending"
        assert_problem(reply, 413, "larger than")
        assert answered_after < 2.0, answered_after
        # The server has answered and closes: the other ~10 MB cannot be pushed into it.
        pushed = FIRST_PIECE
        time.sleep(0.3)
        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            piece = b" " * 256 * 1024
            while pushed < TEN_MB:
                sock.settimeout(5)
                pushed += sock.send(piece)
        assert pushed < TEN_MB, pushed


def test_expect_100_continue_with_a_small_valid_body(server: GunicornServer) -> None:
    body = b'{"person": {"age": 45}, "cramp": {"locations": ["calf"], "timing": ["night"]}}'
    head = build(None, headers=(("Expect", "100-continue"),), content_length=len(body))
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head)
        interim = sock.recv(64)  # a client waits for 100 Continue before it sends the body
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), interim
        sock.sendall(body)
        reply = read_reply(sock, timeout=10)
    assert reply is not None
    assert_assessment(reply)


def test_expect_100_continue_with_a_huge_length_gets_413_without_the_body(server: GunicornServer) -> None:
    """No body byte is ever sent: the final 413 must arrive anyway, quickly.

    gunicorn answers `100 Continue` before the application sees the request (RFC 9110 allows a server
    to send 100 and then a final status); a client that waits for the final status sends nothing.
    """
    head = build(None, headers=(("Expect", "100-continue"),), content_length=TEN_MB)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(head)
        reply = read_reply(sock, timeout=5)
        elapsed = time.monotonic() - started
    assert reply is not None, "no final answer without the body"
    assert_problem(reply, 413, "larger than")
    assert set(reply.interim) <= {100}, reply.interim
    assert elapsed < 2.0, elapsed


def test_chunked_valid_json_without_content_length_is_answered(server: GunicornServer) -> None:
    body = json.dumps({"person": {"age": 61, "sex": "male"}, "cramp": {"locations": ["calf"], "timing": ["night"]},
                       "medications": [{"name": "atorvastatin 40 mg"}]}).encode()
    for size in (1, 7, 4096):
        raw = build(body, chunk=size)
        assert b"Content-Length" not in raw.split(b"\r\n\r\n")[0]
        assert_assessment(exchange(server, raw))


def test_a_whole_float_for_an_integer_gets_the_same_answer(server: GunicornServer) -> None:
    """The contract, "Numbers": 45.0 is the integer 45 (JSON Schema 2020-12)."""
    def level(body: bytes) -> Any:
        answer = assert_assessment(exchange(server, build(body)))
        return answer["disposition"], answer["red_flags"], [r["id"] for r in answer["recommendations"]]

    assert level(b'{"person": {"age": 45.0}, "cramp": {"duration_minutes": 20.0}}') == \
        level(b'{"person": {"age": 45}, "cramp": {"duration_minutes": 20}}')


def test_chunked_body_just_under_the_limit_is_answered(server: GunicornServer) -> None:
    body = b"{}" + b" " * (LIMIT - 3)
    assert_assessment(exchange(server, build(body, chunk=8192)))


# --- broken HTTP framing: gunicorn answers before the application sees anything -----------------

H = "POST /assess HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
FRAMING = [
    pytest.param((H + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n").encode(), 400,
                 id="chunk size not hex"),
    pytest.param((H + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n").encode(), 400,
                 id="Content-Length and chunked"),
    pytest.param((H + "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}").encode(), 400,
                 id="Content-Length twice"),
    pytest.param((H + "Content-Length: -1\r\n\r\n{}").encode(), 400,
                 id="negative Content-Length"),
    pytest.param((H + "Content-Length: 99999999999999999999999\r\n\r\n{}").encode(), 413, id="absurd Content-Length"),
]


@pytest.mark.parametrize("raw,status", FRAMING)
def test_broken_framing_gets_a_problem(server: GunicornServer, raw: bytes, status: int) -> None:
    reply = exchange(server, raw)
    assert reply.status == status, (reply.status, reply.body[:300])
    assert reply.media_type == PROBLEM, (reply.headers, reply.body[:200])
    assert reply.json()["detail"].strip()
    assert re.fullmatch(r"[0-9a-f]{32}", reply.json()["request_id"])  # the service's own request ids


# --- and afterwards the server is fine ----------------------------------------------------------

def test_server_still_answers_after_the_corpus(server: GunicornServer, roomy: GunicornServer) -> None:
    body = b'{"person": {"age": 45}, "cramp": {"locations": ["calf"], "timing": ["night"]}}'
    for running in (server, roomy):
        for _ in range(4):  # reach every worker
            answer = assert_assessment(exchange(running, build(body)))
            assert answer["disposition"]["level"]
        assert running.process is not None and running.process.poll() is None
    logs = server.log() + roomy.log()
    assert "Traceback" not in logs, logs[-4000:]
