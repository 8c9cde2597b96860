from http import HTTPStatus

import pytest

from journal.models import StatusChange
from tests.journal.conftest import today
from tests.journal.helpers import assert_login_redirect, assert_partial


def url(promise):
    return f"/journal/promises/{promise.pk}/status/"


@pytest.mark.parametrize("status", ["kept", "broken"])
def test_it_resolves_a_promise(auth_client, alice, promise, relationship, status):
    response = auth_client.post(url(promise), {"status": status})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == relationship.get_absolute_url()
    promise.refresh_from_db()
    assert promise.status == status
    assert promise.resolved_on == today()
    assert promise.resolved_at is not None
    change = StatusChange.objects.get()
    assert (change.promise, change.actor, change.from_status, change.to_status) == (
        promise,
        alice,
        "open",
        status,
    )


def test_it_reopens_a_promise(auth_client, alice, promise):
    promise.set_status("broken", by=alice)
    auth_client.post(url(promise), {"status": "open"})
    promise.refresh_from_db()
    assert promise.status == "open"
    assert promise.resolved_on is None
    assert promise.resolved_at is None
    changes = list(StatusChange.objects.values_list("from_status", "to_status"))
    assert changes == [("open", "broken"), ("broken", "open")]


def test_it_corrects_kept_to_broken(auth_client, promise):
    auth_client.post(url(promise), {"status": "kept"})
    auth_client.post(url(promise), {"status": "broken"})
    promise.refresh_from_db()
    assert promise.status == "broken"
    assert StatusChange.objects.latest("pk").from_status == "kept"


def test_a_double_submit_records_one_change(auth_client, promise):
    auth_client.post(url(promise), {"status": "kept"})
    response = auth_client.post(url(promise), {"status": "kept"})
    assert response.status_code == HTTPStatus.FOUND
    promise.refresh_from_db()
    assert promise.status == "kept"
    assert StatusChange.objects.count() == 1


def test_it_follows_a_local_next(auth_client, promise):
    response = auth_client.post(url(promise), {"status": "kept", "next": "/journal/"})
    assert response.url == "/journal/"


def test_it_ignores_an_offsite_next(auth_client, promise, relationship):
    response = auth_client.post(url(promise), {"status": "kept", "next": "//evil.example/x"})
    assert response.url == relationship.get_absolute_url()


@pytest.mark.parametrize("status", ["", "done", "KEPT", "kept "])
def test_it_rejects_an_unknown_status(auth_client, promise, status):
    response = auth_client.post(url(promise), {"status": status})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    promise.refresh_from_db()
    assert promise.status == "open"
    assert not StatusChange.objects.exists()


def test_it_rejects_a_missing_status(auth_client, promise):
    assert auth_client.post(url(promise)).status_code == HTTPStatus.BAD_REQUEST


def test_it_requires_login(client, promise):
    assert_login_redirect(client.post(url(promise), {"status": "kept"}), url(promise))
    promise.refresh_from_db()
    assert promise.status == "open"


def test_it_checks_ownership(stranger_client, promise):
    response = stranger_client.post(url(promise), {"status": "kept"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    promise.refresh_from_db()
    assert promise.status == "open"
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize("status", ["kept", "done"])
def test_it_checks_ownership_from_the_dashboard_too(stranger_client, promise, status):
    data = {"status": status, "from": "dashboard", "range": "30"}
    response = stranger_client.post(url(promise), data, HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.NOT_FOUND
    promise.refresh_from_db()
    assert promise.status == "open"
    assert not StatusChange.objects.exists()


def test_it_handles_a_missing_promise(auth_client, db):
    response = auth_client.post("/journal/promises/999999/status/", {"status": "kept"})
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_it_rejects_wrong_method(auth_client, promise):
    assert auth_client.get(url(promise)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    promise.refresh_from_db()
    assert promise.status == "open"


def test_it_returns_partial_for_htmx(auth_client, promise):
    response = auth_client.post(url(promise), {"status": "kept"}, HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.OK
    assert_partial(response)
    content = response.content.decode()
    assert content.lstrip().startswith("<li")
    assert f'id="promise-{promise.pk}"' in content
    assert "Marked as kept." in content
    assert f"/journal/promises/{promise.pk}/undo/" in content


def test_it_rejects_a_bad_status_over_htmx_too(auth_client, promise):
    response = auth_client.post(url(promise), {"status": "maybe"}, HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.BAD_REQUEST
