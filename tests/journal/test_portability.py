"""Export, import and account deletion: the user's data is the user's."""

import csv
import io
import json
import zipfile
from datetime import date, timedelta
from http import HTTPStatus

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from guides.models import Lesson, LessonProgress
from journal.dashboard import compute_track_record
from journal.models import Breach, CheckIn, Profile, Promise, Reflection, Relationship
from journal.portability import export_data, import_data
from tests.conftest import PASSWORD

EXPORT_URL = "/journal/settings/export/"
IMPORT_URL = "/journal/settings/import/"
DELETE_URL = "/journal/settings/delete-account/"


def fill_journal(user):
    """A bit of everything, Japanese and emoji included."""
    lesson = Lesson.objects.first()
    relationship = Relationship.objects.create(
        owner=user,
        name="サム 🌱",
        kind="partner",
        breach_cause="lie",
        breach_date=date(2026, 1, 5),
        breach_description="I hid where I was.",
        starting_trust=3,
    )
    Breach.objects.create(relationship=relationship, date=date(2026, 2, 1), cause="lie")
    kept = Promise.objects.create(
        relationship=relationship,
        text="Call when I'm late",
        due_date=date(2026, 1, 10),
        size="medium",
        lesson=lesson,
    )
    kept.set_status("kept", by=user, on=date(2026, 1, 10))
    Promise.objects.create(
        relationship=relationship, text="夕食までに帰る", due_date=date(2026, 3, 1)
    )
    Reflection.objects.create(
        relationship=relationship,
        date=date(2026, 1, 11),
        text="Line one\nLine two — with “quotes”",
        promise=kept,
        prompt=lesson.prompts.first(),
    )
    CheckIn.objects.create(relationship=relationship, date=date(2026, 1, 12), felt_trust=4)
    LessonProgress.objects.create(user=user, lesson=lesson, status="done")
    return relationship


def download(client):
    response = client.get(EXPORT_URL)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def without_ids_and_stamps(document):
    text = json.dumps(document, sort_keys=True)
    data = json.loads(text)
    data.pop("exported_at")
    data.pop("account")
    for relationship in data["relationships"]:
        ids = {p["id"]: n for n, p in enumerate(relationship["promises"])}
        relationship.pop("id")
        for promise in relationship["promises"]:
            promise.pop("id")
        for reflection in relationship["reflections"]:
            reflection["promise"] = ids.get(reflection["promise"])
    return data


def test_export_has_json_and_a_csv_per_table(auth_client, alice, lessons):
    fill_journal(alice)
    archive = download(auth_client)
    assert set(archive.namelist()) == {
        "export.json",
        "relationships.csv",
        "breaches.csv",
        "promises.csv",
        "reflections.csv",
        "checkins.csv",
        "lesson_progress.csv",
    }
    document = json.loads(archive.read("export.json"))
    [relationship] = document["relationships"]
    assert relationship["name"] == "サム 🌱"
    assert [p["text"] for p in relationship["promises"]] == ["Call when I'm late", "夕食までに帰る"]
    assert relationship["promises"][0]["changes"][0]["to"] == "kept"
    rows = list(csv.DictReader(io.StringIO(archive.read("promises.csv").decode("utf-8-sig"))))
    assert [row["text"] for row in rows] == ["Call when I'm late", "夕食までに帰る"]
    progress = archive.read("lesson_progress.csv").decode("utf-8-sig")
    assert Lesson.objects.first().slug in progress


def test_export_contains_nothing_of_anyone_else(auth_client, alice, charlie, lessons):
    fill_journal(charlie)
    document = json.loads(download(auth_client).read("export.json"))
    assert document["relationships"] == []
    assert document["lesson_progress"] == []


def test_export_requires_login(client, db):
    response = client.get(EXPORT_URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")


def test_round_trip_into_a_new_account(auth_client, alice, user_factory, lessons):
    fill_journal(alice)
    archive_bytes = auth_client.get(EXPORT_URL).content
    first = json.loads(zipfile.ZipFile(io.BytesIO(archive_bytes)).read("export.json"))

    newcomer = user_factory("new@example.com")
    client = Client()
    client.force_login(newcomer)
    upload = SimpleUploadedFile("export.zip", archive_bytes, content_type="application/zip")
    response = client.post(IMPORT_URL, {"file": upload})
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]

    second = json.loads(download(client).read("export.json"))
    assert without_ids_and_stamps(second) == without_ids_and_stamps(first)


def test_import_accepts_the_bare_json(auth_client, alice, user_factory, lessons):
    fill_journal(alice)
    document = download(auth_client).read("export.json")
    newcomer = user_factory("new@example.com")
    client = Client()
    client.force_login(newcomer)
    upload = SimpleUploadedFile("export.json", document, content_type="application/json")
    assert client.post(IMPORT_URL, {"file": upload}).status_code == HTTPStatus.FOUND
    assert Promise.objects.filter(relationship__owner=newcomer).count() == 2


def test_import_refuses_an_account_with_data(auth_client, alice, lessons):
    fill_journal(alice)
    document = download(auth_client).read("export.json")
    upload = SimpleUploadedFile("export.json", document)
    response = auth_client.post(IMPORT_URL, {"file": upload})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "empty account" in response.content.decode()
    assert Relationship.objects.filter(owner=alice).count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json at all", "not a Trust Repair export"),
        (b'{"format": "something else"}', "not a Trust Repair export"),
        (b'{"format": "trust-repair-export", "version": 99}', "version we can"),
        (
            b'{"format": "trust-repair-export", "version": 1, "relationships": '
            b'[{"name": "x", "kind": "alien", "breach_cause": "lie", '
            b'"breach_date": "2026-01-01", "starting_trust": 3}]}',
            "Nothing was imported",
        ),
        (
            b'{"format": "trust-repair-export", "version": 1, "relationships": [7]}',
            "Nothing was imported",
        ),
        (b'{"format": "trust-repair-export", "version": true}', "version we can"),
        (
            b'{"format": "trust-repair-export", "version": 1, "relationships": '
            b'[{"name": [], "kind": "friend", "breach_cause": "lie", '
            b'"breach_date": "2026-01-01", "starting_trust": 3}]}',
            "name must be text",
        ),
        (
            b'{"format": "trust-repair-export", "version": 1, "relationships": '
            b'[{"name": "   ", "kind": "friend", "breach_cause": "lie", '
            b'"breach_date": "2026-01-01", "starting_trust": 3}]}',
            "Nothing was imported",
        ),
        (
            b'{"format": "trust-repair-export", "version": 1, "relationships": '
            b'[{"name": "Sam", "kind": "friend", "breach_cause": "lie", '
            b'"breach_date": "2026-01-01", "starting_trust": true}]}',
            "starting_trust must be a number",
        ),
    ],
)
def test_import_refuses_bad_files_and_saves_nothing(auth_client, alice, db, content, message):
    upload = SimpleUploadedFile("export.json", content)
    response = auth_client.post(IMPORT_URL, {"file": upload})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert message in response.content.decode()
    assert not Relationship.objects.filter(owner=alice).exists()


def test_import_is_all_or_nothing(auth_client, alice, db):
    document = {
        "format": "trust-repair-export",
        "version": 1,
        "relationships": [
            {
                "name": "Good",
                "kind": "friend",
                "breach_cause": "lie",
                "breach_date": "2026-01-01",
                "starting_trust": 3,
                "promises": [{"text": "", "due_date": "2026-01-02", "size": "small"}],
            }
        ],
    }
    upload = SimpleUploadedFile("export.json", json.dumps(document).encode())
    response = auth_client.post(IMPORT_URL, {"file": upload})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert not Relationship.objects.filter(owner=alice).exists()


def test_import_requires_login(client, db):
    response = client.post(IMPORT_URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")


def row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_delete_account_removes_every_row_of_the_user(auth_client, alice, charlie, lessons):
    fill_journal(charlie)
    before_alice = row_counts()
    fill_journal(alice)
    auth_client.get("/dashboard/")  # creates a profile and a session, like real use

    response = auth_client.post(DELETE_URL, {"password": PASSWORD})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/"
    assert not get_user_model().objects.filter(pk=alice.pk).exists()
    after = row_counts()
    changed = {
        label: (before_alice.get(label), count)
        for label, count in after.items()
        if count != before_alice.get(label) and label != "sessions.Session"
    }
    assert changed == {"auth.User": (2, 1), "account.EmailAddress": (2, 1)}
    assert after["journal.Relationship"] == before_alice["journal.Relationship"] == 1
    assert Relationship.objects.get().owner == charlie


def test_delete_account_logs_out(auth_client, alice):
    auth_client.post(DELETE_URL, {"password": PASSWORD})
    response = auth_client.get("/journal/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")


def test_delete_account_needs_the_password(auth_client, alice):
    response = auth_client.post(DELETE_URL, {"password": "wrong"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "That is not your password." in response.content.decode()
    assert get_user_model().objects.filter(pk=alice.pk).exists()


def test_delete_account_requires_login(client, db):
    response = client.post(DELETE_URL, {"password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")


def test_delete_account_page(auth_client):
    page = auth_client.get(DELETE_URL).content.decode()
    assert 'type="password"' in page
    assert EXPORT_URL in page


def test_dates_survive_exactly(auth_client, alice, lessons):
    relationship = fill_journal(alice)
    relationship.breach_date = date.today() - timedelta(days=3)
    relationship.save()
    document = json.loads(download(auth_client).read("export.json"))
    assert document["relationships"][0]["breach_date"] == relationship.breach_date.isoformat()


def test_import_refuses_a_huge_file(auth_client, alice, db, monkeypatch):
    monkeypatch.setattr("journal.portability.MAX_IMPORT_BYTES", 100)
    upload = SimpleUploadedFile("export.json", b"{" + b" " * 200 + b"}")
    response = auth_client.post(IMPORT_URL, {"file": upload})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "too large" in response.content.decode()


def test_import_refuses_a_zip_that_unpacks_huge(auth_client, alice, db, monkeypatch):
    monkeypatch.setattr("journal.portability.MAX_IMPORT_BYTES", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", " " * 100_000)
    assert len(buffer.getvalue()) < 1000
    upload = SimpleUploadedFile("export.zip", buffer.getvalue())
    response = auth_client.post(IMPORT_URL, {"file": upload})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "too large" in response.content.decode()


# A journal in use: promises resolved in the last few days, reflections and check-ins of today.


def import_into_new_account(user_factory, document):
    newcomer = user_factory("new@example.com")
    client = Client()
    client.force_login(newcomer)
    upload = SimpleUploadedFile("export.json", json.dumps(document).encode())
    response = client.post(IMPORT_URL, {"file": upload})
    return newcomer, client, response


def track_records(user):
    today = timezone.localdate()
    return [
        (record.score, record.change_7, record.change_30, record.streaks, record.milestones)
        for record in (
            compute_track_record(relationship, today, "all")
            for relationship in user.relationships.order_by("pk")
        )
    ]


@pytest.mark.parametrize("scale", ["small", "heavy"])
def test_a_demo_journal_round_trips(user_factory, lessons, scale):
    """Everything the demo account has, recent weeks included, comes back as it was: the
    same export and the same track record (streaks too, which follow the moment each promise
    was resolved)."""
    call_command("seed_demo", "--scale", scale, "--email", "demo@example.com", verbosity=0)
    demo = get_user_model().objects.get(email="demo@example.com")
    first = export_data(demo)

    newcomer, client, response = import_into_new_account(user_factory, first)

    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    assert without_ids_and_stamps(export_data(newcomer)) == without_ids_and_stamps(first)
    assert track_records(newcomer) == track_records(demo)
    resolved = Promise.objects.exclude(resolved_at=None).order_by("relationship_id", "pk")
    assert list(resolved.filter(relationship__owner=newcomer).values_list("resolved_at")) == list(
        resolved.filter(relationship__owner=demo).values_list("resolved_at")
    )
    assert client.get("/dashboard/", follow=True).status_code == HTTPStatus.OK


def a_journal_of(rows):
    """An export document with `rows` promises (each kept, with its change), reflections and
    check-ins, about one relationship."""
    start = date(2020, 1, 1)
    days = [start + timedelta(days=n) for n in range(rows)]
    return {
        "format": "trust-repair-export",
        "version": 1,
        "profile": {"time_zone": "Asia/Tokyo"},
        "relationships": [
            {
                "name": "Sam",
                "kind": "friend",
                "breach_cause": "lie",
                "breach_date": "2019-12-01",
                "starting_trust": 3,
                "breaches": [{"date": "2020-06-01", "cause": "lie", "description": ""}],
                "promises": [
                    {
                        "id": n,
                        "text": f"Promise {n}",
                        "due_date": day.isoformat(),
                        "size": "small",
                        "status": "kept",
                        "resolved_on": day.isoformat(),
                        "note": "",
                        "lesson": None,
                        "changes": [{"at": f"{day}T09:00:00+00:00", "from": "open", "to": "kept"}],
                    }
                    for n, day in enumerate(days)
                ],
                "reflections": [
                    {"date": day.isoformat(), "text": f"Day {n}", "prompt": None, "promise": n}
                    for n, day in enumerate(days)
                ],
                "checkins": [
                    {"date": day.isoformat(), "felt_trust": 5, "note": ""} for day in days
                ],
            }
        ],
    }


def test_importing_years_of_entries_takes_a_few_statements(
    user_factory, db, django_assert_max_num_queries
):
    """Rows are written in bulk, not one INSERT (and a version bump, and a query per foreign
    key and constraint) per row: five years of a heavy user's journal ran over 9,000
    statements and gunicorn's 30 seconds on PostgreSQL here. SQLite's 999 parameters per
    statement split a batch every hundred rows or so: 30 here."""
    newcomer = user_factory("new@example.com")
    with django_assert_max_num_queries(30):
        import_data(newcomer, a_journal_of(300))
    assert newcomer.relationships.get().promises.filter(status="kept").count() == 300
    assert Reflection.objects.filter(promise__relationship__owner=newcomer).count() == 300
    assert CheckIn.objects.filter(relationship__owner=newcomer).count() == 300


def test_import_marks_the_new_relationships_stale(user_factory, db):
    """The rows went in without their signals; the versions the caches are keyed by move
    once for all of them."""
    newcomer = user_factory("new@example.com")
    import_data(newcomer, a_journal_of(3))
    relationship = newcomer.relationships.get()
    assert relationship.score_version > 0
    assert relationship.history_version > 0
    assert relationship.page_version > 0


def test_dates_are_checked_in_the_exported_time_zone(user_factory, db, freeze_now):
    """At 20:00 UTC it is already tomorrow in Tokyo: what a Tokyo user wrote today is not in
    the future for an account whose page still runs on UTC. Its zone is the export's from
    now on, in this session too."""
    freeze_now(2026, 11, 30, 20, 0)
    document = a_journal_of(1)
    relationship = document["relationships"][0]
    relationship["reflections"][0]["date"] = "2026-12-01"
    relationship["checkins"][0]["date"] = "2026-12-01"
    relationship["promises"][0]["resolved_on"] = "2026-12-01"

    newcomer, client, response = import_into_new_account(user_factory, document)

    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    assert Profile.for_user(newcomer).time_zone == "Asia/Tokyo"
    assert client.session["time_zone"] == "Asia/Tokyo"


def test_a_date_in_the_future_even_there_is_refused(user_factory, db, freeze_now):
    freeze_now(2026, 11, 30, 20, 0)
    document = a_journal_of(1)
    document["relationships"][0]["checkins"][0]["date"] = "2026-12-02"

    newcomer, _client, response = import_into_new_account(user_factory, document)

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "future" in response.content.decode()
    assert not newcomer.relationships.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("resolved_on", "next week"), ("resolved_on", 20260101), ("due_date", "2026-02-30")],
)
def test_a_promise_with_a_bad_date_is_refused(user_factory, db, field, value):
    document = a_journal_of(2)
    document["relationships"][0]["promises"][1][field] = value

    newcomer, _client, response = import_into_new_account(user_factory, document)

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "Nothing was imported" in response.content.decode()
    assert not newcomer.relationships.exists()
