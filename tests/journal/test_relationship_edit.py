from datetime import timedelta
from http import HTTPStatus

import pytest

from tests.journal.conftest import days_ago
from tests.journal.helpers import assert_login_redirect, assert_partial, form_value


def url(relationship):
    return f"/journal/relationships/{relationship.pk}/edit/"


def valid_data(**changes):
    return {
        "name": "Sam (renamed)",
        "kind": "spouse",
        "breach_cause": "harsh_words",
        "breach_date": days_ago(10).isoformat(),
        "breach_description": "We argued about money.",
        "starting_trust": "4",
        **changes,
    }


def test_it_shows_the_form_filled_in(auth_client, relationship):
    response = auth_client.get(url(relationship))
    assert response.status_code == HTTPStatus.OK
    assert b'value="Sam"' in response.content


def test_it_saves(auth_client, relationship):
    response = auth_client.post(url(relationship), valid_data())
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == relationship.get_absolute_url()
    relationship.refresh_from_db()
    assert relationship.name == "Sam (renamed)"
    assert relationship.starting_trust == 4
    assert relationship.breach_cause == "harsh_words"


def test_it_requires_login(client, relationship):
    assert_login_redirect(client.get(url(relationship)), url(relationship))
    assert_login_redirect(client.post(url(relationship), valid_data()), url(relationship))
    relationship.refresh_from_db()
    assert relationship.name == "Sam"


def test_it_checks_ownership(stranger_client, relationship):
    assert stranger_client.get(url(relationship)).status_code == HTTPStatus.NOT_FOUND
    response = stranger_client.post(url(relationship), valid_data())
    assert response.status_code == HTTPStatus.NOT_FOUND
    relationship.refresh_from_db()
    assert relationship.name == "Sam"


def test_it_handles_a_missing_relationship(auth_client, db):
    assert auth_client.get("/journal/relationships/999999/edit/").status_code == 404


def test_it_rejects_wrong_method(auth_client, relationship):
    assert auth_client.put(url(relationship)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_it_returns_partial_for_htmx(auth_client, relationship):
    response = auth_client.get(url(relationship), HTTP_HX_REQUEST="true")
    assert_partial(response)
    assert b'value="Sam"' in response.content


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", ""),
        ("kind", "boss"),
        ("breach_cause", "nothing"),
        ("breach_date", timedelta(days=1)),
        ("breach_date", "1850-06-01"),
        ("starting_trust", "12"),
        ("starting_trust", "x"),
    ],
)
def test_it_rejects_bad_input(auth_client, relationship, field, value):
    response = auth_client.post(url(relationship), valid_data(**{field: form_value(value)}))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b"errorlist" in response.content
    assert b"We argued about money." in response.content
    relationship.refresh_from_db()
    assert relationship.name == "Sam"
    assert relationship.starting_trust == 3
