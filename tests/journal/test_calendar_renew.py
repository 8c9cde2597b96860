from http import HTTPStatus

from journal.models import Profile

URL = "/journal/settings/calendar/renew/"


def test_it_revokes_the_old_address(auth_client, alice, client):
    old = Profile.for_user(alice).calendar_token
    response = auth_client.post(URL)
    assert response.status_code == HTTPStatus.FOUND
    new = Profile.objects.get(user=alice).calendar_token
    assert new != old
    assert client.get(f"/journal/calendar/{old}.ics").status_code == HTTPStatus.NOT_FOUND
    assert client.get(f"/journal/calendar/{new}.ics").status_code == HTTPStatus.OK


def test_it_renews_only_the_users_own_token(auth_client, charlie):
    before = Profile.for_user(charlie).calendar_token
    auth_client.post(URL)
    assert Profile.objects.get(user=charlie).calendar_token == before


def test_it_requires_login(client, db):
    response = client.post(URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")


def test_it_rejects_get(auth_client):
    assert auth_client.get(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_settings_show_the_address_with_subscribe_and_revoke(auth_client, alice):
    page = auth_client.get("/journal/settings/").content.decode()
    token = Profile.for_user(alice).calendar_token
    assert f"http://testserver/journal/calendar/{token}.ics" in page
    assert f'href="webcal://testserver/journal/calendar/{token}.ics"' in page
    assert f'action="{URL}"' in page
