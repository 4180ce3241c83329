"""Kept process facts: the pid and random bytes are renewed at fork and never handed out twice."""
from __future__ import annotations

import os
import threading

import pytest

from service import process


def test_the_kept_pid_is_this_process() -> None:
    assert process.current_pid() == os.getpid()


def test_random_bytes_are_each_handed_out_once_across_blocks() -> None:
    draws = [process.random_bytes(16) for _ in range(3 * process._RANDOM_BLOCK // 16 + 7)]
    assert all(len(d) == 16 for d in draws)
    assert len(set(draws)) == len(draws)
    assert process.random_bytes(1) and len(process.random_bytes(process._RANDOM_BLOCK)) == process._RANDOM_BLOCK


@pytest.mark.parametrize("count", [0, -1, process._RANDOM_BLOCK + 1])
def test_impossible_counts_are_refused(count: int) -> None:
    with pytest.raises(ValueError):
        process.random_bytes(count)


def test_threads_never_share_random_bytes() -> None:
    drawn: list[bytes] = []

    def draw() -> None:
        mine = [process.random_bytes(16) for _ in range(500)]
        drawn.extend(mine)

    threads = [threading.Thread(target=draw) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(drawn) == 4000 and len(set(drawn)) == 4000


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_has_its_own_pid_and_random_bytes() -> None:
    process.random_bytes(16)  # the parent holds a partly used block the child must not reuse
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            os.write(write_end, f"{process.current_pid()} {os.getpid()} ".encode() + process.random_bytes(16).hex().encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        kept_pid, real_pid, child_bytes = pipe.read().decode().split()
    os.waitpid(child, 0)
    assert int(kept_pid) == int(real_pid) == child != os.getpid()
    assert process.current_pid() == os.getpid()
    assert bytes.fromhex(child_bytes) != process.random_bytes(16)  # the parent's next bytes are not the child's
