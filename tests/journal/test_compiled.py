"""journal.compiled: SQL built once must read and write exactly what the ORM would."""

from datetime import UTC, datetime

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from journal.compiled import (
    CompiledQuery,
    NotWritten,
    insert,
    update_row,
    writes_only_if,
    written_together,
)
from journal.models import Promise, Reflection, Relationship, StatusChange
from journal.views import LOCKED_PROMISE, LOCKED_PROMISE_WITH_LAST_CHANGE
from tests.journal.conftest import days_ago


def fields(obj):
    return {name: value for name, value in vars(obj).items() if name != "_state"}


def orm_locked(promise, owner, last_change=False):
    promises = Promise.objects.locked()
    if last_change:
        promises = promises.with_last_change()
    return promises.get(pk=promise.pk, relationship__owner=owner)


@pytest.mark.parametrize("last_change", [False, True])
def test_reads_what_the_orm_reads(alice, make_promise, last_change):
    promise = make_promise(note="Say when", lesson=None)
    promise.set_status("kept", by=alice, on=days_ago(1))
    query = LOCKED_PROMISE_WITH_LAST_CHANGE if last_change else LOCKED_PROMISE
    with transaction.atomic():
        compiled = query.first(pk=promise.pk, owner=alice.pk)
        expected = orm_locked(promise, alice, last_change)
    assert fields(compiled) == fields(expected)
    assert fields(compiled.relationship) == fields(expected.relationship)
    assert compiled.relationship.recent_state == expected.relationship.recent_state
    assert isinstance(compiled.resolved_at, datetime) and compiled.resolved_at.tzinfo
    if last_change:
        assert (compiled.last_change_from, compiled.last_change_to) == ("open", "kept")
    assert not compiled._state.adding and compiled._state.db == "default"


def test_a_promise_without_changes_reads_none_for_its_last_change(alice, promise):
    with transaction.atomic():
        read = LOCKED_PROMISE_WITH_LAST_CHANGE.first(pk=promise.pk, owner=alice.pk)
    assert (read.last_change_from, read.last_change_to) == (None, None)


def test_another_owner_or_a_missing_id_reads_nothing(alice, charlie, promise):
    with transaction.atomic():
        assert LOCKED_PROMISE.first(pk=promise.pk, owner=charlie.pk) is None
        assert LOCKED_PROMISE.first(pk=promise.pk + 1000, owner=alice.pk) is None
        for out_of_range in (2**63, -(2**63) - 1, 10**30):
            assert LOCKED_PROMISE.first(pk=out_of_range, owner=alice.pk) is None
        assert LOCKED_PROMISE.first(pk=promise.pk, owner=alice.pk) is not None


def test_one_query_each_time(alice, promise, django_assert_num_queries):
    with transaction.atomic():
        for _ in range(3):
            with django_assert_num_queries(1):
                assert LOCKED_PROMISE.first(pk=promise.pk, owner=alice.pk).pk == promise.pk


@pytest.mark.django_db(transaction=True)  # (a test case's transaction would hide the check)
def test_a_locked_read_refuses_to_run_outside_a_transaction(alice, promise):
    with transaction.atomic():  # compiled in a transaction first
        LOCKED_PROMISE.first(pk=promise.pk, owner=alice.pk)
    if connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError):
            LOCKED_PROMISE.first(pk=promise.pk, owner=alice.pk)
    else:  # SQLite locks the whole database in the transaction instead (as the ORM does)
        assert LOCKED_PROMISE.first(pk=promise.pk, owner=alice.pk).pk == promise.pk


def test_a_parameter_the_query_does_not_use_is_refused(alice, promise):
    query = CompiledQuery(lambda pk, owner: Promise.objects.filter(pk=pk), "pk", "owner")
    with pytest.raises(ValueError, match="'owner' is 0 parameters"):
        query.first(pk=promise.pk, owner=alice.pk)


def test_update_row_writes_what_update_writes(promise, relationship):
    at = datetime(2026, 3, 4, 5, 6, 7, 890_000, tzinfo=UTC)
    assert update_row(Promise, promise.pk, status="kept", resolved_on=days_ago(2), resolved_at=at)
    promise.refresh_from_db()
    assert (promise.status, promise.resolved_on, promise.resolved_at) == ("kept", days_ago(2), at)
    update_row(Promise, promise.pk, status="open", resolved_on=None, resolved_at=None)
    promise.refresh_from_db()
    assert (promise.status, promise.resolved_on, promise.resolved_at) == ("open", None, None)
    update_row(Relationship, relationship.pk, score_version=41, recent_state='["x"]')
    relationship.refresh_from_db()
    assert (relationship.score_version, relationship.recent_state) == (41, '["x"]')


def test_update_row_touches_only_its_row(make_promise, django_assert_num_queries):
    first, second = make_promise(), make_promise()
    with django_assert_num_queries(1):
        assert update_row(Promise, first.pk, text="Walk the dog") == 1
    assert Promise.objects.get(pk=second.pk).text == "Call when I'm late"
    assert update_row(Promise, second.pk + 1000, text="Walk the dog") == 0


def test_insert_saves_what_save_saves(alice, promise, django_assert_num_queries):
    with django_assert_num_queries(1):
        change = insert(
            StatusChange(promise=promise, actor=alice, from_status="open", to_status="kept")
        )
    saved = StatusChange.objects.get(pk=change.pk)
    assert fields(saved) == fields(change)
    assert (saved.promise_id, saved.actor_id, saved.from_status, saved.to_status) == (
        promise.pk,
        alice.pk,
        "open",
        "kept",
    )
    assert saved.at == change.at and saved.at.tzinfo is not None
    assert not change._state.adding and change._state.db == "default"
    second = insert(
        StatusChange(promise=promise, actor=alice, from_status="kept", to_status="open")
    )
    assert second.pk > change.pk
    assert list(promise.changes.order_by("pk")) == [change, second]


def test_insert_saves_a_model_with_listeners_with_save(relationship):
    def versions_moved_by(save):
        before = Relationship.objects.get(pk=relationship.pk).page_version
        save(Reflection(relationship=relationship, date=days_ago(0), text="Listened."))
        return Relationship.objects.get(pk=relationship.pk).page_version - before

    moved = versions_moved_by(Reflection.save)
    assert moved > 0 and versions_moved_by(insert) == moved  # its listeners heard of it


def one_statement_or(count):
    """What written_together sends: one statement on PostgreSQL, each write on its own
    elsewhere."""
    return 1 if connection.vendor == "postgresql" else count


def test_writes_written_together(alice, promise, relationship, django_assert_num_queries):
    with django_assert_num_queries(one_statement_or(4)), written_together():
        change = insert(
            StatusChange(promise=promise, actor=alice, from_status="open", to_status="kept")
        )
        again = insert(
            StatusChange(promise=promise, actor=alice, from_status="kept", to_status="open")
        )
        update_row(Promise, promise.pk, text="Walk the dog")
        with written_together():  # part of the block around it
            update_row(Relationship, relationship.pk, score_version=41)
    assert change.pk and again.pk and change.pk != again.pk
    assert list(promise.changes.order_by("pk")) == [change, again]
    assert Promise.objects.get(pk=promise.pk).text == "Walk the dog"
    assert Relationship.objects.get(pk=relationship.pk).score_version == 41


def test_a_read_in_the_block_sees_the_writes_before_it(promise):
    with written_together():
        update_row(Promise, promise.pk, text="Walk the dog")
        assert Promise.objects.get(pk=promise.pk).text == "Walk the dog"
        update_row(Promise, promise.pk, text="Feed the cat")
    assert Promise.objects.get(pk=promise.pk).text == "Feed the cat"


def test_a_row_written_twice_in_the_block_ends_as_written_last(promise, django_assert_num_queries):
    with django_assert_num_queries(2), written_together():  # two on PostgreSQL too
        update_row(Promise, promise.pk, text="Walk the dog")
        update_row(Promise, promise.pk, text="Feed the cat")
    assert Promise.objects.get(pk=promise.pk).text == "Feed the cat"


def test_a_block_that_raises_writes_nothing(promise):
    with pytest.raises(ValueError), transaction.atomic(), written_together():
        update_row(Promise, promise.pk, text="Walk the dog")
        raise ValueError
    assert Promise.objects.get(pk=promise.pk).text == "Call when I'm late"


def test_a_refused_write_in_the_block_is_an_error(promise):
    with pytest.raises(IntegrityError), transaction.atomic(), written_together():
        update_row(Promise, promise.pk, text="Walk the dog")
        update_row(Promise, promise.pk + 1000, text="nobody")  # no row: not an error
        update_row(Promise, promise.pk, status="done")  # not a status: the database refuses
    assert Promise.objects.get(pk=promise.pk).text == "Call when I'm late"


# written_together(only_if=...): one statement that writes only if a locked read finds a row.
only_if_here = pytest.mark.skipif(
    not writes_only_if(), reason="PostgreSQL writes in one statement only if"
)


def test_a_statement_is_the_query_first_runs(alice, charlie, promise):
    sql, params = LOCKED_PROMISE.statement(pk=promise.pk, owner=alice.pk)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert [row[0] for row in cursor.fetchall()] == [promise.pk]
        cursor.execute(*LOCKED_PROMISE.statement(pk=promise.pk, owner=charlie.pk))
        assert cursor.fetchall() == []
    assert LOCKED_PROMISE.statement(pk=2**63, owner=alice.pk) is None


@pytest.mark.django_db(transaction=True)
def test_a_locked_read_builds_its_statement_outside_a_transaction(alice, promise):
    """(Django builds a locked read's SQL only in a transaction; the statement it goes into
    is one.)"""
    query = CompiledQuery(lambda pk: Promise.objects.locked().filter(pk=pk), "pk")
    sql, params = query.statement(pk=promise.pk)
    assert "FOR UPDATE" in sql or not connection.features.has_select_for_update
    assert promise.pk in params


def found(promise, owner):
    """A locked read of `promise` that finds it for its owner only."""
    return LOCKED_PROMISE.statement(pk=promise.pk, owner=owner.pk)


def kept(promise, actor):
    return StatusChange(promise=promise, actor=actor, from_status="open", to_status="kept")


@only_if_here
def test_writes_only_if_the_read_finds_a_row(
    alice, promise, relationship, django_assert_num_queries
):
    with django_assert_num_queries(1), written_together(only_if=found(promise, alice)):
        change = insert(kept(promise, alice))
        update_row(Promise, promise.pk, text="Walk the dog")
        update_row(Relationship, relationship.pk, score_version=41)
    assert change.pk is not None
    assert list(promise.changes.all()) == [change]
    assert Promise.objects.get(pk=promise.pk).text == "Walk the dog"
    assert Relationship.objects.get(pk=relationship.pk).score_version == 41


@only_if_here
def test_writes_nothing_when_the_read_finds_no_row(alice, charlie, promise, relationship):
    versions = Relationship.objects.get(pk=relationship.pk).score_version
    with pytest.raises(NotWritten), written_together(only_if=found(promise, charlie)):
        change = insert(kept(promise, alice))
        update_row(Promise, promise.pk, text="Walk the dog")
        update_row(Relationship, relationship.pk, score_version=41)
    assert change.pk is None
    assert not StatusChange.objects.exists()
    assert Promise.objects.get(pk=promise.pk).text == "Call when I'm late"
    assert Relationship.objects.get(pk=relationship.pk).score_version == versions


@only_if_here
def test_an_insert_written_only_if_saves_what_insert_saves(alice, promise):
    with written_together(only_if=found(promise, alice)):
        change = insert(kept(promise, alice))
    plain = insert(kept(promise, alice))
    saved, saved_plain = (
        StatusChange.objects.get(pk=change.pk),
        StatusChange.objects.get(pk=plain.pk),
    )
    assert fields(saved) == fields(change)
    assert {**fields(saved), "id": None, "at": None} == {
        **fields(saved_plain),
        "id": None,
        "at": None,
    }
    assert saved.at == change.at and saved.at.tzinfo is not None


@only_if_here
@pytest.mark.parametrize("only_if", [False, True])
def test_an_insert_refuses_a_value_too_long_for_its_column(alice, promise, only_if):
    """(A cast to varchar(6) would cut "kept-ish" to "kept-i" instead.)"""
    change = StatusChange(promise=promise, actor=alice, from_status="open", to_status="kept-ish")
    block = written_together(only_if=found(promise, alice) if only_if else None)
    with pytest.raises(DataError, match="too long"), transaction.atomic(), block:
        insert(change)
    assert not StatusChange.objects.exists()


@only_if_here
def test_a_read_before_the_writes_is_part_of_the_block(alice, promise, django_assert_num_queries):
    with django_assert_num_queries(2), written_together(only_if=found(promise, alice)):
        assert Promise.objects.get(pk=promise.pk).text == "Call when I'm late"
        update_row(Promise, promise.pk, text="Walk the dog")
    assert Promise.objects.get(pk=promise.pk).text == "Walk the dog"


def read_after_a_write(promise):
    Promise.objects.get(pk=promise.pk)


def write_a_row_twice(promise):
    update_row(Promise, promise.pk, text="Feed the cat")


@only_if_here
@pytest.mark.parametrize("then", [read_after_a_write, write_a_row_twice])
def test_a_block_that_needs_two_statements_writes_nothing(alice, promise, then):
    block = written_together(only_if=found(promise, alice))
    with CaptureQueriesContext(connection) as queries, pytest.raises(NotWritten), block:
        update_row(Promise, promise.pk, text="Walk the dog")
        then(promise)
    assert not [q for q in queries if q["sql"].startswith("WITH")]  # none sent
    assert Promise.objects.get(pk=promise.pk).text == "Call when I'm late"


@pytest.mark.skipif(writes_only_if(), reason="SQLite cannot")
def test_only_if_is_refused_where_it_cannot_be_one_statement(alice, promise):
    with (
        pytest.raises(ValueError, match="only if"),
        written_together(only_if=found(promise, alice)),
    ):
        pass
