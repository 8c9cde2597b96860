from datetime import timedelta
from http import HTTPStatus

import pytest

from guides.models import SuggestedPromise
from journal.models import Promise, latest_allowed_date
from tests.journal.conftest import today
from tests.journal.helpers import assert_login_redirect, assert_partial, form_value

URL = "/journal/promises/new/"


def valid_data(to, **changes):
    return {
        "relationship": to.pk,
        "text": "Text when I leave work",
        "due_date": today().isoformat(),
        "size": "medium",
        "note": "Set a phone reminder for 17:30.",
        **changes,
    }


def test_it_shows_the_form(auth_client, relationship):
    response = auth_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    assert b"Sam" in response.content


def test_it_preselects_the_relationship(auth_client, make_relationship):
    make_relationship(name="First")
    second = make_relationship(name="Second")
    response = auth_client.get(f"{URL}?relationship={second.pk}")
    assert response.context["form"].initial["relationship"] == second.pk


def test_it_fills_in_a_suggested_promise(auth_client, relationship, lessons):
    suggestion = SuggestedPromise.objects.filter(due_in_days__gt=0).first()
    response = auth_client.get(f"{URL}?suggestion={suggestion.pk}")
    initial = response.context["form"].initial
    assert initial["text"] == suggestion.text
    assert initial["size"] == suggestion.size
    assert initial["lesson"] == suggestion.lesson_id
    assert initial["due_date"] == today() + timedelta(days=suggestion.due_in_days)
    assert suggestion.text_en.encode() in response.content


def test_it_handles_an_unknown_suggestion(auth_client, relationship, lessons):
    assert auth_client.get(f"{URL}?suggestion=999999").status_code == HTTPStatus.NOT_FOUND


def test_it_creates_a_promise(auth_client, relationship):
    response = auth_client.post(URL, valid_data(relationship))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == relationship.get_absolute_url()
    promise = Promise.objects.get()
    assert promise.relationship == relationship
    assert promise.text == "Text when I leave work"
    assert promise.size == "medium"
    assert promise.status == "open"
    assert promise.resolved_on is None


def test_it_remembers_the_lesson_a_promise_came_from(auth_client, relationship, lessons):
    suggestion = SuggestedPromise.objects.first()
    auth_client.post(URL, valid_data(relationship, lesson=suggestion.lesson_id))
    assert Promise.objects.get().lesson_id == suggestion.lesson_id


def test_it_accepts_300_characters(auth_client, relationship):
    auth_client.post(URL, valid_data(relationship, text="p" * 300))
    assert len(Promise.objects.get().text) == 300


def test_it_sends_a_user_without_relationships_to_onboarding(auth_client, stranger_relationship):
    response = auth_client.get(URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/journal/welcome/"
    response = auth_client.post(URL, valid_data(stranger_relationship))
    assert response.url == "/journal/welcome/"
    assert not Promise.objects.exists()


def test_it_requires_login(client, relationship):
    assert_login_redirect(client.get(URL), URL)
    assert_login_redirect(client.post(URL, valid_data(relationship)), URL)
    assert not Promise.objects.exists()


def test_it_checks_ownership_of_the_preselected_relationship(
    auth_client, relationship, stranger_relationship
):
    response = auth_client.get(f"{URL}?relationship={stranger_relationship.pk}")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_it_rejects_another_users_relationship(auth_client, relationship, stranger_relationship):
    response = auth_client.post(URL, valid_data(stranger_relationship))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b"Select a valid choice" in response.content
    assert b"Charlie" not in response.content
    assert not Promise.objects.exists()


def test_it_rejects_an_archived_relationship(auth_client, relationship, make_relationship):
    archived = make_relationship(name="Archived", archived=True)
    response = auth_client.post(URL, valid_data(archived))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert not Promise.objects.exists()


def test_it_rejects_wrong_method(auth_client, relationship):
    assert auth_client.put(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_it_returns_partial_for_htmx(auth_client, relationship):
    response = auth_client.get(URL, HTTP_HX_REQUEST="true")
    assert_partial(response)
    assert b"<form" in response.content


def test_it_redirects_htmx_on_the_client(auth_client, relationship):
    data = valid_data(relationship, next=f"/dashboard/{relationship.pk}/")
    response = auth_client.post(URL, data, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == f"/dashboard/{relationship.pk}/"
    assert Promise.objects.count() == 1


@pytest.mark.parametrize(
    "field, value",
    [
        ("text", ""),
        ("text", "p" * 301),
        ("due_date", ""),
        ("due_date", "yesterday"),
        ("due_date", "1899-12-31"),
        ("due_date", timedelta(days=5 * 366 + 1)),
        ("due_date", "2999-01-01"),
        ("size", "huge"),
        ("relationship", ""),
        ("relationship", "abc"),
        ("relationship", "999999"),
        ("note", "n" * 2001),
        ("lesson", "999999"),
    ],
)
def test_it_rejects_bad_input(auth_client, relationship, field, value):
    response = auth_client.post(URL, valid_data(relationship, **{field: form_value(value)}))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b"errorlist" in response.content or b'class="errors"' in response.content
    assert b"Text when I leave work" in response.content or field == "text"
    assert not Promise.objects.exists()


def test_it_keeps_what_the_user_typed(auth_client, relationship):
    response = auth_client.post(URL, valid_data(relationship, size="huge"))
    assert b'value="Text when I leave work"' in response.content


def test_it_returns_the_invalid_form_as_a_partial_for_htmx(auth_client, relationship):
    response = auth_client.post(URL, valid_data(relationship, text=""), HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert_partial(response)
    assert not Promise.objects.exists()


def test_it_accepts_a_due_date_five_years_ahead(auth_client, relationship):
    due = latest_allowed_date()
    auth_client.post(URL, valid_data(relationship, due_date=due.isoformat()))
    assert Promise.objects.get().due_date == due
