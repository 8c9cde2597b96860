from http import HTTPStatus

import pytest

from journal.models import CheckIn
from tests.journal.conftest import today
from tests.journal.helpers import assert_login_redirect, assert_partial


def url(relationship):
    return f"/journal/relationships/{relationship.pk}/check-ins/new/"


def test_it_works(auth_client, relationship):
    response = auth_client.post(url(relationship), {"felt_trust": "6", "note": "She smiled."})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == relationship.get_absolute_url()
    checkin = CheckIn.objects.get()
    assert (checkin.relationship, checkin.felt_trust, checkin.note) == (
        relationship,
        6,
        "She smiled.",
    )
    assert checkin.date == today()


@pytest.mark.parametrize("value", ["0", "10"])
def test_it_accepts_the_ends_of_the_scale(auth_client, relationship, value):
    auth_client.post(url(relationship), {"felt_trust": value})
    assert CheckIn.objects.get().felt_trust == int(value)


def test_it_follows_a_local_next(auth_client, relationship):
    next_url = f"/dashboard/{relationship.pk}/"
    response = auth_client.post(url(relationship), {"felt_trust": "5", "next": next_url})
    assert response.url == next_url


def test_it_ignores_a_date_in_the_post(auth_client, relationship):
    auth_client.post(url(relationship), {"felt_trust": "5", "date": "2001-01-01"})
    assert CheckIn.objects.get().date == today()


def test_it_requires_login(client, relationship):
    assert_login_redirect(client.post(url(relationship), {"felt_trust": "5"}), url(relationship))
    assert not CheckIn.objects.exists()


def test_it_checks_ownership(stranger_client, relationship):
    response = stranger_client.post(url(relationship), {"felt_trust": "5"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    response = stranger_client.post(url(relationship), {"felt_trust": "5"}, HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not CheckIn.objects.exists()


def test_it_rejects_wrong_method(auth_client, relationship):
    assert auth_client.get(url(relationship)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_it_returns_partial_for_htmx(auth_client, relationship):
    response = auth_client.post(url(relationship), {"felt_trust": "7"}, HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.OK
    assert_partial(response)
    assert b"Check-in saved." in response.content
    assert f'id="checkin-form-{relationship.pk}"'.encode() in response.content
    assert CheckIn.objects.get().felt_trust == 7


@pytest.mark.parametrize("value", ["", "-1", "11", "seven", "5.5", "1e1"])
def test_it_rejects_bad_input_over_htmx(auth_client, relationship, value):
    response = auth_client.post(url(relationship), {"felt_trust": value}, HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert_partial(response)
    assert b"Please choose a number from 0 to 10." in response.content
    assert b"Check-in saved." not in response.content
    assert not CheckIn.objects.exists()


def test_it_rejects_bad_input_without_js(auth_client, relationship):
    response = auth_client.post(url(relationship), {"felt_trust": "11"}, follow=True)
    assert b"Please choose a number from 0 to 10." in response.content
    assert not CheckIn.objects.exists()


def test_it_rejects_a_too_long_note(auth_client, relationship):
    response = auth_client.post(
        url(relationship), {"felt_trust": "5", "note": "n" * 501}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert not CheckIn.objects.exists()
