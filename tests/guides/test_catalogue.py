"""The lessons are read once per content version and process (guides.catalogue): every page
shows a change to them at once, no page changes the objects it shares with the others, and the
lesson pages read nothing else but the user's progress."""

import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from guides.catalogue import catalogue
from guides.models import Guide, Lesson, ReflectionPrompt, SuggestedPromise
from journal.models import Relationship
from trustrepair import memo as memo_module

LESSON = "/guides/winning-back-trust/sincere-apology/"
GUIDE = "/guides/winning-back-trust/"


def vars_of(part):
    """A part's fields as read, and where from."""
    fields = {f.attname: getattr(part, f.attname) for f in part._meta.concrete_fields}
    return type(part), fields, part._state.db, part._state.adding


def test_it_holds_the_content_in_course_order(lessons):
    content = catalogue()
    assert list(content.guides) == list(Guide.objects.order_by("position"))
    assert list(content.lessons) == list(Lesson.objects.order_by("guide__position", "position"))
    lesson = content.lesson("winning-back-trust", "sincere-apology")
    assert lesson == Lesson.objects.get(slug="sincere-apology")
    for parts, model in (
        (content.prompts_of(lesson), ReflectionPrompt),
        (content.suggestions_of(lesson), SuggestedPromise),
    ):
        expected = model.objects.filter(lesson=lesson).order_by("position")
        assert [vars_of(part) for part in parts] == [vars_of(part) for part in expected]
        assert parts
    assert content.lesson("trust-basics", "sincere-apology") is None  # not that guide's
    assert content.links[lesson.pk] == (
        "sincere-apology",
        lesson.title_en,
        lesson.title_ja,
        "winning-back-trust",
    )


def test_it_is_read_once(lessons, django_assert_num_queries):
    first = catalogue()
    with django_assert_num_queries(0):
        assert catalogue() is first


def test_an_edited_lesson_shows_at_once_on_every_page(lessons, auth_client):
    for url in (LESSON, GUIDE, "/guides/"):
        auth_client.get(url)
    lesson = Lesson.objects.get(slug="sincere-apology")
    lesson.title_en = "Apologise, and mean it"
    lesson.save()
    prompt = lesson.prompts.first()
    prompt.text_en = "What did your apology leave out?"
    prompt.save()

    assert escape(lesson.title_en) in auth_client.get(LESSON).text
    assert escape(prompt.text_en) in auth_client.get(LESSON).text
    assert escape(lesson.title_en) in auth_client.get(GUIDE).text


def test_a_new_or_deleted_lesson_shows_at_once(lessons, auth_client):
    guide = Guide.objects.get(slug="winning-back-trust")
    auth_client.get(GUIDE)
    new = Lesson.objects.create(
        guide=guide,
        slug="a-new-lesson",
        position=99,
        kinds=["everyone"],
        title_en="A new lesson",
        title_ja="新しいレッスン",
    )
    SuggestedPromise.objects.create(lesson=new, position=1, text_en="Try it", text_ja="試す")

    assert "A new lesson" in auth_client.get(GUIDE).text
    assert "Try it" in auth_client.get(f"{GUIDE}a-new-lesson/").text
    new.delete()
    assert auth_client.get(f"{GUIDE}a-new-lesson/").status_code == HTTPStatus.NOT_FOUND
    assert "A new lesson" not in auth_client.get(GUIDE).text


def test_a_process_that_missed_a_change_reads_the_content_again_within_ten_minutes(
    lessons, monkeypatch
):
    now = [1000.0]
    monkeypatch.setattr(memo_module.time, "monotonic", lambda: now[0])
    first = catalogue()
    Lesson.objects.filter(slug="sincere-apology").update(title_en="Changed elsewhere")  # no signal
    now[0] += 599
    assert catalogue() is first
    now[0] += 2
    assert catalogue().lesson("winning-back-trust", "sincere-apology").title_en == (
        "Changed elsewhere"
    )


def _state(content):
    """Everything a page could change on the shared objects: their attributes, the related
    objects they hold, and what they prefetched."""
    objects = [
        *content.guides,
        *content.lessons,
        *(part for lesson in content.lessons for part in content.prompts_of(lesson)),
        *(part for lesson in content.lessons for part in content.suggestions_of(lesson)),
    ]
    return [
        (
            {
                k: v
                for k, v in vars(obj).items()
                if k not in ("_state", "_prefetched_objects_cache")
            },
            dict(obj._state.fields_cache),
            {k: list(v) for k, v in getattr(obj, "_prefetched_objects_cache", {}).items()},
        )
        for obj in objects
    ]


def test_no_page_changes_the_shared_lessons(lessons, alice, auth_client):
    content = catalogue()
    before = _state(content)
    relationship = Relationship.objects.create(
        owner=alice,
        name="Sam",
        kind="partner",
        breach_cause="lie",
        breach_date="2026-01-01",
        starting_trust=3,
    )
    for url in (
        "/guides/",
        "/guides/?kind=work",
        GUIDE,
        LESSON,
        f"/dashboard/{relationship.pk}/",
    ):
        assert auth_client.get(url).status_code == HTTPStatus.OK, url
        assert Client().get(url).status_code in (HTTPStatus.OK, HTTPStatus.FOUND), url
    for status in ("done", "in_progress"):
        auth_client.post(f"{LESSON}progress/", {"status": status}, HTTP_HX_REQUEST="true")
        auth_client.post(f"{LESSON}progress/", {"status": status})

    assert catalogue() is content
    assert _state(content) == before


def _tables(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == HTTPStatus.OK
    return [re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in queries]


@pytest.mark.parametrize(
    ("url", "reads"),
    [
        (LESSON, ["guides_lessonprogress"]),  # the lesson's progress: opening it starts it
        (GUIDE, ["guides_lessonprogress"]),
        ("/guides/", ["guides_lessonprogress", "journal_relationship"]),  # what to go on with
    ],
)
def test_a_lesson_page_reads_only_the_users_progress(lessons, auth_client, url, reads):
    auth_client.get(url)
    assert _tables(auth_client, url) == ["django_session", "auth_user", *reads]
    assert _tables(Client(), url) == []
