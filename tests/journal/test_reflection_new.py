from datetime import timedelta
from http import HTTPStatus

import pytest

from guides.models import ReflectionPrompt
from journal.models import REFLECTION_MAX_LENGTH, Reflection
from tests.journal.conftest import days_ago, today
from tests.journal.helpers import assert_login_redirect, assert_partial, form_value

URL = "/journal/reflections/new/"


def valid_data(to, **changes):
    return {
        "relationship": to.pk,
        "date": today().isoformat(),
        "text": "I interrupted her again; next time I will wait.",
        **changes,
    }


def test_it_shows_the_form(auth_client, relationship):
    response = auth_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"]["date"].value() == today()


def test_it_shows_the_prompt_it_answers(auth_client, relationship, lessons):
    prompt = ReflectionPrompt.objects.first()
    response = auth_client.get(f"{URL}?prompt={prompt.pk}")
    assert prompt.text_en.encode() in response.content


def test_it_preselects_a_promise(auth_client, promise, relationship):
    response = auth_client.get(f"{URL}?promise={promise.pk}")
    initial = response.context["form"].initial
    assert initial["promise"] == promise
    assert initial["relationship"] == relationship.pk


def test_it_creates_a_reflection(auth_client, relationship):
    response = auth_client.post(URL, valid_data(relationship))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == relationship.get_absolute_url()
    reflection = Reflection.objects.get()
    assert reflection.relationship == relationship
    assert reflection.date == today()
    assert reflection.promise is None


def test_it_saves_the_prompt_and_promise(auth_client, relationship, promise, lessons):
    prompt = ReflectionPrompt.objects.first()
    auth_client.post(URL, valid_data(relationship, prompt=prompt.pk, promise=promise.pk))
    reflection = Reflection.objects.get()
    assert reflection.prompt == prompt
    assert reflection.promise == promise


def test_it_accepts_the_longest_reflection(auth_client, relationship):
    auth_client.post(URL, valid_data(relationship, text="r" * REFLECTION_MAX_LENGTH))
    assert len(Reflection.objects.get().text) == REFLECTION_MAX_LENGTH


def test_it_accepts_a_past_date(auth_client, relationship):
    auth_client.post(URL, valid_data(relationship, date=days_ago(40).isoformat()))
    assert Reflection.objects.get().date == days_ago(40)


def test_it_sends_a_user_without_relationships_to_onboarding(auth_client, stranger_relationship):
    response = auth_client.post(URL, valid_data(stranger_relationship))
    assert response.url == "/journal/welcome/"
    assert not Reflection.objects.exists()


def test_it_requires_login(client, relationship):
    assert_login_redirect(client.get(URL), URL)
    assert_login_redirect(client.post(URL, valid_data(relationship)), URL)
    assert not Reflection.objects.exists()


def test_it_checks_ownership_of_preselections(
    auth_client, relationship, stranger_relationship, make_promise
):
    strangers_promise = make_promise(to=stranger_relationship)
    assert auth_client.get(f"{URL}?promise={strangers_promise.pk}").status_code == 404
    assert auth_client.get(f"{URL}?relationship={stranger_relationship.pk}").status_code == 404


def test_it_rejects_another_users_relationship(auth_client, relationship, stranger_relationship):
    response = auth_client.post(URL, valid_data(stranger_relationship))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b"Select a valid choice" in response.content
    assert not Reflection.objects.exists()


def test_it_rejects_another_users_promise(
    auth_client, relationship, stranger_relationship, make_promise
):
    strangers_promise = make_promise(to=stranger_relationship, text="Charlie's promise")
    response = auth_client.post(URL, valid_data(relationship, promise=strangers_promise.pk))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b"Select a valid choice" in response.content
    assert b"Charlie" not in response.content
    assert not Reflection.objects.exists()


def test_it_rejects_a_promise_to_someone_else(auth_client, relationship, make_relationship):
    other = make_relationship(name="Boss", kind="work")
    promise = relationship.promises.create(text="Be on time", due_date=today())
    response = auth_client.post(URL, valid_data(other, promise=promise.pk))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b"another relationship" in response.content
    assert not Reflection.objects.exists()


def test_it_rejects_wrong_method(auth_client, relationship):
    assert auth_client.put(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_it_returns_partial_for_htmx(auth_client, relationship):
    response = auth_client.get(URL, HTTP_HX_REQUEST="true")
    assert_partial(response)
    assert b"<form" in response.content


@pytest.mark.parametrize(
    "field, value",
    [
        ("text", ""),
        ("text", "r" * (REFLECTION_MAX_LENGTH + 1)),
        ("date", ""),
        ("date", timedelta(days=1)),
        ("date", "1899-12-31"),
        ("date", "31/12/2020"),
        ("relationship", ""),
        ("promise", "999999"),
        ("prompt", "999999"),
    ],
)
def test_it_rejects_bad_input(auth_client, relationship, field, value):
    data = valid_data(relationship, **{field: form_value(value)})
    response = auth_client.post(URL, data)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    if field != "text":
        assert b"I interrupted her again; next time I will wait." in response.content
    assert not Reflection.objects.exists()


def test_it_returns_the_invalid_form_as_a_partial_for_htmx(auth_client, relationship):
    response = auth_client.post(URL, valid_data(relationship, text=""), HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert_partial(response)
    assert not Reflection.objects.exists()
