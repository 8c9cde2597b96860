from http import HTTPStatus

from journal.models import Reflection
from tests.journal.helpers import assert_login_redirect


def url(reflection):
    return f"/journal/reflections/{reflection.pk}/delete/"


def test_it_asks_first(auth_client, reflection):
    response = auth_client.get(url(reflection))
    assert response.status_code == HTTPStatus.OK
    assert b"I was defensive again." in response.content
    assert Reflection.objects.exists()


def test_it_deletes(auth_client, reflection, relationship):
    response = auth_client.post(url(reflection))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == relationship.get_absolute_url()
    assert not Reflection.objects.exists()


def test_it_requires_login(client, reflection):
    assert_login_redirect(client.get(url(reflection)), url(reflection))
    assert_login_redirect(client.post(url(reflection)), url(reflection))
    assert Reflection.objects.exists()


def test_it_checks_ownership(stranger_client, reflection):
    response = stranger_client.get(url(reflection))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"I was defensive again." not in response.content
    assert stranger_client.post(url(reflection)).status_code == HTTPStatus.NOT_FOUND
    assert Reflection.objects.exists()


def test_it_rejects_wrong_method(auth_client, reflection):
    assert auth_client.put(url(reflection)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert Reflection.objects.exists()
