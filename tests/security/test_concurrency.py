"""Several writers at once, through the real views, each thread with its own connection.

No "database is locked", no lost write (every reflection written is there, counted),
and every status change is atomic with its event row: replaying the StatusChange rows
of a promise in order gives a gap-free chain that ends at the promise's status.
"""

import sqlite3
import threading
from collections import Counter
from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.test import Client

from journal.models import Promise, Reflection, Relationship, Status, StatusChange
from tests.conftest import PASSWORD
from tests.security.conftest import make_content, make_world, today

WRITERS = 8
ROUNDS = 6
PROMISES = 3
ACTIONS = ["kept", "broken", "undo", "open"]


@pytest.fixture
def concurrent_database(transactional_db, tmp_path):
    """A database several threads can write at once, the way production runs it.

    transactional_db: real transactions, so each thread's connection sees committed rows.
    On PostgreSQL that is all. On SQLite, pytest-django's test database lives in memory,
    shared between threads through SQLite's shared cache, whose table locks ignore the
    busy timeout; production runs a file in WAL mode. So for this test the default
    connection is pointed at a temporary file, copied from the in-memory test database
    (schema and all) with SQLite's backup API, and opened with the project's OPTIONS
    (WAL, IMMEDIATE transactions, busy timeout). Threads open their own connections to it.
    """
    memory = connections["default"]
    if memory.vendor != "sqlite":
        yield
        return
    memory.ensure_connection()
    path = tmp_path / "concurrency.sqlite3"
    copy = sqlite3.connect(path)
    memory.connection.backup(copy)
    copy.close()
    settings = connections.settings
    connections.settings = {**settings, "default": {**settings["default"], "NAME": str(path)}}
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = memory
        connections.settings = settings


def run_writers(clients, work):
    """Start every writer at the same moment; collect what each request got."""
    start = threading.Barrier(len(clients))
    results, errors = [], []

    def writer(index, client):
        try:
            start.wait()
            for round_number in range(ROUNDS):
                results.extend(work(index, round_number, client))
        except Exception as error:  # "database is locked" would land here
            errors.append(f"writer {index}: {error!r}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=writer, args=(index, client))
        for index, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return results, errors


def reflection_text(index, round_number):
    return f"Writer {index}, round {round_number}: 約束を守った 🙂"


def test_concurrent_writers_lose_nothing(concurrent_database):
    # Not the user_factory fixture: it brings pytest-django's `db`, whose transaction
    # would hide every row from the writers' connections.
    alice = get_user_model().objects.create_user("alice", "alice@example.com", PASSWORD)
    world = make_world(alice, make_content())
    promises = [world.promise] + [
        Promise.objects.create(
            relationship=world.relationship, text=f"Promise {n}", due_date=today()
        )
        for n in range(PROMISES - 1)
    ]
    clients = []
    for _writer in range(WRITERS):
        client = Client()
        client.force_login(alice)
        clients.append(client)
    changes_before = StatusChange.objects.count()

    def work(index, round_number, client):
        promise = promises[(index + round_number) % PROMISES]
        action = ACTIONS[(index + 2 * round_number) % len(ACTIONS)]
        if action == "undo":
            url, data = f"/journal/promises/{promise.pk}/undo/", {}
        else:
            url, data = f"/journal/promises/{promise.pk}/status/", {"status": action}
        status_response = client.post(url, data)
        reflection_response = client.post(
            "/journal/reflections/new/",
            {
                "relationship": world.relationship.pk,
                "date": today().isoformat(),
                "text": reflection_text(index, round_number),
                "promise": promise.pk,
            },
        )
        return [(action, status_response.status_code), ("reflect", reflection_response.status_code)]

    results, errors = run_writers(clients, work)

    assert errors == []
    assert len(results) == WRITERS * ROUNDS * 2
    assert Counter(code for _action, code in results) == {HTTPStatus.FOUND: len(results)}
    written = Counter(
        Reflection.objects.filter(relationship=world.relationship).values_list("text", flat=True)
    )
    expected = Counter(
        reflection_text(index, round_number)
        for index in range(WRITERS)
        for round_number in range(ROUNDS)
    )
    assert written - Counter([world.reflection.text]) == expected
    changes_checked = 0
    for promise in promises:
        promise.refresh_from_db()
        events = list(StatusChange.objects.filter(promise=promise).order_by("pk"))
        changes_checked += len(events)
        state = Status.OPEN
        for event in events:
            assert event.from_status == state, (
                promise.text,
                [(e.from_status, e.to_status) for e in events],
            )
            assert event.from_status != event.to_status
            state = event.to_status
        assert promise.status == state, promise.text
        assert (promise.resolved_on is None) == (promise.status == Status.OPEN)
    assert StatusChange.objects.count() - changes_before == changes_checked
    assert changes_checked > 0


def test_a_failed_status_change_leaves_no_event_row(db, alice, content, monkeypatch):
    """The event row, the status and the versions are one transaction: if the last write
    fails, none of them stays."""
    world = make_world(alice, content)
    promise = world.promise
    before = StatusChange.objects.count()

    def broken_bump(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Relationship, "bump_versions", broken_bump)
    with pytest.raises(RuntimeError):
        promise.set_status("kept", by=alice)
    monkeypatch.undo()
    assert StatusChange.objects.count() == before
    promise.refresh_from_db()
    assert promise.status == Status.OPEN
