from datetime import timedelta
from http import HTTPStatus

import pytest

from journal.models import Breach
from tests.journal.conftest import days_ago
from tests.journal.helpers import assert_login_redirect, assert_partial, form_value


def url(relationship):
    return f"/journal/relationships/{relationship.pk}/breaches/new/"


def valid_data(**changes):
    return {
        "date": days_ago(1).isoformat(),
        "cause": "lie",
        "description": "Said I was at work.",
        **changes,
    }


def test_it_shows_the_form(auth_client, relationship):
    assert auth_client.get(url(relationship)).status_code == HTTPStatus.OK


def test_it_records_a_breach(auth_client, relationship):
    response = auth_client.post(url(relationship), valid_data())
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == relationship.get_absolute_url()
    breach = Breach.objects.get()
    assert breach.relationship == relationship
    assert breach.date == days_ago(1)


def test_it_lowers_the_score(auth_client, relationship):
    dashboard = f"/dashboard/{relationship.pk}/"
    before = auth_client.get(dashboard).context["score"]
    auth_client.post(url(relationship), valid_data())
    assert auth_client.get(dashboard).context["score"] < before


def test_it_requires_login(client, relationship):
    assert_login_redirect(client.get(url(relationship)), url(relationship))
    assert_login_redirect(client.post(url(relationship), valid_data()), url(relationship))
    assert not Breach.objects.exists()


def test_it_checks_ownership(stranger_client, relationship):
    assert stranger_client.get(url(relationship)).status_code == HTTPStatus.NOT_FOUND
    response = stranger_client.post(url(relationship), valid_data())
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not Breach.objects.exists()


def test_it_rejects_wrong_method(auth_client, relationship):
    assert auth_client.delete(url(relationship)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_it_returns_partial_for_htmx(auth_client, relationship):
    assert_partial(auth_client.get(url(relationship), HTTP_HX_REQUEST="true"))


@pytest.mark.parametrize(
    "field, value",
    [
        ("date", ""),
        ("date", timedelta(days=1)),
        ("date", "1899-12-31"),
        ("cause", ""),
        ("cause", "bad_luck"),
        ("description", "x" * 2001),
    ],
)
def test_it_rejects_bad_input(auth_client, relationship, field, value):
    response = auth_client.post(url(relationship), valid_data(**{field: form_value(value)}))
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b"errorlist" in response.content
    if field != "description":
        assert b"Said I was at work." in response.content
    assert not Breach.objects.exists()
