from http import HTTPStatus

from journal.models import CheckIn, Promise, Reflection, Relationship, StatusChange
from tests.journal.helpers import assert_login_redirect


def url(relationship):
    return f"/journal/relationships/{relationship.pk}/delete/"


def test_it_asks_first(auth_client, relationship):
    response = auth_client.get(url(relationship))
    assert response.status_code == HTTPStatus.OK
    assert b"Delete this for good?" in response.content
    assert Relationship.objects.exists()


def test_it_deletes_everything_in_it(
    auth_client, alice, relationship, promise, make_reflection, make_checkin
):
    promise.set_status("kept", by=alice)
    make_reflection(promise=promise)
    make_checkin()
    response = auth_client.post(url(relationship))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/journal/"
    for model in (Relationship, Promise, Reflection, CheckIn, StatusChange):
        assert not model.objects.exists()


def test_it_requires_login(client, relationship):
    assert_login_redirect(client.get(url(relationship)), url(relationship))
    assert_login_redirect(client.post(url(relationship)), url(relationship))
    assert Relationship.objects.exists()


def test_it_checks_ownership(stranger_client, relationship, stranger_relationship):
    assert stranger_client.get(url(relationship)).status_code == HTTPStatus.NOT_FOUND
    assert stranger_client.post(url(relationship)).status_code == HTTPStatus.NOT_FOUND
    assert Relationship.objects.filter(pk=relationship.pk).exists()


def test_it_rejects_wrong_method(auth_client, relationship):
    assert auth_client.put(url(relationship)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert Relationship.objects.exists()
