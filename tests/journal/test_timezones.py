""" "Today" is the user's today: dates are taken in the profile's time zone, not UTC."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal.middleware import SESSION_KEY
from journal.models import CheckIn, Profile
from tests.journal.helpers import settings_data

# (zone, UTC moment, the user's local date then); the last three cross midnight between
# UTC and local time, so using the UTC date would give a different day.
MOMENTS = [
    pytest.param("Asia/Tokyo", (2026, 3, 10, 14, 30), date(2026, 3, 10), id="tokyo-23:30"),
    pytest.param("Asia/Tokyo", (2026, 3, 10, 15, 30), date(2026, 3, 11), id="tokyo-00:30-next-day"),
    pytest.param("America/New_York", (2026, 3, 11, 3, 30), date(2026, 3, 10), id="new-york-23:30"),
    pytest.param("", (2026, 3, 10, 23, 30), date(2026, 3, 10), id="no-zone-is-utc"),
]


@pytest.fixture
def march_relationship(make_relationship):
    return make_relationship(breach_date=date(2026, 3, 1))


@pytest.mark.parametrize("zone, moment, local_day", MOMENTS)
def test_marking_a_promise_uses_the_local_date(
    settings, freeze_now, client_in_zone, make_relationship, zone, moment, local_day
):
    settings.TIME_ZONE = "UTC"  # what a user without a zone gets
    freeze_now(*moment)
    client = client_in_zone(zone)
    promise = make_relationship(breach_date=date(2026, 3, 1)).promises.create(
        text="Good-night call", due_date=date(2026, 3, 10)
    )
    client.post(f"/journal/promises/{promise.pk}/status/", {"status": "kept"})
    promise.refresh_from_db()
    assert promise.resolved_on == local_day


@pytest.mark.parametrize("zone, moment, local_day", MOMENTS)
def test_a_checkin_is_dated_the_local_date(
    settings, freeze_now, client_in_zone, make_relationship, zone, moment, local_day
):
    settings.TIME_ZONE = "UTC"  # what a user without a zone gets
    freeze_now(*moment)
    client = client_in_zone(zone)
    relationship = make_relationship(breach_date=date(2026, 3, 1))
    client.post(f"/journal/relationships/{relationship.pk}/check-ins/new/", {"felt_trust": "6"})
    assert CheckIn.objects.get().date == local_day


def test_a_reflection_dated_local_today_is_not_in_the_future(
    freeze_now, client_in_zone, march_relationship
):
    freeze_now(2026, 3, 10, 15, 30)  # 00:30 on 11 March in Tokyo
    client = client_in_zone("Asia/Tokyo")
    data = {"relationship": march_relationship.pk, "date": "2026-03-11", "text": "Late thoughts"}
    response = client.post("/journal/reflections/new/", data)
    assert response.status_code == 302
    assert march_relationship.reflections.get().date == date(2026, 3, 11)


def test_the_dashboard_uses_the_local_today(freeze_now, client_in_zone, march_relationship):
    freeze_now(2026, 3, 10, 15, 30)  # 00:30 on 11 March in Tokyo
    march_relationship.promises.create(text="Tokyo morning walk", due_date=date(2026, 3, 11))
    client = client_in_zone("Asia/Tokyo")
    response = client.get(f"/dashboard/{march_relationship.pk}/")
    assert response.context["today"] == date(2026, 3, 11)
    assert [p.text for p in response.context["lists"]["due_today"]] == ["Tokyo morning walk"]


def test_the_middleware_caches_the_zone_in_the_session(client_in_zone, relationship):
    client = client_in_zone("Asia/Tokyo")
    client.get("/journal/")
    assert client.session[SESSION_KEY] == "Asia/Tokyo"
    with CaptureQueriesContext(connection) as queries:
        client.get("/journal/")
    assert not [q for q in queries if "journal_profile" in q["sql"]]


def test_the_cached_zone_is_only_replaced_through_settings(client_in_zone, alice, relationship):
    client = client_in_zone("Asia/Tokyo")
    client.get("/journal/")
    Profile.objects.filter(user=alice).update(time_zone="Europe/Paris")
    client.get("/journal/")
    assert client.session[SESSION_KEY] == "Asia/Tokyo"
    client.post("/journal/settings/", settings_data(client, time_zone="Europe/Paris"))
    assert client.session[SESSION_KEY] == "Europe/Paris"


def test_a_settings_change_applies_to_the_next_request(
    freeze_now, client_in_zone, march_relationship
):
    freeze_now(2026, 3, 10, 15, 30)
    client = client_in_zone("")
    assert client.get(f"/dashboard/{march_relationship.pk}/").context["today"] == date(2026, 3, 10)
    client.post("/journal/settings/", settings_data(client, time_zone="Asia/Tokyo"))
    assert client.get(f"/dashboard/{march_relationship.pk}/").context["today"] == date(2026, 3, 11)


def test_each_user_gets_their_own_zone(freeze_now, client_in_zone, charlie, march_relationship):
    from django.test import Client

    freeze_now(2026, 3, 10, 15, 30)
    tokyo = client_in_zone("Asia/Tokyo")
    Profile.objects.create(user=charlie, time_zone="America/Los_Angeles")
    los_angeles = Client()
    los_angeles.force_login(charlie)
    assert los_angeles.get("/journal/settings/").status_code == 200
    assert tokyo.get(f"/dashboard/{march_relationship.pk}/").context["today"] == date(2026, 3, 11)
    assert los_angeles.session[SESSION_KEY] == "America/Los_Angeles"
