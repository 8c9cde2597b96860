"""send_reminders: once a day per user, at their local hour, in their language."""

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from journal.models import Profile, Promise, Relationship


@pytest.fixture
def make_user(user_factory):
    def make(email, zone, hour=8, language="en", enabled=True, due=date(2026, 3, 10)):
        user = user_factory(email)
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "time_zone": zone,
                "reminder_hour": hour,
                "language": language,
                "reminders_enabled": enabled,
            },
        )
        relationship = Relationship.objects.create(
            owner=user,
            name="Sam",
            kind="partner",
            breach_cause="lie",
            breach_date=date(2026, 1, 1),
            starting_trust=3,
        )
        Promise.objects.create(relationship=relationship, text=f"Promise of {email}", due_date=due)
        return user

    return make


def run_at(monkeypatch, moment):
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    out = StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue()


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_it_sends_at_the_users_local_hour(monkeypatch, make_user):
    make_user("tokyo@example.com", "Asia/Tokyo", hour=8)
    make_user("newyork@example.com", "America/New_York", hour=8, due=date(2026, 3, 9))
    # 23:30 UTC on 9 March = 08:30 on 10 March in Tokyo, 19:30 on 9 March in New York.
    run_at(monkeypatch, datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
    assert recipients() == ["newyork@example.com", "tokyo@example.com"]
    mail.outbox.clear()
    # 22:30 UTC on 9 March = 07:30 in Tokyo: too early there.
    make_user("early@example.com", "Asia/Tokyo", hour=8)
    run_at(monkeypatch, datetime(2026, 3, 9, 22, 30, tzinfo=UTC))
    assert recipients() == []


def test_it_follows_daylight_saving_time(monkeypatch, make_user):
    # New York moves to EDT (UTC-4) on 8 March 2026: 8:00 local is 12:00 UTC after it.
    make_user("newyork@example.com", "America/New_York", hour=8, due=date(2026, 3, 9))
    run_at(monkeypatch, datetime(2026, 3, 9, 11, 59, tzinfo=UTC))
    assert recipients() == []
    run_at(monkeypatch, datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    assert recipients() == ["newyork@example.com"]


def test_it_is_idempotent(monkeypatch, make_user):
    make_user("tokyo@example.com", "Asia/Tokyo")
    moment = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
    run_at(monkeypatch, moment)
    run_at(monkeypatch, moment)
    assert len(mail.outbox) == 1
    run_at(monkeypatch, datetime(2026, 3, 11, 1, 0, tzinfo=UTC))
    assert len(mail.outbox) == 2


def test_it_writes_in_the_users_language(monkeypatch, make_user):
    make_user("ja@example.com", "Asia/Tokyo", language="ja")
    make_user("en@example.com", "Asia/Tokyo", language="en")
    run_at(monkeypatch, datetime(2026, 3, 10, 1, 0, tzinfo=UTC))
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert "約束" in by_recipient["ja@example.com"].subject
    assert "Promise of ja@example.com" in by_recipient["ja@example.com"].body
    assert "promise due" in by_recipient["en@example.com"].subject


def test_it_lists_overdue_and_due_promises_only_of_that_user(monkeypatch, make_user):
    make_user("a@example.com", "UTC", due=date(2026, 3, 1))
    make_user("b@example.com", "UTC", due=date(2026, 3, 20))
    run_at(monkeypatch, datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    [message] = mail.outbox
    assert message.to == ["a@example.com"]
    assert "Promise of a@example.com" in message.body
    assert "Promise of b@example.com" not in message.body
    assert "overdue" in message.body


def test_it_skips_users_who_did_not_opt_in(monkeypatch, make_user):
    make_user("quiet@example.com", "UTC", enabled=False)
    run_at(monkeypatch, datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    assert mail.outbox == []


def test_one_failure_does_not_stop_the_others(monkeypatch, make_user):
    make_user("broken@example.com", "UTC")
    make_user("fine@example.com", "UTC")
    real_send = mail.send_mail

    def flaky_send(subject, body, sender, to, **kwargs):
        if to == ["broken@example.com"]:
            raise ConnectionRefusedError("SMTP down")
        return real_send(subject, body, sender, to, **kwargs)

    monkeypatch.setattr("journal.management.commands.send_reminders.send_mail", flaky_send)
    output = run_at(monkeypatch, datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    assert recipients() == ["fine@example.com"]
    assert "failed: 1" in output
    # The failed user is retried on the next run, and only they are.
    monkeypatch.setattr("journal.management.commands.send_reminders.send_mail", real_send)
    run_at(monkeypatch, datetime(2026, 3, 10, 9, 15, tzinfo=UTC))
    assert recipients() == ["broken@example.com", "fine@example.com"]
