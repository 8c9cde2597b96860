from http import HTTPStatus

from tests.journal.helpers import assert_login_redirect

URL = "/journal/"


def test_it_works(auth_client, relationship, stranger_relationship):
    response = auth_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    assert b"Sam" in response.content
    assert b"Charlie&#x27;s friend" not in response.content
    assert b"Charlie's friend" not in response.content


def test_it_lists_archived_relationships_too(auth_client, make_relationship):
    make_relationship(name="Old boss", archived=True)
    response = auth_client.get(URL)
    assert b"Old boss" in response.content
    assert b"Archived" in response.content


def test_it_sends_a_user_without_relationships_to_onboarding(auth_client, stranger_relationship):
    response = auth_client.get(URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/journal/welcome/"


def test_it_requires_login(client, relationship):
    assert_login_redirect(client.get(URL), URL)


def test_it_rejects_wrong_method(auth_client, relationship):
    assert auth_client.post(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED
