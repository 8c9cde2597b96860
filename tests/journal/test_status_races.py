"""A status click against other writes at the same moment, on PostgreSQL, where the click is
not a transaction: its promise is read without a lock and its writes go out as one statement
that writes only if the promise and its relationship are still as read
(journal.views._change_promise). Whatever comes in between, the click is made once, nothing
else is lost, and what the dashboard keeps of the relationship stays exact."""

import threading
import time
from contextlib import contextmanager
from http import HTTPStatus

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from journal.compiled import writes_only_if
from journal.dashboard import _read_recent, stored_recent
from journal.models import Promise, Reflection, Relationship, Status, StatusChange
from journal.scoring import history_boundary
from tests.journal.conftest import today

pytestmark = [
    pytest.mark.skipif(not writes_only_if(), reason="SQLite clicks in a locked transaction"),
    pytest.mark.django_db(transaction=True),  # other connections must see what is committed
]

ONLY_IF = "only_if"  # (the name the one statement gives its locked read)


def in_thread(action):
    """`action` in a thread of its own, so on a connection of its own, which it closes."""
    errors = []

    def run():
        try:
            action()
        except BaseException as error:  # raised again in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@contextmanager
def before_the_write(action, *, ready=None):
    """Runs `action` in another connection just before the click's one statement is sent,
    and waits until it has finished (committed), or, given the event `ready`, only until
    the action sets it. Records the SQL the click runs."""
    seen, started = [], []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        if ONLY_IF in sql and not started:
            started.append(in_thread(action))
            if ready is None:
                started[0][0].join(10)
            else:
                assert ready.wait(10)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen
    assert started, "the click never sent a statement written only if"
    worker, errors = started[0]
    worker.join(10)
    assert not worker.is_alive()
    if errors:
        raise errors[0]


def click(client, promise, status="kept"):
    response = client.post(
        f"/journal/promises/{promise.pk}/status/",
        {"status": status, "from": "dashboard", "range": "30"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == HTTPStatus.OK
    return response


def versions(relationship):
    fresh = Relationship.objects.get(pk=relationship.pk)
    return fresh.score_version, fresh.page_version


def assert_recent_state_exact(relationship):
    """The Recent the click left in the row is the one reading the promises again gives."""
    fresh = Relationship.objects.get(pk=relationship.pk)
    boundary = history_boundary(today())
    stored = stored_recent(fresh, fresh.score_version, boundary)
    assert stored is not None
    assert sorted(stored.promises) == sorted(_read_recent(fresh, boundary).promises)


def test_a_click_is_one_statement_without_a_transaction(auth_client, promise, relationship):
    auth_client.get(f"/dashboard/{relationship.pk}/")
    with before_the_write(lambda: None) as seen:
        click(auth_client, promise)
    writes = [sql for sql in seen if not sql.lstrip().startswith("SELECT")]
    assert len(writes) == 1 and ONLY_IF in writes[0]
    assert not [sql for sql in seen if "FOR UPDATE" in sql and ONLY_IF not in sql]
    assert Promise.objects.get(pk=promise.pk).status == Status.KEPT
    assert_recent_state_exact(relationship)


def test_a_write_in_between_stands_and_the_click_is_made_again_locked(
    auth_client, promise, relationship
):
    auth_client.get(f"/dashboard/{relationship.pk}/")
    score, page = versions(relationship)

    def reflect():
        Reflection.objects.create(relationship=relationship, date=today(), text="In between")

    with before_the_write(reflect) as seen:
        response = click(auth_client, promise)
    after = seen[seen.index(next(sql for sql in seen if ONLY_IF in sql)) + 1 :]
    assert any("FOR UPDATE" in sql for sql in after)  # read again, under a lock
    assert Promise.objects.get(pk=promise.pk).status == Status.KEPT
    assert StatusChange.objects.filter(promise=promise).count() == 1
    assert Reflection.objects.filter(text="In between").exists()
    assert versions(relationship) == (score + 1, page + 2)
    assert_recent_state_exact(relationship)
    assert b"hx-swap-oob" in response.content


def test_two_clicks_at_once_record_one_change(alice, auth_client, promise, relationship):
    other_tab = Client()
    other_tab.force_login(alice)

    with before_the_write(lambda: click(other_tab, promise)):
        click(auth_client, promise)
    assert Promise.objects.get(pk=promise.pk).status == Status.KEPT
    assert StatusChange.objects.filter(promise=promise).count() == 1
    assert_recent_state_exact(relationship)


def test_a_lock_held_elsewhere_is_waited_for_without_a_deadlock(auth_client, promise, relationship):
    """The one statement locks the promise before its relationship, as a locked read and
    an edit do: a transaction holding the promise, then writing the relationship, finishes
    first; the other order would be a deadlock, which PostgreSQL ends by failing one."""

    locked = threading.Event()

    def edit_slowly():
        with transaction.atomic():
            Promise.objects.select_for_update().get(pk=promise.pk)
            locked.set()
            time.sleep(0.5)  # the click's statement comes and waits
            Relationship.bump_versions(Relationship.objects.filter(pk=relationship.pk), score=True)

    score, page = versions(relationship)
    with before_the_write(edit_slowly, ready=locked):
        click(auth_client, promise)
    assert Promise.objects.get(pk=promise.pk).status == Status.KEPT
    assert StatusChange.objects.filter(promise=promise).count() == 1
    assert versions(relationship) == (score + 2, page + 2)
