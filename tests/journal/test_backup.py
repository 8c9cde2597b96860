"""make backup / restore_db: a consistent copy, and putting it back (SQLite and PostgreSQL)."""

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from journal.models import Promise, Relationship
from trustrepair import memo


@pytest.fixture
def journal_rows(alice):
    relationship = Relationship.objects.create(
        owner=alice,
        name="Sam",
        kind="partner",
        breach_cause="lie",
        breach_date=date(2026, 1, 1),
        starting_trust=3,
    )
    for n in range(3):
        Promise.objects.create(relationship=relationship, text=f"P{n}", due_date=date(2026, 2, 1))
    return relationship


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_the_data_back(journal_rows, tmp_path):
    out = StringIO()
    target = tmp_path / "backup.file"
    call_command("backup_db", output=str(target), stdout=out)
    assert target.stat().st_size > 0

    Promise.objects.all().delete()
    Relationship.objects.create(
        owner=journal_rows.owner,
        name="Written after the backup",
        kind="friend",
        breach_cause="lie",
        breach_date=date(2026, 1, 1),
        starting_trust=5,
    )

    call_command("restore_db", str(target), stdout=StringIO())

    assert sorted(Promise.objects.values_list("text", flat=True)) == ["P0", "P1", "P2"]
    assert list(Relationship.objects.values_list("name", flat=True)) == ["Sam"]


def test_restore_refuses_a_missing_file(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No backup"):
        call_command("restore_db", str(tmp_path / "nope"))


@pytest.mark.django_db(transaction=True)
def test_a_restore_leaves_no_page_of_the_data_it_replaced(journal_rows, auth_client, tmp_path):
    """Cached pages and track records are keyed by the rows' versions, which a restore moves
    back: the next change would reach a version the cache already holds for data the restore
    removed. A shared cache (REDIS_URL) outlives the app's restart, so the restore empties it.
    """
    target = tmp_path / "backup.file"
    call_command("backup_db", output=str(target), stdout=StringIO())
    first, second = journal_rows.promises.order_by("text")[:2]
    page = journal_rows.get_absolute_url()
    auth_client.post(f"/journal/promises/{first.pk}/status/", {"status": "kept"})
    assert f'promise-kept" id="promise-{first.pk}"' in auth_client.get(page).content.decode()

    call_command("restore_db", str(target), stdout=StringIO())
    memo.clear_all()  # the app restarts after a restore: its own memory starts empty
    auth_client.post(f"/journal/promises/{second.pk}/status/", {"status": "broken"})

    shown = auth_client.get(page).content.decode()
    assert f'promise-broken" id="promise-{second.pk}"' in shown
    assert re.search(f'promise-open[^"]*" id="promise-{first.pk}"', shown)  # (and overdue)
