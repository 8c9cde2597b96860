"""Ownership, proven for every URL: the tables below must name every route the app serves.

A route that takes an id, slug or token is in OBJECT_ROUTES, with how to build alice's
object for it and what kind of route it is; every other route is in PLAIN_ROUTES,
public or login-required. A route in neither makes test_every_route_is_known fail.
The admin site is covered as a whole: it is staff-only by construction.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLResolver, get_resolver, reverse
from django.utils.http import int_to_base36

from guides.models import LessonProgress
from journal.models import Profile
from tests.conftest import PASSWORD
from tests.security.conftest import (
    assert_unchanged,
    htmx_headers,
    is_login_redirect,
    owned_model_labels,
    today,
    user_rows,
)

USER_DATA = "user data"  # a stranger gets 404, an anonymous visitor is sent to log in
PUBLIC_CONTENT = "public content"  # anyone can read it
PUBLIC_CONTENT_ACTION = "public content, login to act"  # acting on it changes only your rows
TOKEN = "token"  # the secret in the URL is the key; a wrong one gets nothing
LOGIN_REQUIRED = "login required"
PUBLIC = "public"
ADMIN_NAMESPACE = "admin"


def no_data(world):
    return {}


@dataclass(frozen=True)
class Route:
    kind: str
    methods: tuple
    kwargs: object = no_data
    data: object = no_data
    notes: str = field(default="", compare=False)


def relationship_pk(world):
    return {"pk": world.relationship.pk}


def promise_pk(world):
    return {"pk": world.promise.pk}


def kept_promise_pk(world):
    return {"pk": world.kept_promise.pk}


def lesson_slugs(world):
    return {"guide_slug": world.content.guide.slug, "lesson_slug": world.content.lesson.slug}


def relationship_data(world):
    return {
        "name": "Changed by someone",
        "kind": "friend",
        "breach_cause": "lie",
        "breach_date": (today() - timedelta(days=9)).isoformat(),
        "breach_description": "",
        "starting_trust": "5",
    }


def promise_data(world):
    return {
        "relationship": world.relationship.pk,
        "text": "Changed by someone",
        "due_date": today().isoformat(),
        "size": "large",
        "note": "",
    }


def reflection_data(world):
    return {"relationship": world.relationship.pk, "date": today().isoformat(), "text": "Changed"}


OBJECT_ROUTES = {
    "relationship_dashboard": Route(USER_DATA, ("GET",), relationship_pk),
    "journal:relationship": Route(USER_DATA, ("GET",), relationship_pk),
    "journal:relationship_edit": Route(
        USER_DATA, ("GET", "POST"), relationship_pk, relationship_data
    ),
    "journal:relationship_archive": Route(USER_DATA, ("POST",), relationship_pk),
    "journal:relationship_delete": Route(USER_DATA, ("GET", "POST"), relationship_pk),
    "journal:breach_new": Route(
        USER_DATA,
        ("GET", "POST"),
        relationship_pk,
        lambda w: {"date": today().isoformat(), "cause": "lie", "description": "x"},
    ),
    "journal:checkin_new": Route(
        USER_DATA, ("POST",), relationship_pk, lambda w: {"felt_trust": "9"}
    ),
    "journal:checkin_delete": Route(USER_DATA, ("POST",), lambda w: {"pk": w.checkin.pk}),
    "journal:promise_edit": Route(USER_DATA, ("GET", "POST"), promise_pk, promise_data),
    "journal:promise_delete": Route(USER_DATA, ("GET", "POST"), promise_pk),
    "journal:promise_status": Route(
        USER_DATA, ("POST",), promise_pk, lambda w: {"status": "broken"}
    ),
    "journal:promise_undo": Route(USER_DATA, ("POST",), kept_promise_pk),
    "journal:reflection_edit": Route(
        USER_DATA, ("GET", "POST"), lambda w: {"pk": w.reflection.pk}, reflection_data
    ),
    "journal:reflection_delete": Route(
        USER_DATA, ("GET", "POST"), lambda w: {"pk": w.reflection.pk}
    ),
    "guides:guide": Route(PUBLIC_CONTENT, ("GET",), lambda w: {"guide_slug": w.content.guide.slug}),
    "guides:lesson": Route(PUBLIC_CONTENT, ("GET",), lesson_slugs),
    "guides:lesson_progress": Route(
        PUBLIC_CONTENT_ACTION, ("POST",), lesson_slugs, lambda w: {"status": "done"}
    ),
    "journal:calendar_feed": Route(TOKEN, ("GET",), lambda w: {"token": w.profile.calendar_token}),
    "account_confirm_email": Route(TOKEN, ("GET", "POST"), lambda w: {"key": "not-a-real-key"}),
    "account_reset_password_from_key": Route(
        TOKEN,
        ("GET", "POST"),
        lambda w: {"uidb36": int_to_base36(w.user.pk), "key": "set-by-someone-else"},
        lambda w: {"password1": "a-new-long-password-9", "password2": "a-new-long-password-9"},
    ),
}

PLAIN_ROUTES = {
    "home": Route(PUBLIC, ("GET",)),
    "dashboard": Route(LOGIN_REQUIRED, ("GET",)),
    "set_language": Route(PUBLIC, ("POST",), data=lambda w: {"language": "ja"}),
    "guides:list": Route(PUBLIC, ("GET",)),
    "journal:index": Route(LOGIN_REQUIRED, ("GET",)),
    "journal:onboarding": Route(
        LOGIN_REQUIRED, ("GET", "POST"), data=lambda w: {"name": "Sam", "kind": "partner"}
    ),
    "journal:onboarding_skip": Route(LOGIN_REQUIRED, ("POST",)),
    "journal:settings": Route(
        LOGIN_REQUIRED,
        ("GET", "POST"),
        data=lambda w: {
            "time_zone": "Asia/Tokyo",
            "language": "ja",
            "reminder_hour": "8",
            "calendar_alarm": "morning",
            "calendar_detail": "neutral",
        },
    ),
    "journal:set_timezone": Route(
        LOGIN_REQUIRED, ("POST",), data=lambda w: {"time_zone": "Asia/Tokyo"}
    ),
    "journal:calendar_renew": Route(LOGIN_REQUIRED, ("POST",)),
    "journal:relationship_new": Route(LOGIN_REQUIRED, ("GET", "POST"), data=relationship_data),
    "journal:promise_new": Route(LOGIN_REQUIRED, ("GET", "POST"), data=promise_data),
    "journal:reflection_new": Route(LOGIN_REQUIRED, ("GET", "POST"), data=reflection_data),
    "journal:export": Route(LOGIN_REQUIRED, ("GET",)),
    "journal:import": Route(LOGIN_REQUIRED, ("GET", "POST")),
    "journal:delete_account": Route(
        LOGIN_REQUIRED, ("GET", "POST"), data=lambda w: {"password": PASSWORD}
    ),
    "account_login": Route(PUBLIC, ("GET", "POST")),
    "account_logout": Route(PUBLIC, ("GET", "POST"), notes="anonymous: sent home"),
    "account_inactive": Route(PUBLIC, ("GET",)),
    "account_signup": Route(PUBLIC, ("GET", "POST")),
    "account_reauthenticate": Route(LOGIN_REQUIRED, ("GET", "POST")),
    "account_email": Route(LOGIN_REQUIRED, ("GET", "POST")),
    "account_email_verification_sent": Route(PUBLIC, ("GET",)),
    "account_change_password": Route(
        LOGIN_REQUIRED,
        ("GET", "POST"),
        data=lambda w: {"oldpassword": PASSWORD, "password1": "x-9-long-pass", "password2": "x"},
    ),
    "account_set_password": Route(LOGIN_REQUIRED, ("GET", "POST")),
    "account_reset_password": Route(PUBLIC, ("GET", "POST")),
    "account_confirm_login_code": Route(PUBLIC, ("GET", "POST"), notes="login by code is off"),
    "account_reset_password_done": Route(PUBLIC, ("GET",)),
    "account_reset_password_from_key_done": Route(PUBLIC, ("GET",)),
}

ALL_ROUTES = {**OBJECT_ROUTES, **PLAIN_ROUTES}


def walk(resolver=None, prefix="", namespace="", has_arguments=False):
    """(name, pattern, takes arguments) for every route, through every include."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        arguments = has_arguments or bool(
            getattr(pattern, "converters", None) or pattern.regex.groups
        )
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from walk(entry, prefix + str(pattern), inner, arguments)
            continue
        name = ":".join(part for part in (namespace, entry.name) if part)
        if not entry.name:
            name = f"{name}:{prefix}{pattern}"
        yield name, prefix + str(pattern), arguments


def app_routes():
    return [route for route in walk() if route[0].split(":")[0] != ADMIN_NAMESPACE]


PATTERNS = {name: pattern for name, pattern, _arguments in app_routes()}


def admin_routes():
    return [route for route in walk() if route[0].split(":")[0] == ADMIN_NAMESPACE]


FORM = "application/x-www-form-urlencoded"


def names(kind):
    return sorted(name for name, route in ALL_ROUTES.items() if route.kind == kind)


def send(client, method, url, data=None, htmx=False):
    headers = htmx_headers(htmx)
    if method == "GET":
        return client.get(url, **headers)
    if method == "POST":
        return client.post(url, data or {}, **headers)
    return client.generic(method, url, urlencode(data or {}, doseq=True), FORM, **headers)


def other_methods(route):
    return [method for method in ("GET", "POST") if method not in route.methods]


def test_every_route_is_known():
    unknown = [
        f"{name} ({pattern}) -> add to {'OBJECT_ROUTES' if arguments else 'PLAIN_ROUTES'}"
        for name, pattern, arguments in app_routes()
        if name not in ALL_ROUTES
    ]
    assert not unknown, "Routes without ownership coverage:\n" + "\n".join(unknown)


def test_no_route_is_listed_that_does_not_exist():
    served = {name for name, _pattern, _arguments in app_routes()}
    assert sorted(set(ALL_ROUTES) - served) == []


def test_routes_with_arguments_are_in_the_object_table():
    misplaced = [
        name
        for name, _pattern, arguments in app_routes()
        if name in ALL_ROUTES and (name in OBJECT_ROUTES) != arguments
    ]
    assert misplaced == []


def test_the_snapshot_covers_every_model_of_user_data():
    """user_rows() finds user data by following foreign keys; it must reach the journal."""
    labels = owned_model_labels()
    for label in [
        "auth.User",
        "account.EmailAddress",
        "journal.Profile",
        "journal.Relationship",
        "journal.Breach",
        "journal.Promise",
        "journal.StatusChange",
        "journal.Reflection",
        "journal.CheckIn",
        "guides.LessonProgress",
    ]:
        assert label in labels


@pytest.mark.parametrize("name", names(USER_DATA))
def test_a_stranger_gets_404_and_changes_nothing(
    name, world, stranger_world, stranger_client, auth_client
):
    route = OBJECT_ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    before = user_rows(world.user)
    for method in ("GET", "POST", "PUT", "DELETE"):
        for htmx in (False, True):
            response = send(stranger_client, method, url, route.data(world), htmx)
            allowed = {HTTPStatus.NOT_FOUND}
            if method not in route.methods:
                allowed.add(HTTPStatus.METHOD_NOT_ALLOWED)
            assert response.status_code in allowed, (method, htmx, response.status_code)
            assert world.relationship.name not in response.content.decode()
    assert_unchanged(before, user_rows(world.user), f"{name} by a stranger")

    # The same requests by alice reach her object: the 404 above was ownership, not a bad URL.
    for method in route.methods:
        response = send(auth_client, method, url, route.data(world))
        assert response.status_code not in (HTTPStatus.NOT_FOUND, HTTPStatus.METHOD_NOT_ALLOWED)
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR


@pytest.mark.parametrize("name", names(USER_DATA) + names(LOGIN_REQUIRED))
def test_an_anonymous_visitor_is_sent_to_log_in(name, world, client):
    route = ALL_ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    before = user_rows(world.user)
    for method in route.methods:
        for htmx in (False, True):
            response = send(client, method, url, route.data(world), htmx)
            assert is_login_redirect(response, url), (method, htmx, response.status_code)
    for method in other_methods(route):
        response = send(client, method, url, route.data(world))
        assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED or is_login_redirect(
            response, url
        )
    assert_unchanged(before, user_rows(world.user), f"{name} by an anonymous visitor")


@pytest.mark.parametrize("name", names(LOGIN_REQUIRED))
def test_a_logged_in_user_reaches_login_required_routes(name, world, auth_client):
    """The redirect above is the login check, not a route that always redirects."""
    route = PLAIN_ROUTES[name]
    response = send(auth_client, route.methods[0], reverse(name), route.data(world))
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR
    assert not is_login_redirect(response)


@pytest.mark.parametrize("name", [n for n in names(USER_DATA) if "<int:pk>" in PATTERNS[n]])
def test_a_missing_or_absurd_id_is_404(name, world, auth_client):
    route = OBJECT_ROUTES[name]
    for pk in (0, 2**31, 2**63, 10**30):
        url = reverse(name, kwargs={"pk": pk})
        for method in route.methods:
            response = send(auth_client, method, url, route.data(world))
            assert response.status_code == HTTPStatus.NOT_FOUND, pk


@pytest.mark.parametrize("name", names(PUBLIC_CONTENT))
def test_public_content_is_readable_by_anyone(name, world, client, stranger_client):
    route = OBJECT_ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    for reader in (client, stranger_client):
        for htmx in (False, True):
            assert send(reader, "GET", url, htmx=htmx).status_code == HTTPStatus.OK
    wrong = {key: "no-such-slug" for key in route.kwargs(world)}
    assert client.get(reverse(name, kwargs=wrong)).status_code == HTTPStatus.NOT_FOUND


def test_lesson_progress_needs_login_and_changes_only_your_own(
    world, stranger_world, client, stranger_client
):
    route = OBJECT_ROUTES["guides:lesson_progress"]
    url = reverse("guides:lesson_progress", kwargs=route.kwargs(world))
    before = user_rows(world.user)
    for htmx in (False, True):
        assert is_login_redirect(send(client, "POST", url, {"status": "done"}, htmx), url)
    assert client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    response = stranger_client.post(url, {"status": "done"})
    assert response.status_code == HTTPStatus.FOUND
    assert_unchanged(before, user_rows(world.user), "lesson progress by a stranger")
    assert LessonProgress.objects.get(user=stranger_world.user).status == "done"


def test_the_calendar_feed_opens_only_with_the_right_token(
    world, stranger_world, client, stranger_client
):
    url = reverse("journal:calendar_feed", args=[world.profile.calendar_token])
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/calendar")
    token = world.profile.calendar_token
    wrong_tokens = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        token.upper() if token.upper() != token else token.lower(),
        token[:-1],
        "x",
        "%00",
        stranger_world.profile.calendar_token + "x",
    ]
    for wrong in wrong_tokens:
        for reader in (client, stranger_client):
            path = f"/journal/calendar/{wrong}.ics"
            assert reader.get(path).status_code == HTTPStatus.NOT_FOUND, wrong
    own = reverse("journal:calendar_feed", args=[stranger_world.profile.calendar_token])
    alices = {"relationship": world.relationship.pk}
    assert stranger_client.get(own, alices).status_code == HTTPStatus.NOT_FOUND
    assert client.post(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_a_renewed_calendar_token_locks_out_the_old_one(world, client, auth_client):
    old = reverse("journal:calendar_feed", args=[world.profile.calendar_token])
    auth_client.post(reverse("journal:calendar_renew"))
    assert client.get(old).status_code == HTTPStatus.NOT_FOUND
    new_token = Profile.objects.get(user=world.user).calendar_token
    response = client.get(reverse("journal:calendar_feed", args=[new_token]))
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("name", ["account_confirm_email", "account_reset_password_from_key"])
def test_a_made_up_account_key_gives_nothing(name, world, client, stranger_client):
    route = OBJECT_ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    before = user_rows(world.user)
    for visitor in (client, stranger_client):
        for method in route.methods:
            response = send(visitor, method, url, route.data(world))
            assert response.status_code in (HTTPStatus.OK, HTTPStatus.NOT_FOUND)
            assert world.user.email not in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert_unchanged(before, user_rows(world.user), name)
    assert get_user_model().objects.get(pk=world.user.pk).check_password(PASSWORD)


def test_every_object_route_kind_has_a_test():
    tested = {
        USER_DATA: test_a_stranger_gets_404_and_changes_nothing,
        PUBLIC_CONTENT: test_public_content_is_readable_by_anyone,
        PUBLIC_CONTENT_ACTION: test_lesson_progress_needs_login_and_changes_only_your_own,
    }
    token_routes = {
        "journal:calendar_feed",
        "account_confirm_email",
        "account_reset_password_from_key",
    }
    for name, route in OBJECT_ROUTES.items():
        assert route.kind in tested or name in token_routes, name
    assert names(PUBLIC_CONTENT_ACTION) == ["guides:lesson_progress"]
    assert set(names(TOKEN)) == token_routes


@pytest.mark.parametrize("name", names(PUBLIC))
def test_public_routes_need_no_login(name, client, db):
    route = PLAIN_ROUTES[name]
    for method in route.methods:
        response = send(client, method, reverse(name), route.data(None))
        assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND), method
        assert not is_login_redirect(response)


def _admin_url(name, pattern, user_pk):
    special = {"admin:app_list": "/admin/auth/"}
    if name in special:
        return special[name]
    if "(?P<url>" in pattern:
        return "/admin/no-such-page/"
    return "/" + re.sub(r"<[^>]+>", str(user_pk), pattern)


def test_the_admin_site_is_closed_to_visitors_and_users(world, client, stranger_client):
    """Every admin route, the model pages included, sends non-staff users to the admin login."""
    routes = admin_routes()
    assert len(routes) > 10
    before = user_rows(world.user)
    for name, pattern, _arguments in routes:
        url = _admin_url(name, pattern, world.user.pk)
        for visitor in (client, stranger_client):
            for method in ("GET", "POST"):
                response = send(visitor, method, url)
                if name == "admin:login":
                    assert response.status_code == HTTPStatus.OK
                    continue
                assert response.status_code == HTTPStatus.FOUND, (url, method)
                assert response["Location"].startswith("/admin/"), url
                assert world.user.email not in response.content.decode()
    assert_unchanged(before, user_rows(world.user), "admin")


def test_a_stranger_can_not_point_a_form_at_alices_rows(world, stranger_world, stranger_client):
    """Ids of alice's rows smuggled into charlie's own forms are refused, not used."""
    before = user_rows(world.user)
    charlie = stranger_world
    attempts = [
        ("journal:promise_new", {}, {**promise_data(world), "relationship": world.relationship.pk}),
        (
            "journal:promise_edit",
            {"pk": charlie.promise.pk},
            {**promise_data(charlie), "relationship": world.relationship.pk},
        ),
        ("journal:reflection_new", {}, reflection_data(world)),
        (
            "journal:reflection_new",
            {},
            {**reflection_data(charlie), "promise": world.promise.pk},
        ),
        (
            "journal:reflection_edit",
            {"pk": charlie.reflection.pk},
            {**reflection_data(charlie), "promise": world.promise.pk},
        ),
    ]
    for name, kwargs, data in attempts:
        for htmx in (False, True):
            response = send(stranger_client, "POST", reverse(name, kwargs=kwargs), data, htmx)
            assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, name
            assert "valid choice" in response.content.decode()
    for query in (
        {"relationship": world.relationship.pk},
        {"promise": world.promise.pk},
    ):
        url = reverse("journal:reflection_new")
        assert stranger_client.get(url, query).status_code == HTTPStatus.NOT_FOUND
    url = reverse("journal:promise_new")
    response = stranger_client.get(url, {"relationship": world.relationship.pk})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert_unchanged(before, user_rows(world.user), "smuggled ids")
