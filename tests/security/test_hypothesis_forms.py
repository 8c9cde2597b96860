"""Generated form data for the promise, reflection, relationship and check-in forms.

Whatever Hypothesis sends: never a 500, and either the row is saved exactly as the
rules in expectations.py say, or the form is refused with nothing saved at all.
"""

from datetime import date, timedelta
from http import HTTPStatus
from types import SimpleNamespace

import pytest
from django.contrib.messages import ERROR
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from guides.models import Kind, Size
from journal.forms import CheckInForm, PromiseForm, RelationshipForm
from journal.models import BreachCause, CheckIn, Promise, Reflection, Relationship
from tests.security.conftest import all_user_rows, diff_rows, make_world, today
from tests.security.expectations import date_rule, form_rule, id_rule, text_rule

HYPOTHESIS = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any character a browser can send (lone surrogates can't be encoded as UTF-8).
CHARACTERS = st.characters(exclude_categories=("Cs",))


def usually(valid, other):
    """Valid six times in seven, so that whole valid submissions are common too."""
    return st.sampled_from([True] * 6 + [False]).flatmap(lambda ok: valid if ok else other)


def free_text(max_length):
    """Mostly short text; else padded with spaces, around the limit, or empty."""
    padded = st.tuples(st.sampled_from([" ", "\n", "\u3000", "\t "]), st.text(CHARACTERS)).map(
        lambda parts: parts[0] + parts[1] + parts[0]
    )
    near_limit = st.tuples(
        st.integers(max_length - 3, max_length + 3), st.text(CHARACTERS, min_size=1, max_size=4)
    ).map(lambda drawn: (drawn[1] * drawn[0])[: drawn[0]])
    return usually(
        st.text(CHARACTERS, min_size=1, max_size=40),
        st.one_of(padded, near_limit, st.just("")),
    )


def dates():
    """Mostly dates near today; else any date from 1850 to 2100, or junk."""
    return usually(
        st.integers(-40, 3).map(lambda days: (today() + timedelta(days=days)).isoformat()),
        st.one_of(
            st.dates(date(1850, 1, 1), date(2100, 12, 31)).map(date.isoformat),
            st.text(CHARACTERS, max_size=12),
        ),
    )


def numbers():
    return usually(
        st.integers(-2, 12).map(str),
        st.one_of(st.integers().map(str), st.text(CHARACTERS, max_size=4)),
    )


def choice_of(values):
    return usually(st.sampled_from(values), st.text(CHARACTERS, max_size=10))


ROW_REFERENCE = usually(st.just("own"), st.sampled_from(["stranger's", "missing", "junk", "none"]))


def reference(which, own, stranger):
    return {
        "own": str(own),
        "stranger's": str(stranger),
        "missing": "999999999",
        "junk": "1; DROP TABLE x",
        "none": "",
    }[which]


@pytest.fixture
def env(alice, charlie, content):
    client = Client()
    client.force_login(alice)
    return SimpleNamespace(
        alice=alice,
        world=make_world(alice, content),
        stranger=make_world(charlie, content),
        content=content,
        client=client,
    )


def expected_row(rules, data, env):
    """{field: value to store} if every field is valid, else None."""
    try:
        return {name: rule(data[key], env) for key, (name, rule) in rules.items()}
    except ValidationError:
        return None


def flashed_an_error(response):
    return any(m.level == ERROR for m in response.wsgi_request._messages._queued_messages)


def check_submission(env, url, data, rules, model, htmx=False):
    """Send it; then the response and the rows must agree with the rules."""
    expected = expected_row(rules, data, env)
    before = all_user_rows()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = env.client.post(url, data, **headers)
    after = all_user_rows()
    changes = diff_rows(before, after)
    added = [key for key in changes["added"] if key[0] == model._meta.label]
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR
    event("refused" if expected is None else "saved")
    if expected is None:
        # The check-in form, without htmx, goes back to the page with the error flashed.
        assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY or (
            response.status_code == HTTPStatus.FOUND and flashed_an_error(response)
        ), response.status_code
        assert before == after, changes
        return
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND), response.status_code
    assert len(added) == 1 and not changes["removed"], changes
    row = model.objects.filter(pk=added[0][1]).values().get()
    assert {name: row[name] for name in expected} == expected


PROMISE_RULES = {
    "relationship": ("relationship_id", id_rule(lambda env: {env.world.relationship.pk})),
    "text": ("text", text_rule(Promise, "text")),
    "due_date": ("due_date", date_rule(Promise, "due_date")),
    "size": ("size", form_rule(PromiseForm, "size", Promise)),
    "note": ("note", text_rule(Promise, "note")),
}


@HYPOTHESIS
@given(
    relationship=ROW_REFERENCE,
    text=free_text(300),
    due_date=dates(),
    size=choice_of(Size.values),
    note=free_text(2000),
)
def test_promise_form(env, relationship, text, due_date, size, note):
    data = {
        "relationship": reference(
            relationship, env.world.relationship.pk, env.stranger.relationship.pk
        ),
        "text": text,
        "due_date": due_date,
        "size": size,
        "note": note,
    }
    check_submission(env, "/journal/promises/new/", data, PROMISE_RULES, Promise)


REFLECTION_RULES = {
    "relationship": ("relationship_id", id_rule(lambda env: {env.world.relationship.pk})),
    "date": ("date", date_rule(Reflection, "date")),
    "text": ("text", text_rule(Reflection, "text")),
    "promise": (
        "promise_id",
        id_rule(lambda env: {env.world.promise.pk, env.world.kept_promise.pk}, required=False),
    ),
}


@HYPOTHESIS
@given(
    relationship=ROW_REFERENCE,
    day=dates(),
    text=free_text(20_000),
    promise=ROW_REFERENCE,
    htmx=st.booleans(),
)
def test_reflection_form(env, relationship, day, text, promise, htmx):
    data = {
        "relationship": reference(
            relationship, env.world.relationship.pk, env.stranger.relationship.pk
        ),
        "date": day,
        "text": text,
        "promise": reference(promise, env.world.promise.pk, env.stranger.promise.pk),
    }
    check_submission(
        env, "/journal/reflections/new/", data, REFLECTION_RULES, Reflection, htmx=htmx
    )


RELATIONSHIP_RULES = {
    "name": ("name", text_rule(Relationship, "name")),
    "kind": ("kind", form_rule(RelationshipForm, "kind", Relationship)),
    "breach_cause": ("breach_cause", form_rule(RelationshipForm, "breach_cause", Relationship)),
    "breach_date": ("breach_date", date_rule(Relationship, "breach_date")),
    "breach_description": ("breach_description", text_rule(Relationship, "breach_description")),
    "starting_trust": (
        "starting_trust",
        form_rule(RelationshipForm, "starting_trust", Relationship),
    ),
}


@HYPOTHESIS
@given(
    name=free_text(100),
    kind=choice_of(Kind.values),
    cause=choice_of(BreachCause.values),
    breach_date=dates(),
    description=free_text(2000),
    trust=numbers(),
    htmx=st.booleans(),
)
def test_relationship_form(env, name, kind, cause, breach_date, description, trust, htmx):
    data = {
        "name": name,
        "kind": kind,
        "breach_cause": cause,
        "breach_date": breach_date,
        "breach_description": description,
        "starting_trust": trust,
    }
    check_submission(
        env, "/journal/relationships/new/", data, RELATIONSHIP_RULES, Relationship, htmx=htmx
    )


CHECKIN_RULES = {
    "felt_trust": ("felt_trust", form_rule(CheckInForm, "felt_trust", CheckIn)),
    "note": ("note", text_rule(CheckIn, "note")),
}


@HYPOTHESIS
@given(trust=numbers(), note=free_text(500), htmx=st.booleans())
def test_checkin_form(env, trust, note, htmx):
    url = f"/journal/relationships/{env.world.relationship.pk}/check-ins/new/"
    data = {"felt_trust": trust, "note": note}
    check_submission(env, url, data, CHECKIN_RULES, CheckIn, htmx=htmx)
