from datetime import timedelta
from http import HTTPStatus

import pytest

from journal.models import Profile, Relationship
from journal.views import ONBOARDING_SESSION_KEY
from tests.journal.conftest import days_ago, today
from tests.journal.helpers import assert_login_redirect, assert_partial

URL = "/journal/welcome/"
SKIP_URL = "/journal/welcome/skip/"

WHO = {"name": "Mika", "kind": "partner"}
WHAT = {
    "breach_cause": "lie",
    "breach_date": days_ago(5).isoformat(),
    "breach_description": "I hid the debt.",
}
TRUST = {"starting_trust": "2"}


def answer(client, who=WHO, what=WHAT, trust=TRUST):
    """Post the steps given (None skips one), as a browser would."""
    response = None
    for step, data in (("who", who), ("what", what), ("trust", trust)):
        if data is not None:
            response = client.post(f"{URL}?step={step}", data)
    return response


def current_step(client):
    return client.get(URL).context["step"]


def test_a_new_user_on_the_dashboard_lands_in_onboarding(auth_client):
    response = auth_client.get("/dashboard/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == URL


def test_it_starts_with_who(auth_client):
    response = auth_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    assert response.context["step"] == "who"
    assert b'name="name"' in response.content


def test_it_walks_through_three_steps(auth_client):
    response = auth_client.post(URL, WHO)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == URL
    assert current_step(auth_client) == "what"
    auth_client.post(URL, WHAT)
    assert current_step(auth_client) == "trust"
    assert not Relationship.objects.exists()

    response = auth_client.post(URL, TRUST)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == URL


def test_it_creates_the_relationship_at_the_end(auth_client, alice):
    answer(auth_client)
    relationship = Relationship.objects.get()
    assert relationship.owner == alice
    assert (relationship.name, relationship.kind, relationship.breach_cause) == (
        "Mika",
        "partner",
        "lie",
    )
    assert relationship.breach_date == days_ago(5)
    assert relationship.breach_description == "I hid the debt."
    assert relationship.starting_trust == 2
    assert ONBOARDING_SESSION_KEY not in auth_client.session


FIRST_LESSONS = {
    "partner": "what-broke-their-trust",
    "spouse": "self-trust-first",
    "myself": "self-trust-first",
    "work": "sincere-apology",
    "friend": "sincere-apology",
    "family": "sincere-apology",
}


def test_it_ends_on_the_first_lesson_for_the_kind(auth_client, lessons):
    answer(auth_client)
    response = auth_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    assert response.context["lesson"].slug == "what-broke-their-trust"
    assert b"/what-broke-their-trust/" in response.content
    assert b"?suggestion=" in response.content


def test_each_kind_has_its_recommended_first_lesson(auth_client, lessons, make_relationship):
    for kind, slug in FIRST_LESSONS.items():
        Relationship.objects.all().delete()
        make_relationship(kind=kind)
        assert auth_client.get(URL).context["lesson"].slug == slug, kind


def test_the_first_lesson_page_offers_a_first_promise(auth_client, lessons):
    answer(auth_client)
    relationship = Relationship.objects.get()
    response = auth_client.get(URL)
    assert f"relationship={relationship.pk}".encode() in response.content
    assert f"/dashboard/{relationship.pk}/".encode() in response.content


def test_it_resumes_where_the_user_left_off(auth_client):
    answer(auth_client, trust=None)
    auth_client.get("/guides/")
    response = auth_client.get("/dashboard/")
    assert response.url == URL
    assert current_step(auth_client) == "trust"


def test_answers_wait_in_the_session(auth_client):
    answer(auth_client, what=None, trust=None)
    assert auth_client.session[ONBOARDING_SESSION_KEY]["who"] == WHO
    assert current_step(auth_client) == "what"


def test_back_shows_the_earlier_answer(auth_client):
    answer(auth_client, trust=None)
    response = auth_client.get(f"{URL}?step=who")
    assert response.context["step"] == "who"
    assert b'value="Mika"' in response.content


def test_going_back_and_changing_an_answer(auth_client):
    answer(auth_client, trust=None)
    auth_client.post(f"{URL}?step=who", {"name": "Mika-chan", "kind": "spouse"})
    assert current_step(auth_client) == "trust"
    auth_client.post(URL, TRUST)
    assert Relationship.objects.get().name == "Mika-chan"


def test_it_does_not_jump_ahead(auth_client):
    response = auth_client.get(f"{URL}?step=trust")
    assert response.context["step"] == "who"
    response = auth_client.post(f"{URL}?step=trust", TRUST)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["step"] == "who"
    assert not Relationship.objects.exists()


def test_it_ignores_an_unknown_step(auth_client):
    assert auth_client.get(f"{URL}?step=admin").context["step"] == "who"


@pytest.mark.parametrize(
    "step, data, typed",
    [
        ("who", {"name": "", "kind": "partner"}, None),
        ("who", {"name": "Mika", "kind": "stranger"}, b'value="Mika"'),
        ("who", {"name": "M" * 101, "kind": "partner"}, b"M" * 101),
        ("what", {**WHAT, "breach_cause": "gremlins"}, b"I hid the debt."),
        ("what", {**WHAT, "breach_date": "2999-01-01"}, b"I hid the debt."),
        ("what", {**WHAT, "breach_date": "1850-01-01"}, b"I hid the debt."),
        ("trust", {"starting_trust": "11"}, None),
        ("trust", {"starting_trust": "-3"}, None),
        ("trust", {"starting_trust": "lots"}, None),
        ("trust", {"starting_trust": ""}, None),
    ],
)
def test_it_rejects_bad_input(auth_client, step, data, typed):
    steps = {"who": (None, None, None), "what": (WHO, None, None), "trust": (WHO, WHAT, None)}
    answer(auth_client, *steps[step])
    before = dict(auth_client.session.get(ONBOARDING_SESSION_KEY, {}))
    response = auth_client.post(f"{URL}?step={step}", data)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["step"] == step
    assert b"errorlist" in response.content
    if typed:
        assert typed in response.content
    assert dict(auth_client.session.get(ONBOARDING_SESSION_KEY, {})) == before
    assert not Relationship.objects.exists()


def test_the_breach_date_cannot_be_in_the_future(auth_client):
    answer(auth_client, what=None, trust=None)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = auth_client.post(URL, {**WHAT, "breach_date": tomorrow})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_a_stale_answer_is_asked_again(auth_client):
    answer(auth_client, trust=None)
    session = auth_client.session
    session[ONBOARDING_SESSION_KEY]["what"]["breach_date"] = "1800-01-01"
    session.save()
    response = auth_client.post(URL, TRUST, follow=True)
    assert b"Something in your answers needs another look." in response.content
    assert response.context["step"] == "who"
    assert not Relationship.objects.exists()
    assert ONBOARDING_SESSION_KEY not in auth_client.session


def test_a_double_submit_of_the_last_step_creates_one_relationship(auth_client):
    answer(auth_client)
    response = auth_client.post(URL, TRUST)
    assert response.status_code == HTTPStatus.OK
    assert Relationship.objects.count() == 1


def test_it_shows_the_first_lesson_page_once_a_relationship_exists(auth_client, relationship):
    response = auth_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    assert response.context["relationship"] == relationship


def test_it_requires_login(client, db):
    assert_login_redirect(client.get(URL), URL)
    assert_login_redirect(client.post(URL, WHO), URL)
    assert_login_redirect(client.post(SKIP_URL), SKIP_URL)


def test_it_rejects_wrong_method(auth_client, alice):
    assert auth_client.put(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert auth_client.get(SKIP_URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert not Profile.objects.filter(onboarding_finished=True).exists()


def test_it_returns_partial_for_htmx(auth_client):
    response = auth_client.get(URL, HTTP_HX_REQUEST="true")
    assert_partial(response)
    assert b'id="onboarding-step"' in response.content


def test_it_moves_to_the_next_step_over_htmx(auth_client):
    response = auth_client.post(URL, WHO, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == URL
    assert current_step(auth_client) == "what"


def test_it_returns_errors_as_a_partial_for_htmx(auth_client):
    response = auth_client.post(URL, {"name": "", "kind": "partner"}, HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert_partial(response)


def test_skipping_leads_to_the_empty_dashboard(auth_client, alice):
    answer(auth_client, what=None, trust=None)
    response = auth_client.post(SKIP_URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/dashboard/"
    assert Profile.objects.get(user=alice).onboarding_finished
    assert ONBOARDING_SESSION_KEY not in auth_client.session

    response = auth_client.get("/dashboard/")
    assert response.status_code == HTTPStatus.OK
    assert b"Your dashboard" in response.content
    assert b"Add a relationship" in response.content
    assert b"onboarding-step" not in response.content


def test_skipping_only_affects_the_caller(stranger_client, alice, charlie):
    stranger_client.post(SKIP_URL)
    assert Profile.for_user(charlie).onboarding_finished
    assert not Profile.for_user(alice).onboarding_finished
