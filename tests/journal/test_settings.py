import re
import zoneinfo
from http import HTTPStatus

import pytest

from journal.middleware import SESSION_KEY
from journal.models import Profile
from tests.journal.helpers import assert_login_redirect, settings_data

URL = "/journal/settings/"


def test_it_works(auth_client):
    response = auth_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    assert b'name="time_zone"' in response.content


def test_it_saves_the_time_zone_and_language(auth_client, alice):
    response = auth_client.post(
        URL, settings_data(auth_client, time_zone="Asia/Tokyo", language="ja")
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == URL
    profile = Profile.objects.get(user=alice)
    assert (profile.time_zone, profile.language) == ("Asia/Tokyo", "ja")


def test_a_change_updates_the_cached_time_zone(auth_client, alice):
    Profile.objects.create(user=alice, time_zone="Europe/London")
    auth_client.get(URL)
    assert auth_client.session[SESSION_KEY] == "Europe/London"
    auth_client.post(URL, settings_data(auth_client, time_zone="America/New_York"))
    assert auth_client.session[SESSION_KEY] == "America/New_York"


def test_it_requires_login(client, db):
    assert_login_redirect(client.get(URL), URL)
    assert_login_redirect(client.post(URL, {"time_zone": "Asia/Tokyo"}), URL)
    assert not Profile.objects.filter(time_zone="Asia/Tokyo").exists()


def test_it_rejects_wrong_method(auth_client):
    assert auth_client.delete(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize(
    "changes",
    [
        {"time_zone": "Mars/Olympus_Mons"},
        {"time_zone": ""},
        {"time_zone": "Asia/Tokyo", "language": "klingon"},
    ],
)
def test_it_rejects_bad_input(auth_client, alice, changes):
    Profile.objects.create(user=alice, time_zone="Europe/Paris")
    response = auth_client.post(URL, settings_data(auth_client, **changes))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b"errorlist" in response.content
    profile = Profile.objects.get(user=alice)
    assert (profile.time_zone, profile.language) == ("Europe/Paris", "")
    assert auth_client.session[SESSION_KEY] == "Europe/Paris"


def time_zone_options(response):
    select = re.search(r'<select name="time_zone"[^>]*>(.*?)</select>', response.text, re.S)
    return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select[1])


def test_it_offers_every_time_zone_with_the_saved_one_chosen(auth_client, alice):
    Profile.objects.create(user=alice, time_zone="America/Argentina/Buenos_Aires")
    response = auth_client.get(URL)
    options = time_zone_options(response)
    assert [value for value, _, _ in options] == sorted(zoneinfo.available_timezones())
    assert all(label == value for value, _, label in options)
    assert [value for value, selected, _ in options if selected] == [
        "America/Argentina/Buenos_Aires"
    ]
    assert re.search(r'<label for="id_time_zone">', response.text)
    assert re.search(r'<select name="time_zone" id="id_time_zone"', response.text)


def test_a_refused_form_keeps_the_time_zone_it_was_sent(auth_client, alice):
    Profile.objects.create(user=alice, time_zone="Europe/Paris")
    response = auth_client.post(
        URL, settings_data(auth_client, time_zone="Asia/Tokyo", language="klingon")
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    selected = [value for value, chosen, _ in time_zone_options(response) if chosen]
    assert selected == ["Asia/Tokyo"]
