from http import HTTPStatus

from journal.models import CheckIn
from tests.journal.helpers import assert_login_redirect


def url(checkin):
    return f"/journal/check-ins/{checkin.pk}/delete/"


def test_it_works(auth_client, checkin, relationship):
    response = auth_client.post(url(checkin))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == relationship.get_absolute_url()
    assert not CheckIn.objects.exists()


def test_it_requires_login(client, checkin):
    assert_login_redirect(client.post(url(checkin)), url(checkin))
    assert CheckIn.objects.exists()


def test_it_checks_ownership(stranger_client, checkin):
    assert stranger_client.post(url(checkin)).status_code == HTTPStatus.NOT_FOUND
    assert CheckIn.objects.exists()


def test_it_rejects_wrong_method(auth_client, checkin):
    assert auth_client.get(url(checkin)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert CheckIn.objects.exists()
