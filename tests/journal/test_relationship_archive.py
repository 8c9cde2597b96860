from http import HTTPStatus

from tests.journal.helpers import assert_login_redirect


def url(relationship):
    return f"/journal/relationships/{relationship.pk}/archive/"


def test_it_archives_and_restores(auth_client, relationship):
    response = auth_client.post(url(relationship))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == relationship.get_absolute_url()
    relationship.refresh_from_db()
    assert relationship.archived

    auth_client.post(url(relationship))
    relationship.refresh_from_db()
    assert not relationship.archived


def test_it_hides_archived_relationships_from_new_promises(auth_client, make_relationship):
    make_relationship(name="Active one")
    archived = make_relationship(name="Gone quiet")
    auth_client.post(url(archived))
    response = auth_client.get("/journal/promises/new/")
    assert b"Active one" in response.content
    assert b"Gone quiet" not in response.content


def test_it_requires_login(client, relationship):
    assert_login_redirect(client.post(url(relationship)), url(relationship))
    relationship.refresh_from_db()
    assert not relationship.archived


def test_it_checks_ownership(stranger_client, relationship):
    assert stranger_client.post(url(relationship)).status_code == HTTPStatus.NOT_FOUND
    relationship.refresh_from_db()
    assert not relationship.archived


def test_it_rejects_wrong_method(auth_client, relationship):
    assert auth_client.get(url(relationship)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    relationship.refresh_from_db()
    assert not relationship.archived
