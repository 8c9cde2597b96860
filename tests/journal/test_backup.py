"""make backup / restore_db: a consistent copy, and putting it back (SQLite and PostgreSQL)."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from journal.models import Promise, Relationship


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
