"""Rules the database itself enforces, whatever code writes the rows, and one-row behaviour."""

from datetime import date
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse, set_script_prefix, set_urlconf
from django.utils import translation

from guides.models import Size
from journal.models import (
    Breach,
    CheckIn,
    Profile,
    Promise,
    Reflection,
    Relationship,
    Status,
    StatusChange,
    latest_allowed_date,
    remembered_reverse,
    validate_sane_date,
    validate_time_zone,
)
from tests.journal.conftest import days_ago, today


def assert_rejected(queryset, **values):
    with pytest.raises(IntegrityError), transaction.atomic():
        queryset.update(**values)


@pytest.mark.parametrize("value", [-1, 11, 255])
def test_starting_trust_stays_within_0_to_10(relationship, value):
    assert_rejected(Relationship.objects.filter(pk=relationship.pk), starting_trust=value)


@pytest.mark.parametrize("value", [-1, 11])
def test_felt_trust_stays_within_0_to_10(checkin, value):
    assert_rejected(CheckIn.objects.filter(pk=checkin.pk), felt_trust=value)


@pytest.mark.parametrize("value", [0, 10])
def test_the_ends_of_the_scale_are_allowed(relationship, checkin, value):
    Relationship.objects.filter(pk=relationship.pk).update(starting_trust=value)
    CheckIn.objects.filter(pk=checkin.pk).update(felt_trust=value)


@pytest.mark.parametrize(
    "field, value",
    [("kind", "boss"), ("kind", ""), ("breach_cause", "aliens"), ("name", "")],
)
def test_relationship_rejects_bad_values(relationship, field, value):
    assert_rejected(Relationship.objects.filter(pk=relationship.pk), **{field: value})


def test_a_relationship_cannot_be_created_without_a_name(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(
            owner=alice,
            name="",
            kind="partner",
            breach_cause="lie",
            breach_date=today(),
            starting_trust=3,
        )


def test_breach_rejects_an_unknown_cause(relationship):
    with pytest.raises(IntegrityError), transaction.atomic():
        Breach.objects.create(relationship=relationship, date=today(), cause="bad_luck")


@pytest.mark.parametrize(
    "field, value",
    [("status", "done"), ("status", ""), ("size", "huge"), ("size", ""), ("text", "")],
)
def test_promise_rejects_bad_values(promise, field, value):
    assert_rejected(Promise.objects.filter(pk=promise.pk), **{field: value})


def test_a_promise_cannot_be_created_without_text(relationship):
    with pytest.raises(IntegrityError), transaction.atomic():
        Promise.objects.create(relationship=relationship, text="", due_date=today())


def test_an_open_promise_has_no_resolved_on(promise):
    assert_rejected(Promise.objects.filter(pk=promise.pk), resolved_on=today())


@pytest.mark.parametrize("status", ["kept", "broken"])
def test_a_resolved_promise_has_a_resolved_on(promise, status):
    assert_rejected(Promise.objects.filter(pk=promise.pk), status=status)


@pytest.mark.parametrize("status", ["kept", "broken"])
def test_a_resolved_promise_with_a_date_is_fine(promise, status):
    Promise.objects.filter(pk=promise.pk).update(status=status, resolved_on=today())
    promise.refresh_from_db()
    assert promise.status == status


def test_reflection_text_is_required(reflection, relationship):
    assert_rejected(Reflection.objects.filter(pk=reflection.pk), text="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reflection.objects.create(relationship=relationship, date=today(), text="")


def test_status_changes_name_known_statuses(alice, promise):
    change = promise.set_status("kept", by=alice)
    assert_rejected(StatusChange.objects.filter(pk=change.pk), to_status="maybe")
    assert_rejected(StatusChange.objects.filter(pk=change.pk), from_status="")


def test_set_status_records_who_changed_what(alice, promise):
    change = promise.set_status("kept", by=alice)
    assert (change.actor, change.from_status, change.to_status) == (alice, "open", "kept")
    promise.refresh_from_db()
    assert promise.status == "kept"
    assert promise.resolved_on == today()


def test_set_status_takes_an_explicit_day(alice, promise):
    promise.set_status("broken", by=alice, on=days_ago(2))
    promise.refresh_from_db()
    assert promise.resolved_on == days_ago(2)


def test_setting_the_same_status_does_nothing(alice, promise):
    promise.set_status("kept", by=alice)
    assert promise.set_status("kept", by=alice) is None
    assert promise.changes.count() == 1


def test_set_status_is_all_or_nothing(alice, promise, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    # The last of its writes: the change and the promise are written by then.
    monkeypatch.setattr(Relationship, "bump_versions", fail)
    with pytest.raises(RuntimeError):
        promise.set_status("kept", by=alice)
    assert not StatusChange.objects.exists()
    assert Promise.objects.get(pk=promise.pk).status == "open"


def test_undo_walks_back_one_step(alice, promise):
    promise.set_status("kept", by=alice)
    promise.set_status("broken", by=alice)
    promise.undo_last_change(by=alice)
    assert promise.status == "kept"
    assert list(promise.changes.values_list("to_status", flat=True)) == ["kept", "broken", "kept"]


def test_undo_does_nothing_when_history_and_status_disagree(alice, promise):
    promise.set_status("kept", by=alice)
    Promise.objects.filter(pk=promise.pk).update(status="broken")
    promise.refresh_from_db()
    assert promise.undo_last_change(by=alice) is None
    assert promise.status == "broken"


@pytest.mark.parametrize("with_last_change", [True, False])
def test_undo_of_a_locked_promise_reads_its_latest_change_once(alice, promise, with_last_change):
    """The view reads the latest change with the promise and its lock (one query); a second
    Undo of the same instance must not go on from that first read."""
    promise.set_status("kept", by=alice)
    promise.set_status("broken", by=alice)
    with transaction.atomic():
        locked = Promise.objects.locked()
        locked = locked.with_last_change() if with_last_change else locked
        locked = locked.get(pk=promise.pk)
        assert locked.undo_last_change(by=alice, locked=True).to_status == "kept"
        assert locked.undo_last_change(by=alice, locked=True).to_status == "broken"
    assert Promise.objects.get(pk=promise.pk).status == "broken"
    assert list(promise.changes.values_list("to_status", flat=True)) == [
        "kept",
        "broken",
        "kept",
        "broken",
    ]


def test_is_overdue(make_promise, alice):
    overdue = make_promise(due_date=days_ago(1))
    assert overdue.is_overdue()
    assert not overdue.is_overdue(today=days_ago(1))
    assert not make_promise(due_date=today()).is_overdue()
    overdue.set_status("kept", by=alice)
    assert not overdue.is_overdue()


def test_profile_for_user_creates_once(alice):
    assert Profile.for_user(alice) == Profile.for_user(alice)
    assert Profile.objects.count() == 1


@pytest.mark.parametrize("value", ["Asia/Tokyo", "UTC", "America/Argentina/Buenos_Aires"])
def test_known_time_zones_are_valid(value):
    validate_time_zone(value)


@pytest.mark.parametrize("value", ["", "Tokyo", "Mars/Base", "utc+9"])
def test_unknown_time_zones_are_invalid(value):
    with pytest.raises(ValidationError):
        validate_time_zone(value)


def test_dates_are_sane_from_1900_to_five_years_ahead(db):
    validate_sane_date(date(1900, 1, 1))
    validate_sane_date(latest_allowed_date())
    with pytest.raises(ValidationError):
        validate_sane_date(date(1899, 12, 31))
    with pytest.raises(ValidationError):
        validate_sane_date(date(today().year + 6, 1, 1))


def test_the_date_limit_survives_29_february(freeze_now):
    freeze_now(2028, 2, 29, 12, 0)
    assert latest_allowed_date() == date(2033, 2, 28)
    validate_sane_date(date(2033, 2, 28))
    with pytest.raises(ValidationError):
        validate_sane_date(date(2033, 3, 1))


def test_string_forms(alice, relationship, promise, reflection, checkin):
    assert str(relationship) == "Sam"
    assert str(promise) == "Call when I'm late"
    assert str(reflection) == "I was defensive again."
    assert str(checkin) == f"{today()}: 4"
    assert "open → kept" in str(promise.set_status("kept", by=alice))


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_status_and_size_labels_are_djangos(promise, language):

    field_labels = {
        "status": partial(promise._get_FIELD_display, Promise._meta.get_field("status")),
        "size": partial(promise._get_FIELD_display, Promise._meta.get_field("size")),
    }
    with translation.override(language):
        for promise.status in [*Status.values, "gone"]:
            assert str(promise.get_status_display()) == str(field_labels["status"]())
        for promise.size in [*Size.values, "gone"]:
            assert str(promise.get_size_display()) == str(field_labels["size"]())


def test_a_promises_links_are_what_reverse_gives(make_promise):
    promise = make_promise()
    for method, name in [
        (promise.get_status_url, "journal:promise_status"),
        (promise.get_undo_url, "journal:promise_undo"),
        (promise.get_edit_url, "journal:promise_edit"),
    ]:
        assert method() == reverse(name, args=[promise.pk])
        assert method() == reverse(name, args=[promise.pk])  # remembered, the same


def test_remembered_links_follow_the_script_prefix(make_promise):
    """A site served under a prefix (SCRIPT_NAME) gets its links under it, remembered or not."""
    promise = make_promise()
    plain = promise.get_edit_url()
    try:
        set_script_prefix("/trust/")
        assert promise.get_edit_url() == reverse("journal:promise_edit", args=[promise.pk])
        assert promise.get_edit_url() == "/trust" + plain
    finally:
        set_script_prefix("/")
    assert promise.get_edit_url() == plain


def test_remembered_links_follow_the_url_configuration(make_promise):
    """A request can have URLs of its own (request.urlconf, which Django sets in use)."""
    promise = make_promise()
    assert promise.get_edit_url() == f"/journal/promises/{promise.pk}/edit/"
    try:
        set_urlconf("tests.journal.urls_elsewhere")
        assert promise.get_edit_url() == f"/elsewhere/journal/promises/{promise.pk}/edit/"
    finally:
        set_urlconf(None)
    assert remembered_reverse("journal:promise_edit", promise.pk) == (
        f"/journal/promises/{promise.pk}/edit/"
    )


@pytest.mark.django_db
def test_postgresql_compresses_the_recent_state_with_lz4():
    """Every status click writes a relationship's recent_state again (some 4 KB of JSON for a
    month of promises in Japanese), which PostgreSQL compresses: with lz4, not its slower
    default (pglz)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("column compression is PostgreSQL's (this suite runs on it in CI)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        if not cursor.fetchone()[0]:
            pytest.skip("this PostgreSQL was built without lz4")
        cursor.execute(
            "SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = 'journal_relationship'::regclass AND attname = 'recent_state'"
        )
        assert cursor.fetchone()[0] == "l"
