"""Hostile input against every form and HTMX endpoint (corpus.py).

Each request changes one field of an otherwise valid submission. Outcome: a 4xx, or
an inline error; never a 500; nothing already saved changes; a value the app accepts
is stored exactly as the form means it; markup comes back escaped.

Every corpus value is sent to at least one text, one date and one number field, and
every endpoint gets every category, on every one of its fields; requests alternate
between normal and htmx. The plan is fixed (no randomness), so failures repeat.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from html import escape
from http import HTTPStatus
from types import SimpleNamespace
from urllib.parse import quote, quote_from_bytes, urlsplit

import pytest
from django.contrib.messages import ERROR
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from guides.models import Progress
from journal.forms import (
    BreachForm,
    CheckInForm,
    ProfileForm,
    PromiseForm,
    RelationshipForm,
    TrustNowForm,
    WhatHappenedForm,
    WhoForm,
)
from journal.models import (
    Breach,
    CheckIn,
    Profile,
    Promise,
    Reflection,
    Relationship,
    Status,
)
from tests.conftest import PASSWORD
from tests.security import corpus
from tests.security.conftest import (
    all_user_rows,
    assert_unchanged,
    bookkeeping_only,
    describe_changes,
    diff_rows,
    make_world,
    today,
)
from tests.security.expectations import (
    checkbox_rule,
    date_rule,
    form_rule,
    id_rule,
    last,
    one_of,
    text_rule,
    time_zone_rule,
)
from tests.security.test_ownership import ALL_ROUTES, send

TEXT, DATE, NUMBER, CHOICE, ID, FLAG, PARAM, SECRET, FILE = (
    "text",
    "date",
    "number",
    "choice",
    "id",
    "flag",
    "param",
    "secret",
    "file",
)
FORM = "application/x-www-form-urlencoded"
ERROR_MARKERS = ('class="errorlist', 'class="errors"', 'role="alert"')
NEW_PASSWORD = "another-long-pass-77"
FOREIGN_IDS = "foreign_ids"


@dataclass(frozen=True)
class Field:
    kind: str
    parse: object = None  # (raw, env) -> stored value; raises ValidationError if it must be refused
    attr: str = ""  # the column it lands in, for the round trip
    pair: str = ""  # a field that repeats it (password confirmation)
    may_404: bool = False  # a query parameter naming a row: a wrong one is a 404
    every: tuple = ()  # categories whose every value this field gets, not just one

    def __post_init__(self):
        if self.may_404 and not self.every:  # ids in query strings: try every odd number
            object.__setattr__(self, "every", ("numbers", FOREIGN_IDS))


def text(model, attr):
    return Field(TEXT, text_rule(model, attr), attr)


def date(model, attr):
    return Field(DATE, date_rule(model, attr), attr)


def number(form_class, name, model):
    return Field(NUMBER, form_rule(form_class, name, model), name)


def choice(form_class, name, model):
    return Field(CHOICE, form_rule(form_class, name, model), name)


def own_relationships(env):
    return set(Relationship.objects.filter(owner=env.alice).values_list("pk", flat=True))


def own_open_relationships(env):
    return set(
        Relationship.objects.filter(owner=env.alice, archived=False).values_list("pk", flat=True)
    )


def own_promises(env):
    return set(Promise.objects.filter(relationship__owner=env.alice).values_list("pk", flat=True))


def lessons(env):
    return {env.content.lesson.pk}


def prompts(env):
    return {env.content.prompt.pk}


NEXT = Field(PARAM)


# The endpoints ------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    url: object  # env -> url
    valid: object  # env -> the data of a valid submission
    fields: dict
    who: str = "alice"  # alice, olive (an empty account) or anonymous (a fresh visitor)
    method: str = "POST"
    target: object = None  # env -> a model (a new row) or an instance (the row edited)
    changes: tuple = ()  # labels of the models an accepted request may add to or change
    adds: tuple = ()  # labels of the models an accepted request may only add to
    prepare: object = None  # env -> None, run before each request
    after_accept: object = None  # (env, value) -> problem or None, run after an accepted one
    read_back: object = None  # (env, row) -> pages that show the saved row
    session_step: str = ""  # onboarding keeps answers in the session, not in rows
    silent: bool = False  # an invalid value is ignored, not refused (Django's set_language)
    sweep: bool = True  # share the run of every value through text, date and number fields
    extra: dict = field(default_factory=dict)


def relationship_valid(env):
    return {
        "name": "Sam",
        "kind": "partner",
        "breach_cause": "lie",
        "breach_date": (today() - timedelta(days=20)).isoformat(),
        "breach_description": "",
        "starting_trust": "3",
        "next": "/journal/",
    }


RELATIONSHIP_FIELDS = {
    "name": text(Relationship, "name"),
    "kind": choice(RelationshipForm, "kind", Relationship),
    "breach_cause": choice(RelationshipForm, "breach_cause", Relationship),
    "breach_date": date(Relationship, "breach_date"),
    "breach_description": text(Relationship, "breach_description"),
    "starting_trust": number(RelationshipForm, "starting_trust", Relationship),
    "next": NEXT,
}


def promise_valid(env, promise=None):
    data = {
        "relationship": str(env.world.relationship.pk),
        "text": "Call when I'm late",
        "due_date": today().isoformat(),
        "size": "small",
        "note": "",
        "lesson": "",
        "next": "/journal/",
    }
    if promise is not None and promise.status != Status.OPEN:
        data["resolved_on"] = today().isoformat()
    return data


def promise_fields(edit=False):
    fields = {
        "relationship": Field(
            ID,
            id_rule(own_relationships if edit else own_open_relationships),
            "relationship_id",
        ),
        "text": text(Promise, "text"),
        "due_date": date(Promise, "due_date"),
        "size": choice(PromiseForm, "size", Promise),
        "note": text(Promise, "note"),
        "lesson": Field(ID, id_rule(lessons, required=False), "lesson_id"),
        "next": NEXT,
    }
    if edit:
        fields["resolved_on"] = date(Promise, "resolved_on")
    return fields


def reflection_valid(env):
    return {
        "relationship": str(env.world.relationship.pk),
        "date": today().isoformat(),
        "text": "I listened this time.",
        "prompt": str(env.content.prompt.pk),
        "promise": str(env.world.promise.pk),
        "next": "/journal/",
    }


REFLECTION_FIELDS = {
    "relationship": Field(ID, id_rule(own_relationships), "relationship_id"),
    "date": date(Reflection, "date"),
    "text": text(Reflection, "text"),
    "prompt": Field(ID, id_rule(prompts, required=False), "prompt_id"),
    "promise": Field(ID, id_rule(own_promises, required=False), "promise_id"),
    "next": NEXT,
}

ONBOARDING_ANSWERS = {
    "who": {"name": "Sam", "kind": "partner"},
    "what": {
        "breach_cause": "lie",
        "breach_date": (today() - timedelta(days=20)).isoformat(),
        "breach_description": "",
    },
    "trust": {"starting_trust": "3"},
}


def onboarding_at(step):
    """Olive has answered the steps before `step`, and has no relationship yet."""
    steps = list(ONBOARDING_ANSWERS)
    answered = steps[: steps.index(step)]

    def prepare(env):
        Relationship.objects.filter(owner=env.olive).delete()
        session = env.clients["olive"].session
        session["onboarding"] = {name: ONBOARDING_ANSWERS[name] for name in answered}
        session.save()

    return prepare


def relationship_pages(env, row):
    pk = row["id"]
    return [
        f"/journal/relationships/{pk}/",
        f"/journal/relationships/{pk}/edit/",
        f"/dashboard/{pk}/",
    ]


def promise_pages(env, row):
    rel = row["relationship_id"]
    return [
        f"/journal/promises/{row['id']}/edit/",
        f"/journal/relationships/{rel}/",
        f"/dashboard/{rel}/",
    ]


def reflection_pages(env, row):
    rel = row["relationship_id"]
    return [
        f"/journal/reflections/{row['id']}/edit/",
        f"/journal/relationships/{rel}/",
        f"/dashboard/{rel}/",
    ]


def child_pages(env, row):
    rel = row["relationship_id"]
    return [f"/journal/relationships/{rel}/", f"/dashboard/{rel}/"]


def restore_password(env, value):
    """A changed password must be exactly what was typed; then put alice's back."""
    alice = env.alice
    alice.refresh_from_db()
    problem = None if alice.check_password(last(value)) else "password not stored as typed"
    alice.set_password(PASSWORD)
    alice.save()
    env.clients["alice"].force_login(alice)
    return problem


def clear_rate_limits(env):
    cache.clear()


def reset_time_zone(env):
    Profile.objects.filter(user=env.alice).update(time_zone="")


def empty_olive(env):
    Relationship.objects.filter(owner=env.olive).delete()
    env.olive.lesson_progress.all().delete()


def import_document(env, **changes):
    """A valid export document for olive's empty account, with `changes` put in place."""
    relationship = {
        "name": "Sam",
        "kind": "partner",
        "breach_cause": "lie",
        "breach_date": (today() - timedelta(days=20)).isoformat(),
        "breach_description": "",
        "starting_trust": 3,
        "archived": False,
        "id": 1,
        "breaches": [],
        "promises": [
            {
                "text": "Call",
                "due_date": today().isoformat(),
                "size": "small",
                "status": "open",
                "resolved_on": None,
                "note": "",
                "id": 7,
                "lesson": None,
                "changes": [],
            }
        ],
        "reflections": [{"date": today().isoformat(), "text": "ok", "prompt": None, "promise": 7}],
        "checkins": [{"date": today().isoformat(), "felt_trust": 4, "note": ""}],
    }
    document = {
        "format": "trust-repair-export",
        "version": 1,
        "profile": {"time_zone": "", "language": "", "reminder_hour": 8},
        "relationships": [relationship],
        "lesson_progress": [],
    }
    for path, value in changes.items():
        place = document
        *steps, key = path.split(".")
        for step in steps:
            place = place[int(step)] if step.isdigit() else place[step]
        place[key] = value
    return document


IMPORT_PATHS = {
    "relationships.0.name": TEXT,
    "relationships.0.breach_date": DATE,
    "relationships.0.starting_trust": NUMBER,
    "relationships.0.kind": CHOICE,
    "relationships.0.promises.0.text": TEXT,
    "relationships.0.promises.0.due_date": DATE,
    "relationships.0.promises.0.status": CHOICE,
    "relationships.0.promises.0.lesson": ID,
    "relationships.0.reflections.0.prompt": ID,
    "relationships.0.reflections.0.promise": ID,
    "relationships.0.checkins.0.felt_trust": NUMBER,
    "profile.reminder_hour": NUMBER,
    "profile.time_zone": CHOICE,
}


def json_value(value, kind):
    """How a hostile value sits in a JSON document: numbers as JSON numbers when they parse."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if kind == NUMBER and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


ENDPOINTS = [
    Endpoint(
        "onboarding: who",
        "journal:onboarding",
        lambda env: "/journal/welcome/?step=who",
        lambda env: dict(ONBOARDING_ANSWERS["who"]),
        {"name": text(Relationship, "name"), "kind": choice(WhoForm, "kind", Relationship)},
        who="olive",
        prepare=onboarding_at("who"),
        session_step="who",
    ),
    Endpoint(
        "onboarding: what happened",
        "journal:onboarding",
        lambda env: "/journal/welcome/?step=what",
        lambda env: dict(ONBOARDING_ANSWERS["what"]),
        {
            "breach_cause": choice(WhatHappenedForm, "breach_cause", Relationship),
            "breach_date": date(Relationship, "breach_date"),
            "breach_description": text(Relationship, "breach_description"),
        },
        who="olive",
        prepare=onboarding_at("what"),
        session_step="what",
    ),
    Endpoint(
        "onboarding: trust",
        "journal:onboarding",
        lambda env: "/journal/welcome/?step=trust",
        lambda env: dict(ONBOARDING_ANSWERS["trust"]),
        {"starting_trust": number(TrustNowForm, "starting_trust", Relationship)},
        who="olive",
        prepare=onboarding_at("trust"),
        target=lambda env: Relationship,
        changes=("journal.Relationship",),
    ),
    Endpoint(
        "relationship new",
        "journal:relationship_new",
        lambda env: "/journal/relationships/new/",
        relationship_valid,
        RELATIONSHIP_FIELDS,
        target=lambda env: Relationship,
        changes=("journal.Relationship",),
        read_back=relationship_pages,
    ),
    Endpoint(
        "relationship edit",
        "journal:relationship_edit",
        lambda env: f"/journal/relationships/{env.world.relationship.pk}/edit/",
        relationship_valid,
        RELATIONSHIP_FIELDS,
        target=lambda env: env.world.relationship,
        changes=("journal.Relationship",),
        read_back=relationship_pages,
    ),
    Endpoint(
        "breach new",
        "journal:breach_new",
        lambda env: f"/journal/relationships/{env.world.relationship.pk}/breaches/new/",
        lambda env: {
            "date": today().isoformat(),
            "cause": "lie",
            "description": "",
            "next": "/journal/",
        },
        {
            "date": date(Breach, "date"),
            "cause": choice(BreachForm, "cause", Breach),
            "description": text(Breach, "description"),
            "next": NEXT,
        },
        target=lambda env: Breach,
        changes=("journal.Breach",),
        read_back=child_pages,
    ),
    Endpoint(
        "promise new",
        "journal:promise_new",
        lambda env: "/journal/promises/new/",
        promise_valid,
        promise_fields(),
        target=lambda env: Promise,
        changes=("journal.Promise",),
        read_back=promise_pages,
    ),
    Endpoint(
        "promise edit",
        "journal:promise_edit",
        lambda env: f"/journal/promises/{env.world.kept_promise.pk}/edit/",
        lambda env: promise_valid(env, env.world.kept_promise),
        promise_fields(edit=True),
        target=lambda env: env.world.kept_promise,
        changes=("journal.Promise",),
        read_back=promise_pages,
    ),
    Endpoint(
        "promise status",
        "journal:promise_status",
        lambda env: f"/journal/promises/{env.world.promise.pk}/status/",
        lambda env: {"status": "kept", "from": "dashboard", "range": "30", "next": "/journal/"},
        {
            "status": Field(CHOICE, one_of(Status.values), "status"),
            "from": Field(PARAM),
            "range": Field(PARAM),
            "next": NEXT,
        },
        target=lambda env: env.world.promise,
        changes=("journal.Promise", "journal.StatusChange"),
    ),
    Endpoint(
        "promise undo",
        "journal:promise_undo",
        lambda env: f"/journal/promises/{env.world.kept_promise.pk}/undo/",
        lambda env: {"from": "dashboard", "range": "30", "next": "/journal/"},
        {"from": Field(PARAM), "range": Field(PARAM), "next": NEXT},
        changes=("journal.Promise", "journal.StatusChange"),
    ),
    Endpoint(
        "reflection new",
        "journal:reflection_new",
        lambda env: "/journal/reflections/new/",
        reflection_valid,
        REFLECTION_FIELDS,
        target=lambda env: Reflection,
        changes=("journal.Reflection",),
        read_back=reflection_pages,
    ),
    Endpoint(
        "reflection edit",
        "journal:reflection_edit",
        lambda env: f"/journal/reflections/{env.world.reflection.pk}/edit/",
        reflection_valid,
        REFLECTION_FIELDS,
        target=lambda env: env.world.reflection,
        changes=("journal.Reflection",),
        read_back=reflection_pages,
    ),
    Endpoint(
        "check-in new",
        "journal:checkin_new",
        lambda env: f"/journal/relationships/{env.world.relationship.pk}/check-ins/new/",
        lambda env: {"felt_trust": "5", "note": "", "next": "/journal/"},
        {
            "felt_trust": number(CheckInForm, "felt_trust", CheckIn),
            "note": text(CheckIn, "note"),
            "next": NEXT,
        },
        target=lambda env: CheckIn,
        changes=("journal.CheckIn",),
        read_back=child_pages,
    ),
    Endpoint(
        "settings",
        "journal:settings",
        lambda env: "/journal/settings/",
        lambda env: {
            "time_zone": "Asia/Tokyo",
            "language": "en",
            "reminder_hour": "8",
            "calendar_alarm": "morning",
            "calendar_detail": "text_and_name",
        },
        {
            "time_zone": choice(ProfileForm, "time_zone", None),
            "language": choice(ProfileForm, "language", Profile),
            "reminders_enabled": Field(FLAG, checkbox_rule, "reminders_enabled"),
            "reminder_hour": number(ProfileForm, "reminder_hour", Profile),
            "calendar_alarm": choice(ProfileForm, "calendar_alarm", Profile),
            "calendar_detail": choice(ProfileForm, "calendar_detail", Profile),
        },
        target=lambda env: env.world.profile,
        changes=("journal.Profile",),
        read_back=lambda env, row: ["/journal/settings/"],
        sweep=False,  # its page lists every time zone: slow, and it has only one number
    ),
    Endpoint(
        "set time zone",
        "journal:set_timezone",
        lambda env: "/journal/settings/time-zone/",
        lambda env: {"time_zone": "Europe/Paris"},
        {"time_zone": Field(CHOICE, time_zone_rule, "time_zone")},
        target=lambda env: env.world.profile,
        changes=("journal.Profile",),
        prepare=reset_time_zone,
    ),
    Endpoint(
        "lesson progress",
        "guides:lesson_progress",
        lambda env: reverse(
            "guides:lesson_progress",
            args=[env.content.guide.slug, env.content.lesson.slug],
        ),
        lambda env: {"status": "done"},
        {"status": Field(CHOICE, one_of(Progress.values), "status")},
        target=lambda env: env.world.progress,
        changes=("guides.LessonProgress",),
    ),
    Endpoint(
        "switch language",
        "set_language",
        lambda env: "/i18n/setlang/",
        lambda env: {"language": "en", "next": "/journal/"},
        {"language": Field(CHOICE, one_of(["en", "ja"]), "language"), "next": NEXT},
        target=lambda env: env.world.profile,
        changes=("journal.Profile",),
        silent=True,
    ),
    Endpoint(
        "sign up",
        "account_signup",
        lambda env: "/accounts/signup/",
        lambda env: {
            "email": f"new-{env.next_number()}@example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        {
            "email": Field(PARAM),
            "password1": Field(SECRET, pair="password2"),
            "password2": Field(SECRET),
        },
        who="anonymous",
        prepare=clear_rate_limits,
        adds=("auth.User", "account.EmailAddress"),
    ),
    Endpoint(
        "log in",
        "account_login",
        lambda env: "/accounts/login/",
        lambda env: {"login": env.alice.email, "password": PASSWORD},
        {"login": Field(PARAM), "password": Field(SECRET)},
        who="anonymous",
        prepare=clear_rate_limits,
        changes=("auth.User",),
    ),
    Endpoint(
        "password change",
        "account_change_password",
        lambda env: "/accounts/password/change/",
        lambda env: {
            "oldpassword": PASSWORD,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        {
            "oldpassword": Field(SECRET),
            "password1": Field(SECRET, pair="password2"),
            "password2": Field(SECRET),
        },
        prepare=clear_rate_limits,
        changes=("auth.User",),
        after_accept=restore_password,
    ),
    Endpoint(
        "add an e-mail address",
        "account_email",
        lambda env: "/accounts/email/",
        lambda env: {"email": f"alias-{env.next_number()}@example.com", "action_add": ""},
        {"email": Field(PARAM)},
        prepare=clear_rate_limits,
        changes=("account.EmailAddress",),
    ),
    Endpoint(
        "reauthenticate",
        "account_reauthenticate",
        lambda env: "/accounts/reauthenticate/",
        lambda env: {"password": PASSWORD},
        {"password": Field(SECRET, one_of([PASSWORD]))},
        prepare=clear_rate_limits,
    ),
    Endpoint(
        "password reset",
        "account_reset_password",
        lambda env: "/accounts/password/reset/",
        lambda env: {"email": env.alice.email},
        {"email": Field(PARAM)},
        who="anonymous",
        prepare=clear_rate_limits,
    ),
    Endpoint(
        "delete account",
        "journal:delete_account",
        lambda env: "/journal/settings/delete-account/",
        lambda env: {"password": PASSWORD},
        {"password": Field(SECRET, one_of([PASSWORD]))},
    ),
    Endpoint(
        "import (the upload)",
        "journal:import",
        lambda env: "/journal/settings/import/",
        lambda env: {},
        {"file": Field(FILE)},
        who="olive",
        prepare=empty_olive,
    ),
    Endpoint(
        "import (the document's values)",
        "journal:import",
        lambda env: "/journal/settings/import/",
        lambda env: {},
        {path: Field(kind) for path, kind in IMPORT_PATHS.items()},
        who="olive",
        prepare=empty_olive,
        changes=(
            "journal.Profile",
            "journal.Relationship",
            "journal.Promise",
            "journal.Reflection",
            "journal.CheckIn",
        ),
        extra={"document": True},
    ),
    Endpoint(
        "relationship page (htmx sections)",
        "journal:relationship",
        lambda env: f"/journal/relationships/{env.world.relationship.pk}/",
        lambda env: {"section": "promises", "promises": "1", "reflections": "1", "checkins": "1"},
        {
            "section": Field(PARAM),
            "promises": Field(PARAM),
            "reflections": Field(PARAM),
            "checkins": Field(PARAM),
        },
        method="GET",
    ),
    Endpoint(
        "dashboard (htmx chart)",
        "relationship_dashboard",
        lambda env: f"/dashboard/{env.world.relationship.pk}/",
        lambda env: {"range": "30", "part": "chart"},
        {"range": Field(PARAM), "part": Field(PARAM)},
        method="GET",
    ),
    Endpoint(
        "promise form from a suggestion",
        "journal:promise_new",
        lambda env: "/journal/promises/new/",
        lambda env: {
            "suggestion": str(env.content.suggestion.pk),
            "relationship": str(env.world.relationship.pk),
        },
        {"suggestion": Field(PARAM, may_404=True), "relationship": Field(PARAM, may_404=True)},
        method="GET",
    ),
    Endpoint(
        "reflection form from a prompt",
        "journal:reflection_new",
        lambda env: "/journal/reflections/new/",
        lambda env: {
            "prompt": str(env.content.prompt.pk),
            "promise": str(env.world.promise.pk),
            "relationship": str(env.world.relationship.pk),
        },
        {
            "prompt": Field(PARAM, may_404=True),
            "promise": Field(PARAM, may_404=True),
            "relationship": Field(PARAM, may_404=True),
        },
        method="GET",
    ),
    Endpoint(
        "guide list filter",
        "guides:list",
        lambda env: "/guides/",
        lambda env: {"kind": "partner"},
        {"kind": Field(PARAM)},
        method="GET",
    ),
    Endpoint(
        "calendar feed filter",
        "journal:calendar_feed",
        lambda env: f"/journal/calendar/{env.world.profile.calendar_token}.ics",
        lambda env: {"relationship": str(env.world.relationship.pk)},
        {"relationship": Field(PARAM, may_404=True)},
        who="anonymous",
        method="GET",
    ),
]
ENDPOINTS_BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}


# The plan: which value goes to which field ----------------------------------------------

VALUES = corpus.all_values()
CATEGORY_NAMES = [*corpus.CATEGORIES, FOREIGN_IDS]


def _category_values(category):
    if category == FOREIGN_IDS:
        return [(FOREIGN_IDS, index) for index in range(len(corpus.FOREIGN_IDS))]
    return [(category, value) for value in corpus.CATEGORIES[category]]


def _key(value):
    return repr(value)


def build_plan():
    """{endpoint name: [(field, (category, value))]}, fixed and spread over the corpus.

    First every field of every endpoint gets one value of every category (and some
    fields every value of a category); then every value not yet sent to a text, a date
    or a number field is, round robin.
    """
    plan = {endpoint.name: [] for endpoint in ENDPOINTS}
    covered = set()
    turn = 0
    for endpoint in ENDPOINTS:
        for field_name, spec in endpoint.fields.items():
            for category in CATEGORY_NAMES:
                members = _category_values(category)
                entry = members[turn % len(members)]
                turn += 1
                plan[endpoint.name].append((field_name, entry))
                if not endpoint.extra:
                    covered.add((_key(entry[1]), spec.kind))
    for endpoint in ENDPOINTS:
        for field_name, spec in endpoint.fields.items():
            planned = {_key(entry[1]) for name, entry in plan[endpoint.name] if name == field_name}
            for category in spec.every:
                for entry in _category_values(category):
                    if _key(entry[1]) not in planned:
                        plan[endpoint.name].append((field_name, entry))
    form_fields = {
        kind: [
            (endpoint.name, name)
            for endpoint in ENDPOINTS
            if endpoint.sweep and not endpoint.extra
            for name, spec in endpoint.fields.items()
            if spec.kind == kind
        ]
        for kind in (TEXT, DATE, NUMBER)
    }
    for index, entry in enumerate(VALUES):
        for kind, places in form_fields.items():
            if (_key(entry[1]), kind) in covered:
                continue
            endpoint_name, field_name = places[index % len(places)]
            plan[endpoint_name].append((field_name, entry))
            covered.add((_key(entry[1]), kind))
    return plan


PLAN = build_plan()


# Running one request ---------------------------------------------------------------------


def encode(data):
    """A urlencoded body: lists as repeated fields, bytes percent-encoded raw."""
    pairs = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            encoded = quote_from_bytes(item) if isinstance(item, bytes) else quote(str(item))
            pairs.append(f"{quote(name)}={encoded}")
    return "&".join(pairs)


def strings(value):
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return [value] if isinstance(value, str) else []


def is_markup(value):
    return len(value) >= 4 and any(char in value for char in "<>\"'")


def error_shown(response):
    """An inline error in the page, or an error flashed by this request for the next page."""
    content = response.content.decode(errors="replace")
    if any(marker in content for marker in ERROR_MARKERS):
        return True
    flashed = response.wsgi_request._messages._queued_messages
    return any(message.level == ERROR for message in flashed)


def leaves_the_site(location):
    """Where a browser would go: it drops leading controls and reads backslashes as slashes."""
    target = urlsplit(location.lstrip("".join(map(chr, range(33)))).replace("\\", "/"))
    return target.netloc not in ("", "testserver") or target.scheme not in ("", "http", "https")


def submit(env, endpoint, data, htmx):
    client = env.clients[endpoint.who] if endpoint.who != "anonymous" else Client()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    url = endpoint.url(env)
    if endpoint.method == "GET":
        return client.get(f"{url}{'&' if '?' in url else '?'}{encode(data)}", **headers)
    if endpoint.extra.get("document"):
        body = json.dumps(import_document(env, **data), allow_nan=True).encode()
        upload = SimpleUploadedFile("export.json", body, "application/json")
        return client.post(url, {"file": upload}, **headers)
    if "file" in endpoint.fields:
        content = data["file"]
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogatepass")
        elif isinstance(content, list):
            return client.post(url, {"file": content}, **headers)
        upload = SimpleUploadedFile("export.json", content, "application/json")
        return client.post(url, {"file": upload}, **headers)
    # A browser always sends the CSRF field, so a form post is never empty.
    body = encode({"csrfmiddlewaretoken": "x", **data})
    return client.post(url, body, content_type=FORM, **headers)


def resolve(env, entry):
    category, value = entry
    if category == FOREIGN_IDS:
        return corpus.FOREIGN_IDS[value](env.charlie_world)
    return value


def run_case(env, endpoint, field_name, entry, htmx):
    """Problems found sending one value to one field ([] when all is well)."""
    spec = endpoint.fields[field_name]
    value = resolve(env, entry)
    label = f"{endpoint.name} · {field_name} · {entry[0]} · {value!r:.80} · htmx={htmx}"
    if endpoint.prepare:
        endpoint.prepare(env)
        env.rows = None
    data = endpoint.valid(env)
    if endpoint.extra.get("document"):
        data = {field_name: json_value(value, spec.kind)}
    else:
        data[field_name] = value
        if spec.pair:
            data[spec.pair] = value
    before = env.rows or all_user_rows()
    env.rows = None
    try:
        response = submit(env, endpoint, data, htmx)
    except Exception as error:  # the test client re-raises what would be a 500
        return [f"{label}: server error {error!r:.300}"]
    if response.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return [f"{label}: status {response.status_code}"]
    after = env.rows = all_user_rows()
    case = SimpleNamespace(
        env=env,
        endpoint=endpoint,
        spec=spec,
        field_name=field_name,
        value=value,
        response=response,
        before=before,
        after=after,
        changes=diff_rows(before, after),
    )
    problems = [f"{label}: {problem}" for problem in _safe_response(case)]
    if endpoint.method == "GET":
        judge = _judge_read
    elif _refused(response) or endpoint.silent and not _is_valid(case):
        judge = _judge_refusal
    else:
        judge = _judge_acceptance
    return problems + [f"{label}: {problem}" for problem in judge(case)]


def _safe_response(case):
    """Markup is never echoed raw; redirects never leave the site."""
    response = case.response
    if response.get("Content-Type", "").startswith("text/html"):
        content = response.content.decode(errors="replace")
        for item in strings(case.value):
            if is_markup(item) and item in content:
                yield "the raw value is in the page, unescaped"
    for header in ("Location", "HX-Redirect"):
        if header in response and leaves_the_site(response[header]):
            yield f"{header} leaves the site: {response[header]!r:.100}"
    if response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY and not error_shown(response):
        yield "422 without a visible error message"


def _refused(response):
    status = response.status_code
    if HTTPStatus.BAD_REQUEST <= status < HTTPStatus.INTERNAL_SERVER_ERROR:
        return True
    return status in (HTTPStatus.OK, HTTPStatus.FOUND) and error_shown(response)


def _expected(case):
    """(must it be accepted, what must be stored), by the field's rule; (None, None) if none."""
    if case.spec.parse is None:
        return None, None
    try:
        return True, case.spec.parse(last(case.value), case.env)
    except ValidationError:
        return False, None


def _is_valid(case):
    return _expected(case)[0] is not False


def _judge_read(case):
    allowed = {HTTPStatus.OK} | ({HTTPStatus.NOT_FOUND} if case.spec.may_404 else set())
    if case.response.status_code not in allowed:
        yield f"status {case.response.status_code}"
    if case.before != case.after:
        yield f"a GET changed rows {case.changes}"


def _judge_refusal(case):
    valid, _stored = _expected(case)
    if case.before != case.after:
        yield f"refused, yet rows changed {case.changes}"
    if valid and not case.endpoint.silent:
        yield f"a valid value was refused (status {case.response.status_code})"


def _judge_acceptance(case):
    env, endpoint, spec, changes = case.env, case.endpoint, case.spec, case.changes
    valid, expected = _expected(case)
    if valid is False:
        yield f"an invalid value was accepted (status {case.response.status_code})"
    added = {key[0] for key in changes["added"]}
    changed = {
        key[0] for key in changes["changed"] if not bookkeeping_only(case.before, case.after, key)
    }
    if (
        changes["removed"]
        or not added <= {*endpoint.changes, *endpoint.adds}
        or not changed <= set(endpoint.changes)
    ):
        yield (
            f"accepted, but changed more than it should {changes}"
            f" {describe_changes(case.before, case.after)}"
        )
    if endpoint.session_step:
        draft = env.clients[endpoint.who].session.get("onboarding", {})
        stored = draft.get(endpoint.session_step, {}).get(case.field_name)
        if stored != last(case.value):
            yield f"the answer kept is {stored!r:.80}"
    row = _target_row(env, endpoint, changes)
    if spec.attr and endpoint.target is not None:
        if row is None:
            yield f"accepted, but no row was saved {changes}"
        elif row[spec.attr] != expected:
            yield f"stored {row[spec.attr]!r:.80}, expected {expected!r:.80}"
    if endpoint.after_accept:
        env.rows = None
        problem = endpoint.after_accept(env, case.value)
        if problem:
            yield problem
    if row is not None and endpoint.read_back and isinstance(expected, str) and is_markup(expected):
        yield from _read_back(env, endpoint, row, spec, expected)


def _target_row(env, endpoint, changes):
    """The row an accepted request saved, read through the ORM (so dates are dates)."""
    if endpoint.target is None:
        return None
    target = endpoint.target(env)
    model = target if isinstance(target, type) else type(target)
    if isinstance(target, type):
        added = [key[1] for key in changes["added"] if key[0] == model._meta.label]
        if len(added) != 1:
            return None
        pk = added[0]
    else:
        pk = target.pk
    return model._default_manager.filter(pk=pk).values().first()


def _read_back(env, endpoint, row, spec, expected):
    """Saved markup is shown escaped on every page that shows the row, and never raw."""
    shown = False
    for url in endpoint.read_back(env, row):
        response = env.clients["alice"].get(url)
        content = response.content.decode()
        if response.status_code != HTTPStatus.OK:
            yield f"{url} answered {response.status_code}"
        if expected in content:
            yield f"{url} shows the saved value unescaped"
        shown = shown or escape(expected) in content
    if spec.kind == TEXT and not shown:
        yield "the saved text is shown on none of its pages"


# The environment and the tests --------------------------------------------------------------


@pytest.fixture
def env(alice, charlie, user_factory, content):
    olive = user_factory("olive@example.com")
    Profile.for_user(olive)
    clients = {}
    for name, user in (("alice", alice), ("olive", olive)):
        clients[name] = Client()
        clients[name].force_login(user)
    counter = iter(range(1_000_000))
    return SimpleNamespace(
        alice=alice,
        olive=olive,
        rows=None,
        world=make_world(alice, content),
        charlie_world=make_world(charlie, content),
        content=content,
        clients=clients,
        next_number=lambda: next(counter),
    )


def test_the_corpus_is_big_and_varied():
    assert len(VALUES) >= 300
    assert len(corpus.CATEGORIES) >= 12


def test_every_value_reaches_a_text_a_date_and_a_number_field():
    reached = {}
    for endpoint in ENDPOINTS:
        if endpoint.extra:
            continue
        for field_name, entry in PLAN[endpoint.name]:
            kind = endpoint.fields[field_name].kind
            reached.setdefault(_key(entry[1]), set()).add(kind)
    for _category, value in VALUES:
        assert {TEXT, DATE, NUMBER} <= reached[_key(value)], value


def test_every_field_of_every_endpoint_gets_every_category():
    for endpoint in ENDPOINTS:
        for field_name in endpoint.fields:
            categories = {entry[0] for name, entry in PLAN[endpoint.name] if name == field_name}
            assert categories == set(CATEGORY_NAMES), (endpoint.name, field_name)


def test_every_form_route_has_an_endpoint_here():
    """New forms must join the corpus run: every route that takes a POST is listed above."""
    posted = {name for name, route in ALL_ROUTES.items() if "POST" in route.methods}
    without_input = {
        "journal:relationship_archive",
        "journal:relationship_delete",
        "journal:checkin_delete",
        "journal:promise_delete",
        "journal:reflection_delete",
        "journal:onboarding_skip",
        "journal:calendar_renew",
        "account_logout",
        "account_confirm_email",
        "account_reset_password_from_key",
        "account_set_password",
        "account_confirm_login_code",
    }
    covered = {endpoint.route for endpoint in ENDPOINTS}
    assert sorted(posted - without_input - covered) == []


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.name for endpoint in ENDPOINTS])
def test_hostile_input_never_breaks_it(endpoint, env):
    problems = []
    for number, (field_name, entry) in enumerate(PLAN[endpoint.name]):
        problems += run_case(env, endpoint, field_name, entry, htmx=number % 2 == 1)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_the_pages_still_render_with_hostile_rows_saved(env):
    """Rows full of markup, control characters and long text, shown everywhere they appear."""
    world = env.world
    nasty = [
        value
        for category in ("xss", "control", "unicode")
        for value in corpus.CATEGORIES[category]
        if isinstance(value, str) and "\x00" not in value
    ]
    for index, value in enumerate(nasty):
        Promise.objects.create(
            relationship=world.relationship, text=value[:300] or "x", due_date=today(), note=value
        )
        Reflection.objects.create(relationship=world.relationship, date=today(), text=value or "x")
        if index % 10 == 0:
            CheckIn.objects.create(
                relationship=world.relationship, date=today(), felt_trust=3, note=value[:500]
            )
    Relationship.objects.filter(pk=world.relationship.pk).update(
        name="<script>alert(1)</script>\u202e", breach_description=corpus.XSS[2]
    )
    Profile.objects.filter(user=env.alice).update(calendar_detail="text_and_name")
    rel = world.relationship.pk
    pages = [
        f"/journal/relationships/{rel}/",
        f"/journal/relationships/{rel}/?section=promises&promises=2",
        f"/journal/relationships/{rel}/?section=reflections&reflections=2",
        f"/dashboard/{rel}/",
        f"/dashboard/{rel}/?range=all",
        "/journal/",
        "/journal/settings/",
        f"/journal/promises/{world.promise.pk}/edit/",
        "/journal/reflections/new/",
        "/journal/promises/new/",
    ]
    client = env.clients["alice"]
    for url in pages:
        for htmx in (False, True):
            response = send(client, "GET", url, htmx=htmx)
            assert response.status_code == HTTPStatus.OK, url
            content = response.content.decode()
            for value in filter(is_markup, corpus.XSS):
                assert value not in content, (url, value)
    feed = Client().get(f"/journal/calendar/{world.profile.calendar_token}.ics")
    assert feed.status_code == HTTPStatus.OK
    assert feed["Content-Type"].startswith("text/calendar")
    export = client.get("/journal/settings/export/")
    assert export.status_code == HTTPStatus.OK


def _route_url(name, env):
    return reverse(name, kwargs=ALL_ROUTES[name].kwargs(env.world))


POSTED_ROUTES = sorted(name for name, route in ALL_ROUTES.items() if "POST" in route.methods)


@pytest.mark.parametrize("name", POSTED_ROUTES)
def test_a_post_without_the_csrf_token_is_refused(name, env):
    route = ALL_ROUTES[name]
    logged_in, anonymous = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    logged_in.force_login(env.alice)
    before = all_user_rows()
    for client in (logged_in, anonymous):
        for htmx in (False, True):
            response = send(client, "POST", _route_url(name, env), route.data(env.world), htmx)
            assert response.status_code == HTTPStatus.FORBIDDEN, htmx
    assert_unchanged(before, all_user_rows(), name)


@pytest.mark.parametrize("name", sorted(ALL_ROUTES))
def test_other_methods_are_refused(name, env):
    """The app's views answer 405. allauth's form views read PUT as a POST with no data
    (Django's FormView does): harmless, so for those only "no 500, nothing changed"."""
    route = ALL_ROUTES[name]
    client = env.clients["alice"]
    before = all_user_rows()
    for method in ("PUT", "PATCH", "DELETE", "GET", "POST"):
        if method in route.methods:
            continue
        response = send(client, method, _route_url(name, env), route.data(env.world))
        if name.startswith("account_"):
            assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, method
        else:
            assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED, method
    assert_unchanged(before, all_user_rows(), name)


MALFORMED_HTMX_HEADERS = [
    {"HTTP_HX_REQUEST": "maybe"},
    {"HTTP_HX_REQUEST": ""},
    {"HTTP_HX_REQUEST": "TRUE"},
    {"HTTP_HX_REQUEST": "true, true"},
    {
        "HTTP_HX_REQUEST": "true",
        "HTTP_HX_TARGET": "<script>alert(1)</script>",
        "HTTP_HX_CURRENT_URL": "javascript:alert(document.cookie)",
        "HTTP_HX_TRIGGER": "'><svg onload=alert(1)>",
        "HTTP_HX_TRIGGER_NAME": '"><img src=x onerror=alert(1)>',
        "HTTP_HX_PROMPT": "<b>yes</b>",
        "HTTP_HX_BOOSTED": "maybe",
    },
    {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "//evil.example/" + "x" * 5000},
    {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"},
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.name for endpoint in ENDPOINTS])
def test_malformed_htmx_headers_break_nothing(endpoint, env):
    """Junk in the htmx headers: never a 500, never echoed raw, and only "true" means htmx."""
    field_name = next(iter(endpoint.fields))
    for headers in MALFORMED_HTMX_HEADERS:
        if endpoint.prepare:
            endpoint.prepare(env)
        data = endpoint.valid(env)
        if not endpoint.extra:
            data[field_name] = ""
        client = env.clients[endpoint.who] if endpoint.who != "anonymous" else Client()
        before = all_user_rows()
        url = endpoint.url(env)
        if endpoint.method == "GET":
            response = client.get(url, data, **headers)
        elif endpoint.extra or "file" in endpoint.fields:
            response = client.post(url, {}, **headers)
        else:
            response = client.post(url, data, **headers)
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR
        content = response.content.decode(errors="replace")
        for value in headers.values():
            assert not (is_markup(value) and value in content), value
        if response.status_code in (HTTPStatus.OK, HTTPStatus.UNPROCESSABLE_ENTITY):
            is_page = "<html" in content
            htmx = headers.get("HTTP_HX_REQUEST") == "true"
            if response["Content-Type"].startswith("text/html") and not htmx:
                assert is_page, (endpoint.name, headers)
        if endpoint.name not in ("promise status", "promise undo", "log in", "sign up"):
            assert_unchanged(before, all_user_rows(), f"{endpoint.name} {headers}")


HOSTILE_FILES = {
    "empty": b"",
    "not json": b"hello",
    "json, not an export": b'{"format": "something-else", "version": 1}',
    "a list": b"[1, 2, 3]",
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "deep nesting in an object": b'{"format": "trust-repair-export", "version": 1, "profile": '
    + b'{"a": ' * 50_000
    + b"1"
    + b"}" * 50_000
    + b"}",
    "NaN and Infinity": b'{"format": "trust-repair-export", "version": NaN, "profile": Infinity}',
    "invalid UTF-8": b'{"format": "trust-repair-export\xff", "version": 1}',
    "UTF-16": '{"format": "trust-repair-export", "version": 1}'.encode("utf-16"),
    "a zip without export.json": "zip:other.json",
    "an encrypted zip": "zip:encrypted",
    "a zip of an unknown compression": "zip:unknown-method",
    "a zip with corrupt data": "zip:corrupt",
    "a zip whose export.json is binary": "zip:binary",
    "a broken zip": b"PK\x03\x04" + b"\x00" * 100,
    "version true": b'{"format": "trust-repair-export", "version": true, "relationships": 7}',
    "huge number": b'{"format": "trust-repair-export", "version": 1' + b"0" * 5000 + b"}",
}


def hostile_zip(kind):
    """A zip archive that is wrong in one way (zipfile can't write these, so bytes are patched)."""
    document = json.dumps({"format": "trust-repair-export", "version": 1}).encode() * 50
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if kind == "other.json":
            archive.writestr("other.json", document)
        elif kind == "binary":
            archive.writestr("export.json", bytes(range(256)) * 10)
        else:
            archive.writestr("export.json", document)
    raw = bytearray(buffer.getvalue())
    local, central = 0, raw.index(b"PK\x01\x02")
    if kind == "encrypted":  # general purpose flag, bit 0
        raw[local + 6] |= 1
        raw[central + 8] |= 1
    elif kind == "unknown-method":  # compression method 99 (AES)
        raw[local + 8 : local + 10] = (99).to_bytes(2, "little")
        raw[central + 10 : central + 12] = (99).to_bytes(2, "little")
    elif kind == "corrupt":
        start = local + 30 + len("export.json")
        raw[start : start + 20] = b"\xff" * 20
    return bytes(raw)


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_import_refuses_hostile_files(name, env):
    content = HOSTILE_FILES[name]
    if isinstance(content, str):
        content = hostile_zip(content.removeprefix("zip:"))
    client = env.clients["olive"]
    before = all_user_rows()
    upload = SimpleUploadedFile("export.json", content, "application/json")
    response = client.post("/journal/settings/import/", {"file": upload})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert error_shown(response)
    assert_unchanged(before, all_user_rows(), name)
