from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from journal.models import CheckIn, Profile, Promise, Reflection, Relationship


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - timedelta(days=n)


@pytest.fixture(autouse=True)
def _reset_time_zone():
    """The middleware activates the user's zone for the thread; don't let it leak across tests."""
    yield
    timezone.deactivate()


@pytest.fixture
def make_relationship(alice):
    def make(owner=None, **fields):
        values = {
            "name": "Sam",
            "kind": "partner",
            "breach_cause": "lie",
            "breach_date": days_ago(20),
            "starting_trust": 3,
            **fields,
        }
        return Relationship.objects.create(owner=owner or alice, **values)

    return make


@pytest.fixture
def relationship(make_relationship):
    """Alice's relationship."""
    return make_relationship()


@pytest.fixture
def stranger_relationship(make_relationship, charlie):
    return make_relationship(owner=charlie, name="Charlie's friend", kind="friend")


@pytest.fixture
def make_promise(relationship):
    def make(to=None, **fields):
        values = {"text": "Call when I'm late", "due_date": today(), "size": "small", **fields}
        return Promise.objects.create(relationship=to or relationship, **values)

    return make


@pytest.fixture
def promise(make_promise):
    return make_promise()


@pytest.fixture
def make_reflection(relationship):
    def make(to=None, **fields):
        values = {"date": today(), "text": "I was defensive again.", **fields}
        return Reflection.objects.create(relationship=to or relationship, **values)

    return make


@pytest.fixture
def reflection(make_reflection):
    return make_reflection()


@pytest.fixture
def make_checkin(relationship):
    def make(to=None, **fields):
        values = {"date": today(), "felt_trust": 4, **fields}
        return CheckIn.objects.create(relationship=to or relationship, **values)

    return make


@pytest.fixture
def checkin(make_checkin):
    return make_checkin()


@pytest.fixture
def freeze_now(monkeypatch):
    """Pin django.utils.timezone.now (and with it localdate) to an aware UTC datetime."""

    def freeze(*args):
        moment = datetime(*args, tzinfo=UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return freeze


@pytest.fixture
def client_in_zone(alice):
    """Alice logged in, with her profile's time zone set to `name` ("" for none)."""

    def login(name):
        profile = Profile.for_user(alice)
        profile.time_zone = name
        profile.save()
        client = Client()
        client.force_login(alice)
        return client

    return login


@pytest.fixture
def client_of(alice):
    """Alice's client, past the time zone lookup of a new session (the cached pages' tests)."""
    client = Client()
    client.force_login(alice)
    client.get("/journal/")
    return client
