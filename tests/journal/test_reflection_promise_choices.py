"""Which promises a reflection form offers: the recent and open ones, never five years of them.

Any of the user's own promises is still a valid answer (a link from an old promise, a
reflection about one, a form sent back with an error): that one is offered too, chosen."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils.formats import date_format

from journal.forms import PROMISES_OFFERED, RECENT_PROMISE_DAYS
from journal.models import Promise, Reflection
from tests.journal.conftest import days_ago, today

NEW_URL = "/journal/reflections/new/"


def promise_select(response):
    page = response.content.decode()
    return re.search(r'<select name="promise".*?</select>', page, re.S).group(0)


def offered(response):
    """The promise ids offered, in order, with the chosen one's."""
    select = promise_select(response)
    options = re.findall(r'<option value="(\d*)"( selected)?', select)
    return [int(value) for value, _ in options if value], [
        int(value) for value, chosen in options if value and chosen
    ]


def kept(promise, on):
    promise.status, promise.resolved_on = "kept", on
    promise.save()
    return promise


@pytest.fixture
def old_kept(make_promise):
    return kept(make_promise(text="Long ago", due_date=days_ago(400)), days_ago(400))


def test_it_offers_the_recent_and_the_open_promises(auth_client, make_promise, old_kept):
    recent = kept(make_promise(text="Last week", due_date=days_ago(6)), days_ago(6))
    edge = make_promise(text="Edge", due_date=days_ago(RECENT_PROMISE_DAYS))
    upcoming = make_promise(text="Next week", due_date=today() + timedelta(days=7))
    still_open = make_promise(text="Never done", due_date=days_ago(300))
    kept_late = kept(make_promise(text="Late", due_date=days_ago(60)), days_ago(2))
    too_old = RECENT_PROMISE_DAYS + 1
    too_old = kept(make_promise(due_date=days_ago(too_old)), days_ago(too_old))

    ids, chosen = offered(auth_client.get(NEW_URL))

    # the latest due first
    assert ids == [upcoming.pk, recent.pk, edge.pk, kept_late.pk, still_open.pk]
    assert chosen == []
    assert old_kept.pk not in ids and too_old.pk not in ids


def test_each_promise_is_named_with_its_due_date(auth_client, make_promise):
    make_promise(text="Call when I'm late", due_date=today())
    select = promise_select(auth_client.get(NEW_URL))
    assert f"Call when I&#x27;m late · due {date_format(today(), 'DATE_FORMAT')}" in select


def test_a_promise_asked_for_is_offered_and_chosen(auth_client, old_kept):
    ids, chosen = offered(auth_client.get(f"{NEW_URL}?promise={old_kept.pk}"))
    assert chosen == [old_kept.pk]
    assert ids == [old_kept.pk]


def test_a_reflection_about_an_old_promise_keeps_it(auth_client, relationship, old_kept):
    reflection = Reflection.objects.create(
        relationship=relationship, date=today(), text="Why it mattered", promise=old_kept
    )
    response = auth_client.get(f"/journal/reflections/{reflection.pk}/edit/")
    assert offered(response) == ([old_kept.pk], [old_kept.pk])


def test_an_old_promise_sent_with_an_error_stays_chosen(auth_client, relationship, old_kept):
    data = {"relationship": relationship.pk, "date": today().isoformat(), "text": ""}
    response = auth_client.post(NEW_URL, {**data, "promise": old_kept.pk})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert offered(response) == ([old_kept.pk], [old_kept.pk])


def test_any_own_promise_is_still_accepted(auth_client, relationship, old_kept):
    data = {"relationship": relationship.pk, "date": today().isoformat(), "text": "Looking back"}
    response = auth_client.post(NEW_URL, {**data, "promise": old_kept.pk})
    assert response.status_code == HTTPStatus.FOUND
    assert Reflection.objects.get().promise == old_kept


def test_several_relationships_are_offered_apart(auth_client, make_promise, make_relationship):
    boss = make_relationship(name="The boss", kind="work")
    sam_promise = make_promise(text="For Sam")
    boss_promise = make_promise(to=boss, text="For the boss")
    select = promise_select(auth_client.get(NEW_URL))
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    # in the order of the relationship list above it (the newest first)
    assert [(label, re.findall(r'value="(\d+)"', options)) for label, options in groups] == [
        ("The boss", [str(boss_promise.pk)]),
        ("Sam", [str(sam_promise.pk)]),
    ]


def test_no_more_than_a_list_can_show(auth_client, relationship):
    Promise.objects.bulk_create(
        Promise(relationship=relationship, text=f"Promise {n}", due_date=days_ago(n % 10))
        for n in range(PROMISES_OFFERED + 20)
    )
    ids, _chosen = offered(auth_client.get(NEW_URL))
    assert len(ids) == PROMISES_OFFERED


def test_no_one_elses_promise_is_offered(auth_client, make_promise, stranger_relationship):
    mine = make_promise()
    make_promise(to=stranger_relationship, text="Charlie's promise")
    assert offered(auth_client.get(NEW_URL))[0] == [mine.pk]


def test_a_stranger_asking_for_a_promise_gets_nothing(
    stranger_client, stranger_relationship, promise
):
    assert stranger_client.get(f"{NEW_URL}?promise={promise.pk}").status_code == 404
