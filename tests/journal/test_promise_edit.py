from datetime import timedelta
from http import HTTPStatus

import pytest

from tests.journal.conftest import days_ago, today
from tests.journal.helpers import assert_login_redirect, assert_partial, form_value


def url(promise):
    return f"/journal/promises/{promise.pk}/edit/"


def valid_data(promise, **changes):
    return {
        "relationship": promise.relationship_id,
        "text": "Call before eight",
        "due_date": today().isoformat(),
        "size": "large",
        "note": "",
        **changes,
    }


def test_it_shows_the_form_filled_in(auth_client, promise):
    response = auth_client.get(url(promise))
    assert response.status_code == HTTPStatus.OK
    assert b"Call when I&#x27;m late" in response.content
    assert b'name="resolved_on"' not in response.content


def test_it_saves(auth_client, promise):
    response = auth_client.post(url(promise), valid_data(promise))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == promise.relationship.get_absolute_url()
    promise.refresh_from_db()
    assert promise.text == "Call before eight"
    assert promise.size == "large"
    assert promise.status == "open"


def test_it_moves_a_promise_to_another_own_relationship(auth_client, promise, make_relationship):
    other = make_relationship(name="Boss", kind="work")
    auth_client.post(url(promise), valid_data(promise, relationship=other.pk))
    promise.refresh_from_db()
    assert promise.relationship == other


def test_it_keeps_an_archived_relationship_choosable(auth_client, promise, relationship):
    relationship.archived = True
    relationship.save()
    response = auth_client.post(url(promise), valid_data(promise))
    assert response.status_code == HTTPStatus.FOUND


def test_it_edits_when_a_resolved_promise_was_resolved(auth_client, alice, promise):
    promise.set_status("kept", by=alice)
    response = auth_client.get(url(promise))
    assert b'name="resolved_on"' in response.content
    auth_client.post(url(promise), valid_data(promise, resolved_on=days_ago(2).isoformat()))
    promise.refresh_from_db()
    assert promise.resolved_on == days_ago(2)
    assert promise.status == "kept"


@pytest.mark.parametrize(
    "value",
    [timedelta(days=1), "", "1899-12-31", "someday"],
    ids=["future", "empty", "old", "text"],
)
def test_it_rejects_a_bad_resolved_on(auth_client, alice, promise, value):
    promise.set_status("broken", by=alice)
    response = auth_client.post(url(promise), valid_data(promise, resolved_on=form_value(value)))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b"Call before eight" in response.content
    promise.refresh_from_db()
    assert promise.resolved_on == today()
    assert promise.text == "Call when I'm late"


def test_it_ignores_resolved_on_for_an_open_promise(auth_client, promise):
    auth_client.post(url(promise), valid_data(promise, resolved_on=days_ago(1).isoformat()))
    promise.refresh_from_db()
    assert promise.status == "open"
    assert promise.resolved_on is None


def test_it_cannot_change_the_status(auth_client, promise):
    auth_client.post(url(promise), valid_data(promise, status="kept"))
    promise.refresh_from_db()
    assert promise.status == "open"


def test_it_requires_login(client, promise):
    assert_login_redirect(client.get(url(promise)), url(promise))
    assert_login_redirect(client.post(url(promise), valid_data(promise)), url(promise))
    promise.refresh_from_db()
    assert promise.text == "Call when I'm late"


def test_it_checks_ownership(stranger_client, promise, stranger_relationship):
    assert stranger_client.get(url(promise)).status_code == HTTPStatus.NOT_FOUND
    data = valid_data(promise, relationship=stranger_relationship.pk)
    assert stranger_client.post(url(promise), data).status_code == HTTPStatus.NOT_FOUND
    promise.refresh_from_db()
    assert promise.text == "Call when I'm late"
    assert promise.relationship.owner.email == "alice@example.com"


def test_it_rejects_another_users_relationship(auth_client, promise, stranger_relationship):
    response = auth_client.post(
        url(promise), valid_data(promise, relationship=stranger_relationship.pk)
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b"Select a valid choice" in response.content
    promise.refresh_from_db()
    assert promise.relationship.name == "Sam"
    assert promise.text == "Call when I'm late"


def test_it_rejects_wrong_method(auth_client, promise):
    assert auth_client.delete(url(promise)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_it_returns_partial_for_htmx(auth_client, promise):
    response = auth_client.get(url(promise), HTTP_HX_REQUEST="true")
    assert_partial(response)
    assert b"<form" in response.content


@pytest.mark.parametrize(
    "field, value",
    [
        ("text", ""),
        ("text", "t" * 301),
        ("due_date", "1800-01-01"),
        ("due_date", "2999-01-01"),
        ("size", "tiny"),
        ("relationship", "nope"),
    ],
)
def test_it_rejects_bad_input(auth_client, promise, field, value):
    data = valid_data(promise, note="Typed note stays", **{field: form_value(value)})
    response = auth_client.post(url(promise), data)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b"Typed note stays" in response.content
    promise.refresh_from_db()
    assert promise.text == "Call when I'm late"
    assert promise.size == "small"
