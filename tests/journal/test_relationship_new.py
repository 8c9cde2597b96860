from datetime import timedelta
from http import HTTPStatus

import pytest

from journal.models import Relationship
from tests.journal.conftest import days_ago, today
from tests.journal.helpers import assert_login_redirect, assert_partial, form_value

URL = "/journal/relationships/new/"


def valid_data(**changes):
    return {
        "name": "Sam",
        "kind": "spouse",
        "breach_cause": "broken_promise",
        "breach_date": days_ago(3).isoformat(),
        "breach_description": "I forgot our anniversary dinner.",
        "starting_trust": "2",
        **changes,
    }


def test_it_shows_the_form(auth_client):
    response = auth_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    assert b'name="starting_trust"' in response.content


def test_it_creates_a_relationship_owned_by_the_user(auth_client, alice):
    response = auth_client.post(URL, valid_data())
    relationship = Relationship.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"/journal/relationships/{relationship.pk}/"
    assert relationship.owner == alice
    assert relationship.kind == "spouse"
    assert relationship.starting_trust == 2
    assert relationship.breach_date == days_ago(3)


@pytest.mark.parametrize("trust", ["0", "10"])
def test_it_accepts_the_ends_of_the_scale(auth_client, trust):
    auth_client.post(URL, valid_data(starting_trust=trust))
    assert Relationship.objects.get().starting_trust == int(trust)


def test_it_accepts_myself_as_a_kind(auth_client):
    auth_client.post(URL, valid_data(kind="myself", name="Me"))
    assert Relationship.objects.get().kind == "myself"


def test_it_follows_a_local_next(auth_client):
    response = auth_client.post(URL, valid_data(next="/dashboard/"))
    assert response.url == "/dashboard/"


def test_it_ignores_an_offsite_next(auth_client):
    response = auth_client.post(URL, valid_data(next="https://evil.example/"))
    assert response.url == f"/journal/relationships/{Relationship.objects.get().pk}/"


def test_it_requires_login(client, db):
    assert_login_redirect(client.get(URL), URL)
    assert_login_redirect(client.post(URL, valid_data()), URL)
    assert not Relationship.objects.exists()


def test_it_rejects_wrong_method(auth_client):
    assert auth_client.delete(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_it_returns_partial_for_htmx(auth_client):
    response = auth_client.get(URL, HTTP_HX_REQUEST="true")
    assert_partial(response)
    assert b"<form" in response.content


def test_it_redirects_htmx_on_the_client(auth_client):
    response = auth_client.post(URL, valid_data(), HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.OK
    assert response["HX-Redirect"] == f"/journal/relationships/{Relationship.objects.get().pk}/"


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", ""),
        ("name", "N" * 101),
        ("kind", "neighbour"),
        ("breach_cause", "aliens"),
        ("breach_date", ""),
        ("breach_date", "not-a-date"),
        ("breach_date", "1899-12-31"),
        ("breach_date", timedelta(days=1)),
        ("breach_description", "d" * 2001),
        ("starting_trust", ""),
        ("starting_trust", "-1"),
        ("starting_trust", "11"),
        ("starting_trust", "seven"),
        ("starting_trust", "4.5"),
    ],
)
def test_it_rejects_bad_input(auth_client, field, value):
    response = auth_client.post(URL, valid_data(**{field: form_value(value)}))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b"errorlist" in response.content
    assert not Relationship.objects.exists()


def test_it_keeps_what_the_user_typed(auth_client):
    response = auth_client.post(URL, valid_data(name="Sam-the-typed", starting_trust="11"))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b"Sam-the-typed" in response.content
    assert b"I forgot our anniversary dinner." in response.content


def test_it_returns_the_invalid_form_as_a_partial_for_htmx(auth_client):
    response = auth_client.post(URL, valid_data(name=""), HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert_partial(response)
    assert not Relationship.objects.exists()


def test_it_accepts_a_breach_today(auth_client):
    auth_client.post(URL, valid_data(breach_date=today().isoformat()))
    assert Relationship.objects.get().breach_date == today()
