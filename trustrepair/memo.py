"""Values kept as Python objects in this process, in front of Django's cache.

Django's cache hands back a fresh unpickled copy on every read, even from the local-memory
backend: for what a click reads every time (a relationship's History, the promise rows it
lists) unpickling cost more than the rest of using it (docs/benchmarks.md). A Memo keeps the
objects themselves, for values their key names exactly (the key changes whenever the value
would, as every key in journal.dashboard does), so a copy can never be stale: it only saves
the trip to the cache. It keeps at most `size` of them, the most recently used, each for
`seconds` at most (what they hold, such as promise texts, is kept no longer than the cache
would keep it), and gives out the same object to every caller, which must not change it.
"""

import threading
import time
import weakref
from collections import OrderedDict

_memos = weakref.WeakSet()


def clear_all():
    """Forget every memo's values (for tests, which empty the cache between them and may
    then meet the same keys again over other data)."""
    for memo in _memos:
        memo.clear()


class Memo:
    def __init__(self, size, seconds):
        self.size, self.seconds = size, seconds
        self._values = OrderedDict()  # key -> (deadline, value), least recently used first
        self._lock = threading.Lock()
        _memos.add(self)

    def get(self, key, default=None):
        with self._lock:
            entry = self._values.get(key)
            if entry is None:
                return default
            if entry[0] < time.monotonic():
                del self._values[key]
                return default
            self._values.move_to_end(key)
            return entry[1]

    def set(self, key, value):
        deadline = time.monotonic() + self.seconds
        with self._lock:
            self._values[key] = (deadline, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def get_or_set(self, key, compute):
        """The value under `key`, else `compute()`'s, kept."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = compute()
            self.set(key, value)
        return value

    def clear(self):
        with self._lock:
            self._values.clear()

    def __len__(self):
        return len(self._values)


_MISSING = object()
