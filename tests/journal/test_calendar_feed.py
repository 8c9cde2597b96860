"""The private ICS feed: open promises only, the user's alarm and privacy choices."""

from datetime import date, timedelta
from http import HTTPStatus

import pytest
from icalendar import Calendar

from journal.models import CalendarAlarm, CalendarDetail, Profile, Promise, Relationship


@pytest.fixture
def profile(alice):
    return Profile.for_user(alice)


def relationship_of(user, name="Sam"):
    return Relationship.objects.create(
        owner=user,
        name=name,
        kind="partner",
        breach_cause="lie",
        breach_date=date(2026, 1, 1),
        starting_trust=3,
    )


@pytest.fixture
def sam(alice):
    return relationship_of(alice)


def promise(relationship, text="Call when I'm late", due=date(2026, 12, 1), **fields):
    return Promise.objects.create(relationship=relationship, text=text, due_date=due, **fields)


def feed(client, profile, **params):
    response = client.get(f"/journal/calendar/{profile.calendar_token}.ics", params)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar):
    return list(calendar.walk("VEVENT"))


def test_it_lists_open_promises_as_all_day_events(client, profile, sam):
    promise(sam, due=date(2026, 12, 1))
    [event] = events(feed(client, profile))
    assert event.decoded("dtstart") == date(2026, 12, 1)
    assert event.decoded("dtend") == date(2026, 12, 2)


def test_it_needs_no_login_but_the_token(client, profile, sam):
    promise(sam)
    assert len(events(feed(client, profile))) == 1


def test_kept_and_broken_promises_leave_it(client, profile, sam, alice):
    kept = promise(sam, text="Kept one")
    broken = promise(sam, text="Broken one")
    promise(sam, text="Still open")
    kept.set_status("kept", by=alice)
    broken.set_status("broken", by=alice)
    profile.calendar_detail = CalendarDetail.TEXT
    profile.save()
    summaries = [str(e["summary"]) for e in events(feed(client, profile))]
    assert summaries == ["Still open"]


def test_the_summary_is_neutral_by_default(client, profile, sam):
    promise(sam, text="Tell Sam where I am")
    [event] = events(feed(client, profile))
    assert "Sam" not in str(event["summary"])
    assert "Tell" not in str(event["summary"])


@pytest.mark.parametrize(
    ("detail", "expected"),
    [(CalendarDetail.TEXT, "Call home"), (CalendarDetail.TEXT_AND_NAME, "Sam: Call home")],
)
def test_the_summary_follows_the_users_choice(client, profile, sam, detail, expected):
    promise(sam, text="Call home")
    profile.calendar_detail = detail
    profile.save()
    [event] = events(feed(client, profile))
    assert str(event["summary"]) == expected


@pytest.mark.parametrize(
    ("alarm", "trigger"),
    [
        (CalendarAlarm.MORNING, timedelta(hours=9)),
        (CalendarAlarm.HOUR, timedelta(hours=-1)),
        (CalendarAlarm.DAY, timedelta(days=-1)),
    ],
)
def test_each_event_has_the_chosen_alarm(client, profile, sam, alarm, trigger):
    promise(sam)
    profile.calendar_alarm = alarm
    profile.save()
    [event] = events(feed(client, profile))
    [valarm] = event.walk("VALARM")
    assert valarm.decoded("trigger") == trigger
    assert str(valarm["action"]) == "DISPLAY"


def test_no_alarm_when_the_user_chose_none(client, profile, sam):
    promise(sam)
    profile.calendar_alarm = CalendarAlarm.NONE
    profile.save()
    [event] = events(feed(client, profile))
    assert event.walk("VALARM") == []


def test_it_never_shows_another_users_promises(client, profile, sam, charlie):
    promise(sam, text="Alice's")
    promise(relationship_of(charlie, "Pat"), text="Charlie's")
    profile.calendar_detail = CalendarDetail.TEXT
    profile.save()
    assert [str(e["summary"]) for e in events(feed(client, profile))] == ["Alice's"]


def test_it_can_be_limited_to_one_relationship(client, profile, sam, alice):
    promise(sam, text="For Sam")
    promise(relationship_of(alice, "Boss"), text="For the boss")
    profile.calendar_detail = CalendarDetail.TEXT
    profile.save()
    calendar = feed(client, profile, relationship=sam.pk)
    assert [str(e["summary"]) for e in events(calendar)] == ["For Sam"]


def test_another_users_relationship_is_not_found(client, profile, charlie):
    other = relationship_of(charlie, "Pat")
    response = client.get(f"/journal/calendar/{profile.calendar_token}.ics?relationship={other.pk}")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_bad_relationship_id_is_not_found(client, profile):
    response = client.get(f"/journal/calendar/{profile.calendar_token}.ics?relationship=x")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_an_unknown_token_is_not_found(client, db):
    assert client.get("/journal/calendar/not-a-token.ics").status_code == HTTPStatus.NOT_FOUND


def test_archived_relationships_leave_it(client, profile, sam):
    promise(sam)
    sam.archived = True
    sam.save()
    assert events(feed(client, profile)) == []


def test_tokens_are_unguessable_and_distinct(alice, charlie):
    first, second = Profile.for_user(alice), Profile.for_user(charlie)
    assert len(first.calendar_token) >= 40
    assert first.calendar_token != second.calendar_token


def test_it_rejects_post(client, profile):
    response = client.post(f"/journal/calendar/{profile.calendar_token}.ics")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
