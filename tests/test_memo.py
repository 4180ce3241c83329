from __future__ import annotations

import pytest

from service.memo import Memo


def test_a_remembered_value_is_returned_and_kept() -> None:
    memo: Memo[str, int] = Memo(limit=3)
    assert memo.remember("a", 1) == 1
    assert memo.get("a") == 1
    assert memo.get("b") is None


def test_reaching_the_limit_forgets_everything_before_storing_the_new_entry() -> None:
    memo: Memo[int, int] = Memo(limit=3)
    for n in range(3):
        memo.remember(n, n)
    assert len(memo) == 3
    memo.remember(3, 3)
    assert dict(memo) == {3: 3}


def test_it_never_holds_more_than_its_limit() -> None:
    memo: Memo[int, int] = Memo(limit=5)
    for n in range(100):
        memo.remember(n, n)
        assert len(memo) <= 5


def test_a_memo_needs_room_for_one_entry() -> None:
    with pytest.raises(ValueError):
        Memo(limit=0)
