import itertools

import pytest

from trustrepair import memo as memo_module
from trustrepair.memo import Memo


@pytest.fixture
def clock(monkeypatch):
    """time.monotonic as the test sets it."""
    now = [1000.0]
    monkeypatch.setattr(memo_module.time, "monotonic", lambda: now[0])
    return now


def test_it_gives_back_the_object_it_was_given():
    memo = Memo(size=2, seconds=60)
    value = {"a": [1, 2]}
    memo.set("key", value)
    assert memo.get("key") is value
    assert memo.get("other") is None
    assert memo.get("other", "default") == "default"


def test_it_computes_a_missing_value_once():
    memo = Memo(size=2, seconds=60)
    counter = itertools.count()
    assert memo.get_or_set("key", lambda: next(counter)) == 0
    assert memo.get_or_set("key", lambda: next(counter)) == 0
    assert memo.get_or_set("other", lambda: next(counter)) == 1


def test_it_keeps_the_most_recently_used_values():
    memo = Memo(size=2, seconds=60)
    memo.set("a", 1)
    memo.set("b", 2)
    memo.get("a")  # now b is the least recently used
    memo.set("c", 3)
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (1, None, 3)
    assert len(memo) == 2


def test_a_value_is_kept_no_longer_than_its_seconds(clock):
    memo = Memo(size=2, seconds=60)
    memo.set("key", "value")
    clock[0] += 60
    assert memo.get("key") == "value"
    clock[0] += 0.001
    assert memo.get("key") is None
    assert len(memo) == 0
    memo.get("key")  # reading it again does not keep it alive
    memo.set("key", "new")  # setting it again starts its time anew
    clock[0] += 30
    assert memo.get("key") == "new"


def test_clear_all_forgets_every_memo():
    first, second = Memo(size=2, seconds=60), Memo(size=2, seconds=60)
    first.set("a", 1)
    second.set("b", 2)
    memo_module.clear_all()
    assert (first.get("a"), second.get("b")) == (None, None)
