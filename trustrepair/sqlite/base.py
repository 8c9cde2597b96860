"""Django's SQLite backend, with writers queued on a file lock instead of sleeping.

With transaction_mode IMMEDIATE every transaction takes SQLite's write lock at BEGIN. A
second writer that finds it taken is retried by SQLite's busy handler, which sleeps 1, 2, 5,
10, 15 ms... between tries: under concurrent clicks a worker slept on after the lock was
free again, leaving its core idle (4 clients clicking: 36% of the floor's throughput, 43%
with this; docs/benchmarks.md). Here each transaction first takes an exclusive lock on a
file beside the database (flock), which the kernel hands to the next waiting writer the
moment the holder commits, rolls back or closes; SQLite's lock is then free when BEGIN asks.

Every process that writes through Django takes it (gunicorn workers, management commands),
each with its own descriptor (opened again after a fork). The kernel releases it if the
process dies. A writer waits as long as the one before it takes; a stuck request is ended
by gunicorn's worker timeout. An in-memory database (most tests') has no file beside it
and keeps SQLite's own waiting.
"""

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _writers = None  # the lock file's descriptor, per connection
    _writers_pid = None  # ... and the process that opened it
    _holding = False

    def _queues_writers(self):
        return self.transaction_mode in ("IMMEDIATE", "EXCLUSIVE") and not self.is_in_memory_db()

    def _start_transaction_under_autocommit(self):
        if self._queues_writers():
            if self._writers is None or self._writers_pid != os.getpid():
                # (a descriptor inherited across a fork shares its lock with the parent)
                path = f"{self.settings_dict['NAME']}.writers"
                self._writers = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                self._writers_pid = os.getpid()
            fcntl.flock(self._writers, fcntl.LOCK_EX)
            self._holding = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._let_next_writer_in()
            raise

    def _let_next_writer_in(self):
        if self._holding:
            self._holding = False
            fcntl.flock(self._writers, fcntl.LOCK_UN)

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._let_next_writer_in()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._let_next_writer_in()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._let_next_writer_in()
            if self._writers is not None:
                os.close(self._writers)
                self._writers = None
