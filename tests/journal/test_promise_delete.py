from http import HTTPStatus

from journal.models import Promise, StatusChange
from tests.journal.helpers import assert_login_redirect


def url(promise):
    return f"/journal/promises/{promise.pk}/delete/"


def test_it_asks_first(auth_client, promise):
    response = auth_client.get(url(promise))
    assert response.status_code == HTTPStatus.OK
    assert b"Call when I&#x27;m late" in response.content
    assert Promise.objects.exists()


def test_it_deletes(auth_client, alice, promise, relationship):
    promise.set_status("kept", by=alice)
    response = auth_client.post(url(promise))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == relationship.get_absolute_url()
    assert not Promise.objects.exists()
    assert not StatusChange.objects.exists()


def test_it_keeps_a_reflection_about_it(auth_client, promise, make_reflection):
    reflection = make_reflection(promise=promise)
    auth_client.post(url(promise))
    reflection.refresh_from_db()
    assert reflection.promise is None


def test_it_requires_login(client, promise):
    assert_login_redirect(client.get(url(promise)), url(promise))
    assert_login_redirect(client.post(url(promise)), url(promise))
    assert Promise.objects.exists()


def test_it_checks_ownership(stranger_client, promise):
    assert stranger_client.get(url(promise)).status_code == HTTPStatus.NOT_FOUND
    assert stranger_client.post(url(promise)).status_code == HTTPStatus.NOT_FOUND
    assert Promise.objects.exists()


def test_it_rejects_wrong_method(auth_client, promise):
    assert auth_client.put(url(promise)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert Promise.objects.exists()
