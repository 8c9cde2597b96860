"""trustrepair.sqlite: each SQLite transaction holds the writers' file lock while it runs.

These open their own SQLite files, whichever database the suite runs on;
tests/security/test_concurrency.py runs eight writers at once through the real views.
"""

import fcntl
import os

import pytest
from django.db import OperationalError
from django.db.backends.sqlite3 import base as django_sqlite
from django.db.utils import ConnectionHandler


@pytest.fixture(autouse=True)
def _own_files(django_db_blocker):
    """Databases of these tests' own, not the suite's test database."""
    with django_db_blocker.unblock():
        yield


def open_database(name):
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "trustrepair.sqlite",
                "NAME": str(name),
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            }
        }
    )
    return handler["default"]


def begin(connection):
    """What transaction.atomic() does first on SQLite."""
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def lock_is_free(database):
    descriptor = os.open(f"{database}.writers", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return True
    finally:
        os.close(descriptor)


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_transaction_holds_the_lock_until_it_ends(tmp_path, end):
    database = tmp_path / "app.sqlite3"
    connection = open_database(database)
    connection.cursor().execute("CREATE TABLE t (x)")  # autocommit: no lock taken
    assert lock_is_free(database)
    begin(connection)
    connection.cursor().execute("INSERT INTO t VALUES (1)")
    assert not lock_is_free(database)  # the next writer waits on it
    getattr(connection, end)()
    assert lock_is_free(database)
    if end != "close":
        connection.set_autocommit(True)
        begin(connection)  # and it is taken again by the next transaction
        assert not lock_is_free(database)
        connection.rollback()
    connection.close()
    with open_database(database).cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone()[0] == (1 if end == "commit" else 0)


def test_a_begin_that_fails_lets_the_next_writer_in(tmp_path, monkeypatch):
    database = tmp_path / "app.sqlite3"
    connection = open_database(database)

    def refused(self):
        raise OperationalError("database is locked")

    monkeypatch.setattr(
        django_sqlite.DatabaseWrapper, "_start_transaction_under_autocommit", refused
    )
    with pytest.raises(OperationalError):
        begin(connection)
    assert lock_is_free(database)
    connection.close()


def test_an_in_memory_database_has_no_lock_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    connection = open_database(":memory:")
    begin(connection)
    connection.cursor().execute("SELECT 1")
    connection.rollback()
    connection.close()
    assert not list(tmp_path.iterdir())
