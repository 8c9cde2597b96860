"""A small world of data for the security tests: alice's rows, charlie's rows, one lesson."""

from datetime import timedelta
from functools import cache
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from guides.models import Guide, Lesson, LessonProgress, ReflectionPrompt, SuggestedPromise
from journal.models import Breach, CheckIn, Profile, Promise, Reflection, Relationship

LOGIN_URL = "/accounts/login/"


@pytest.fixture(autouse=True)
def _reset_time_zone():
    """The middleware activates the user's zone for the thread; don't let it leak across tests."""
    yield
    timezone.deactivate()


def today():
    return timezone.localdate()


def make_content():
    guide = Guide.objects.create(
        slug="trust-basics",
        position=1,
        source_file="000_trust.txt",
        audience=["everyone"],
        title_en="Trust basics",
        title_ja="信頼の基本",
        summary_en="What trust is.",
        summary_ja="信頼とは。",
    )
    text = {
        f"{name}_{lang}": name
        for name in ("summary", "key_points", "why", "dos", "donts")
        for lang in ("en", "ja")
    }
    lesson = Lesson.objects.create(
        guide=guide,
        slug="keep-promises",
        position=1,
        kinds=["everyone"],
        starts_path_for=["partner"],
        source_refs=["000#2"],
        title_en="Keep promises",
        title_ja="約束を守る",
        **text,
    )
    prompt = ReflectionPrompt.objects.create(
        lesson=lesson, position=1, text_en="What did you promise?", text_ja="何を約束した？"
    )
    suggestion = SuggestedPromise.objects.create(
        lesson=lesson, position=1, text_en="Call at nine", text_ja="九時に電話する"
    )
    return SimpleNamespace(guide=guide, lesson=lesson, prompt=prompt, suggestion=suggestion)


def make_world(user, content):
    """One of every row a user can own, so each route has something to point at."""
    relationship = Relationship.objects.create(
        owner=user,
        name=f"Partner of {user.username}",
        kind="partner",
        breach_cause="lie",
        breach_date=today() - timedelta(days=30),
        starting_trust=3,
    )
    promise = Promise.objects.create(
        relationship=relationship, text="Call when I'm late", due_date=today(), size="small"
    )
    kept = Promise.objects.create(
        relationship=relationship, text="Be home by six", due_date=today(), size="medium"
    )
    kept.set_status("kept", by=user)
    return SimpleNamespace(
        user=user,
        profile=Profile.for_user(user),
        relationship=relationship,
        breach=Breach.objects.create(
            relationship=relationship, date=today() - timedelta(days=3), cause="lie"
        ),
        promise=promise,
        kept_promise=kept,
        reflection=Reflection.objects.create(
            relationship=relationship,
            date=today(),
            text="I was defensive again.",
            prompt=content.prompt,
            promise=promise,
        ),
        checkin=CheckIn.objects.create(relationship=relationship, date=today(), felt_trust=4),
        progress=LessonProgress.objects.create(
            user=user, lesson=content.lesson, status="in_progress"
        ),
        content=content,
    )


@pytest.fixture
def content(db):
    return make_content()


@pytest.fixture
def world(alice, content):
    """Alice's data."""
    return make_world(alice, content)


@pytest.fixture
def stranger_world(charlie, content):
    """Charlie's data: its ids are the ones a stranger might smuggle."""
    return make_world(charlie, content)


@cache
def _owner_lookups():
    """For every model whose rows belong to a user, the lookups that lead from it to the user.

    Found by following foreign keys out from the user model, so a new model that
    holds user data is covered without anyone remembering to add it here.
    """
    user_model = get_user_model()
    lookups = {user_model: ["pk"]}
    for _depth in range(4):
        for model in apps.get_models():
            found = set(lookups.get(model, []))
            for field in model._meta.get_fields():
                if not (field.concrete and (field.many_to_one or field.one_to_one)):
                    continue
                target = field.related_model
                if target is user_model:
                    found.add(field.name)
                elif target in lookups:
                    found.update(f"{field.name}__{path}" for path in lookups[target])
            if found:
                lookups[model] = sorted(found)
    return lookups


def user_rows(*users):
    """Every row of these users' data, as {(model label, pk): values}: compare before and after."""
    rows = {}
    for model, paths in _owner_lookups().items():
        condition = Q()
        for path in paths:
            condition |= Q(**{f"{path}__in": [user.pk for user in users]})
        for values in model._default_manager.filter(condition).values():
            rows[(model._meta.label, values[model._meta.pk.attname])] = values
    return rows


def all_user_rows():
    """Every row of every table that holds user data, whoever it belongs to.

    Raw SQL, a hundred times faster than the ORM: the corpus run takes one per request.
    Keys are as in user_rows(); values are the database's own (dates may be strings).
    """
    rows = {}
    with connection.cursor() as cursor:
        for model in _owner_lookups():
            pk = model._meta.pk.column
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
            names = [column[0] for column in cursor.description]
            for values in cursor.fetchall():
                row = dict(zip(names, values, strict=True))
                rows[(model._meta.label, row[pk])] = row
    return rows


def diff_rows(before, after):
    """What changed between two user_rows() snapshots, readable in an assertion message."""
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(key for key in set(before) & set(after) if before[key] != after[key])
    return {"added": added, "removed": removed, "changed": changed}


def bookkeeping_only(before, after, key):
    """True when only columns no form edits changed (counters, timestamps)."""
    model = apps.get_model(key[0])
    columns = {column.column: column for column in model._meta.concrete_fields}
    return all(
        not columns[name].editable for name in before[key] if before[key][name] != after[key][name]
    )


def describe_changes(before, after):
    """The changed rows, field by field, for an assertion message."""
    return {
        key: {
            name: (before[key][name], after[key][name])
            for name in before[key]
            if before[key][name] != after[key][name]
        }
        for key in diff_rows(before, after)["changed"]
    }


def assert_unchanged(before, after, context=""):
    assert before == after, f"{context}: {diff_rows(before, after)}"


def owned_model_labels():
    return sorted(model._meta.label for model in _owner_lookups())


def is_login_redirect(response, url=None):
    if response.status_code != 302:
        return False
    location = response["Location"]
    if not location.startswith(f"{LOGIN_URL}?next="):
        return False
    return url is None or url.split("?")[0] in location


def htmx_headers(htmx):
    return {"HTTP_HX_REQUEST": "true"} if htmx else {}
