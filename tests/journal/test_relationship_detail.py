from datetime import timedelta
from http import HTTPStatus

from tests.journal.conftest import today
from tests.journal.helpers import assert_login_redirect, assert_partial


def url(relationship):
    return f"/journal/relationships/{relationship.pk}/"


def test_it_works(auth_client, relationship, make_promise, make_reflection, make_checkin):
    make_promise(text="Be home by seven")
    make_reflection(text="Why I snapped at dinner")
    make_checkin(felt_trust=6)
    response = auth_client.get(url(relationship))
    assert response.status_code == HTTPStatus.OK
    assert b"Be home by seven" in response.content
    assert b"Why I snapped at dinner" in response.content
    assert b"6/10" in response.content


def test_it_lists_open_promises_first(auth_client, relationship, make_promise, alice):
    kept = make_promise(text="Already kept", due_date=relationship.breach_date)
    kept.set_status("kept", by=alice)
    make_promise(text="Still open")
    content = auth_client.get(url(relationship)).content.decode()
    assert content.index("Still open") < content.index("Already kept")


def test_it_paginates_promises(auth_client, relationship, make_promise):
    for n in range(25):
        make_promise(text=f"Promise number {n:02d}", due_date=today() + timedelta(days=n))
    first = auth_client.get(url(relationship)).content
    second = auth_client.get(url(relationship) + "?promises=2").content
    assert b"Promise number 00" in first
    assert b"Promise number 24" not in first
    assert b"Promise number 24" in second


def test_it_requires_login(client, relationship):
    assert_login_redirect(client.get(url(relationship)), url(relationship))


def test_it_checks_ownership(stranger_client, relationship, make_promise):
    make_promise(text="Alice's secret promise")
    response = stranger_client.get(url(relationship))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"Alice's secret promise" not in response.content
    response = stranger_client.get(url(relationship) + "?section=promises", HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_it_rejects_wrong_method(auth_client, relationship):
    assert auth_client.post(url(relationship)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_it_returns_partial_for_htmx(auth_client, relationship, make_promise, make_reflection):
    make_promise(text="Be home by seven")
    make_reflection(text="Why I snapped at dinner")
    response = auth_client.get(url(relationship) + "?section=promises", HTTP_HX_REQUEST="true")
    assert_partial(response)
    assert b'id="promises-section"' in response.content
    assert b"Be home by seven" in response.content
    assert b"Why I snapped at dinner" not in response.content


def test_it_returns_each_section_as_a_partial(auth_client, relationship, make_checkin):
    make_checkin(felt_trust=7)
    response = auth_client.get(url(relationship) + "?section=checkins", HTTP_HX_REQUEST="true")
    assert_partial(response)
    assert b'id="checkins-section"' in response.content
    assert b"7/10" in response.content


def test_it_ignores_an_unknown_section(auth_client, relationship):
    response = auth_client.get(url(relationship) + "?section=secrets", HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.OK
    assert b"<html" in response.content
