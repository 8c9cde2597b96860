from http import HTTPStatus

import pytest

from journal.middleware import SESSION_KEY
from journal.models import Profile
from tests.journal.helpers import assert_login_redirect

URL = "/journal/settings/time-zone/"


def test_it_sets_the_zone_from_the_browser(auth_client, alice):
    response = auth_client.post(URL, {"time_zone": "Asia/Tokyo"})
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert Profile.objects.get(user=alice).time_zone == "Asia/Tokyo"
    assert auth_client.session[SESSION_KEY] == "Asia/Tokyo"


def test_it_keeps_the_language(auth_client, alice):
    Profile.objects.create(user=alice, language="ja")
    auth_client.post(URL, {"time_zone": "Asia/Tokyo"})
    assert Profile.objects.get(user=alice).language == "ja"


def test_it_never_overrides_a_choice(auth_client, alice):
    Profile.objects.create(user=alice, time_zone="Europe/Berlin")
    response = auth_client.post(URL, {"time_zone": "Asia/Tokyo"})
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert Profile.objects.get(user=alice).time_zone == "Europe/Berlin"


def test_it_sets_the_zone_only_once(auth_client, alice):
    auth_client.post(URL, {"time_zone": "Asia/Tokyo"})
    auth_client.post(URL, {"time_zone": "America/Chicago"})
    assert Profile.objects.get(user=alice).time_zone == "Asia/Tokyo"


@pytest.mark.parametrize("zone", ["Mars/Base", "", "../../etc/passwd", "asia/tokyo"])
def test_it_rejects_unknown_zones(auth_client, alice, zone):
    response = auth_client.post(URL, {"time_zone": zone})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert Profile.objects.get(user=alice).time_zone == ""


def test_it_rejects_a_missing_zone(auth_client, alice):
    assert auth_client.post(URL).status_code == HTTPStatus.BAD_REQUEST


def test_it_stops_asking_the_browser_once_set(auth_client, relationship):
    assert b"data-timezone-url" in auth_client.get("/journal/").content
    auth_client.post(URL, {"time_zone": "Asia/Tokyo"})
    assert b"data-timezone-url" not in auth_client.get("/journal/").content


def test_it_requires_login(client, db):
    assert_login_redirect(client.post(URL, {"time_zone": "Asia/Tokyo"}), URL)
    assert not Profile.objects.exists()


def test_it_only_touches_the_callers_profile(stranger_client, alice, charlie):
    stranger_client.post(URL, {"time_zone": "Asia/Tokyo"})
    assert Profile.for_user(alice).time_zone == ""
    assert Profile.for_user(charlie).time_zone == "Asia/Tokyo"


def test_it_rejects_wrong_method(auth_client, alice):
    assert auth_client.get(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert not Profile.objects.filter(time_zone__gt="").exists()
