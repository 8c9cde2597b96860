from http import HTTPStatus

from journal.models import StatusChange
from tests.journal.conftest import today
from tests.journal.helpers import assert_login_redirect, assert_partial


def url(promise):
    return f"/journal/promises/{promise.pk}/undo/"


def transitions():
    return list(StatusChange.objects.order_by("pk").values_list("from_status", "to_status"))


def test_it_undoes_a_mis_click(auth_client, alice, promise, relationship):
    promise.set_status("kept", by=alice)
    response = auth_client.post(url(promise))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == relationship.get_absolute_url()
    promise.refresh_from_db()
    assert promise.status == "open"
    assert promise.resolved_on is None
    assert transitions() == [("open", "kept"), ("kept", "open")]
    assert StatusChange.objects.latest("pk").actor == alice


def test_it_returns_to_the_previous_status(auth_client, alice, promise):
    promise.set_status("kept", by=alice)
    promise.set_status("broken", by=alice)
    auth_client.post(url(promise))
    promise.refresh_from_db()
    assert promise.status == "kept"
    assert promise.resolved_on == today()
    assert transitions()[-1] == ("broken", "kept")


def test_it_does_nothing_without_history(auth_client, promise):
    response = auth_client.post(url(promise))
    assert response.status_code == HTTPStatus.FOUND
    promise.refresh_from_db()
    assert promise.status == "open"
    assert not StatusChange.objects.exists()


def test_it_requires_login(client, alice, promise):
    promise.set_status("kept", by=alice)
    assert_login_redirect(client.post(url(promise)), url(promise))
    promise.refresh_from_db()
    assert promise.status == "kept"


def test_it_checks_ownership(stranger_client, alice, promise):
    promise.set_status("kept", by=alice)
    assert stranger_client.post(url(promise)).status_code == HTTPStatus.NOT_FOUND
    promise.refresh_from_db()
    assert promise.status == "kept"
    assert StatusChange.objects.count() == 1


def test_it_checks_ownership_from_the_dashboard_too(stranger_client, alice, promise):
    promise.set_status("kept", by=alice)
    data = {"from": "dashboard", "range": "30"}
    response = stranger_client.post(url(promise), data, HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.NOT_FOUND
    promise.refresh_from_db()
    assert promise.status == "kept"
    assert StatusChange.objects.count() == 1


def test_it_rejects_wrong_method(auth_client, alice, promise):
    promise.set_status("kept", by=alice)
    assert auth_client.get(url(promise)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    promise.refresh_from_db()
    assert promise.status == "kept"


def test_it_returns_partial_for_htmx(auth_client, alice, promise):
    promise.set_status("broken", by=alice)
    response = auth_client.post(url(promise), HTTP_HX_REQUEST="true")
    assert_partial(response)
    assert b"Marked as open again." in response.content
    assert f"/journal/promises/{promise.pk}/status/".encode() in response.content
