"""Per-process facts the request path asks for on every request, without a system call each time.

Under gunicorn every request asked the kernel for the process id seven times (prometheus-client's
multiprocess values check it on every update, to notice a fork) and for fresh random bytes twice
(the request and assessment ids). Both answers only change at a fork, so they are kept here and
renewed in the child by an `os.register_at_fork` hook: workers never share a pid or random bytes.
"""
from __future__ import annotations

import os
import threading

_RANDOM_BLOCK = 4096  # bytes drawn from os.urandom at a time: 256 ids per system call


class _Process:
    def __init__(self) -> None:
        self.renew()

    def renew(self) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()  # gthread workers draw ids from several threads
        self.random = b""
        self.used = 0


_current = _Process()
os.register_at_fork(after_in_child=_current.renew)


def current_pid() -> int:
    """os.getpid(), kept: a valid process_identifier for prometheus-client's MultiProcessValue."""
    return _current.pid


def random_bytes(count: int) -> bytes:
    """`count` bytes from os.urandom (at most a block), read in blocks; each byte is handed out once."""
    if not 0 < count <= _RANDOM_BLOCK:
        raise ValueError("count must be between 1 and the block size")
    process = _current
    with process.lock:
        start = process.used
        if start + count > len(process.random):
            process.random, start = os.urandom(_RANDOM_BLOCK), 0
        process.used = start + count
        return process.random[start:start + count]
