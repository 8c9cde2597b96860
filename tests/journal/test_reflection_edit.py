from datetime import timedelta
from http import HTTPStatus

import pytest

from tests.journal.conftest import days_ago
from tests.journal.helpers import assert_login_redirect, assert_partial, form_value


def url(reflection):
    return f"/journal/reflections/{reflection.pk}/edit/"


def valid_data(reflection, **changes):
    return {
        "relationship": reflection.relationship_id,
        "date": days_ago(1).isoformat(),
        "text": "On second thought: I was scared, not angry.",
        **changes,
    }


def test_it_shows_the_form_filled_in(auth_client, reflection):
    response = auth_client.get(url(reflection))
    assert response.status_code == HTTPStatus.OK
    assert b"I was defensive again." in response.content


def test_it_saves(auth_client, reflection, relationship):
    response = auth_client.post(url(reflection), valid_data(reflection))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == relationship.get_absolute_url()
    reflection.refresh_from_db()
    assert reflection.text == "On second thought: I was scared, not angry."
    assert reflection.date == days_ago(1)


def test_it_requires_login(client, reflection):
    assert_login_redirect(client.get(url(reflection)), url(reflection))
    assert_login_redirect(client.post(url(reflection), valid_data(reflection)), url(reflection))
    reflection.refresh_from_db()
    assert reflection.text == "I was defensive again."


def test_it_checks_ownership(stranger_client, reflection, stranger_relationship):
    assert stranger_client.get(url(reflection)).status_code == HTTPStatus.NOT_FOUND
    data = valid_data(reflection, relationship=stranger_relationship.pk)
    assert stranger_client.post(url(reflection), data).status_code == HTTPStatus.NOT_FOUND
    reflection.refresh_from_db()
    assert reflection.text == "I was defensive again."


def test_it_rejects_another_users_promise(
    auth_client, reflection, stranger_relationship, make_promise
):
    strangers_promise = make_promise(to=stranger_relationship)
    response = auth_client.post(
        url(reflection), valid_data(reflection, promise=strangers_promise.pk)
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    reflection.refresh_from_db()
    assert reflection.promise is None


def test_it_rejects_wrong_method(auth_client, reflection):
    assert auth_client.delete(url(reflection)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_it_returns_partial_for_htmx(auth_client, reflection):
    response = auth_client.get(url(reflection), HTTP_HX_REQUEST="true")
    assert_partial(response)
    assert b"I was defensive again." in response.content


@pytest.mark.parametrize(
    "field, value",
    [("text", ""), ("text", "x" * 20_001), ("date", timedelta(days=3)), ("date", "1000-01-01")],
)
def test_it_rejects_bad_input(auth_client, reflection, field, value):
    response = auth_client.post(
        url(reflection), valid_data(reflection, **{field: form_value(value)})
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    if field == "date":
        assert b"On second thought: I was scared, not angry." in response.content
    reflection.refresh_from_db()
    assert reflection.text == "I was defensive again."
