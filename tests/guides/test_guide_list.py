from datetime import date
from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import Client
from django.utils.html import escape

from guides.models import Guide, Lesson, LessonProgress
from journal.models import Relationship

URL = "/guides/"


def _relationship(owner, kind):
    return Relationship.objects.create(
        owner=owner,
        name="Someone",
        kind=kind,
        breach_cause="other",
        breach_date=date(2025, 1, 1),
        starting_trust=3,
    )


def _title(slug, model=Guide, language="en"):
    return escape(getattr(model.objects.get(slug=slug), f"title_{language}"))


def test_it_works_for_visitors(lessons):
    response = Client().get(URL)

    assert response.status_code == HTTPStatus.OK
    for guide in Guide.objects.all():
        assert escape(guide.title_en) in response.text
    assert "/accounts/signup/" in response.text


def test_it_works_for_users(lessons, auth_client):
    response = auth_client.get(URL)

    assert response.status_code == HTTPStatus.OK
    for guide in Guide.objects.all():
        assert escape(guide.title_en) in response.text


def _japanese_client(via):
    if via == "header":
        return Client(HTTP_ACCEPT_LANGUAGE="ja")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    return client


@pytest.mark.parametrize("via", ["header", "cookie"])
def test_it_speaks_japanese(lessons, via):
    response = _japanese_client(via).get(URL)

    assert response.status_code == HTTPStatus.OK
    assert '<html lang="ja">' in response.text
    for guide in Guide.objects.all():
        assert escape(guide.title_ja) in response.text
        assert escape(guide.title_en) not in response.text


def test_it_filters_by_kind(lessons):
    response = Client().get(URL, {"kind": "work"})

    assert (
        Lesson.objects.get(slug="trust-at-work-teams-leaders-customers").guide.slug
        == "trust-basics"
    )
    assert _title("trust-basics") in response.text
    assert _title("winning-back-a-partner") not in response.text
    assert '?kind=work" aria-current="true"' in response.text


def test_it_ignores_an_unknown_kind(lessons):
    response = Client().get(URL, {"kind": "stranger-danger"})

    assert response.status_code == HTTPStatus.OK
    for guide in Guide.objects.all():
        assert escape(guide.title_en) in response.text


def test_it_rejects_wrong_method(lessons, auth_client):
    response = auth_client.post(URL)

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_it_shows_where_to_continue(lessons, alice, auth_client):
    LessonProgress.objects.create(
        user=alice, lesson=Lesson.objects.get(slug="listen-and-ask"), status="in_progress"
    )

    response = auth_client.get(URL)

    assert "Continue where you left off" in response.text
    assert _title("listen-and-ask", Lesson) in response.text
    assert "/guides/winning-back-trust/listen-and-ask/" in response.text


def test_it_recommends_a_first_lesson_from_the_relationship_kind(lessons, alice, auth_client):
    _relationship(alice, "myself")
    starting = Lesson.objects.get(slug="self-trust-first")
    assert "myself" in starting.starts_path_for

    response = auth_client.get(URL)

    assert "A good place to start" in response.text
    assert "Continue where you left off" not in response.text
    assert escape(starting.title_en) in response.text


def test_a_kind_filter_picks_the_recommended_first_lesson(lessons, auth_client):
    response = auth_client.get(URL, {"kind": "partner"})

    assert "A good place to start" in response.text
    assert _title("what-broke-their-trust", Lesson) in response.text


def test_visitors_are_offered_the_first_lesson(lessons):
    response = Client().get(URL)

    assert "A good place to start" in response.text
    assert escape(Lesson.objects.first().title_en) in response.text


def test_it_counts_only_the_users_own_progress(lessons, alice, charlie, auth_client):
    lesson = Lesson.objects.get(slug="listen-and-ask")
    LessonProgress.objects.create(user=charlie, lesson=lesson, status="done")
    LessonProgress.objects.create(
        user=charlie, lesson=Lesson.objects.get(slug="honest-promises"), status="in_progress"
    )

    response = auth_client.get(URL)

    total = lesson.guide.lessons.count()
    assert "Continue where you left off" not in response.text
    assert f"1 of {total} done" not in response.text
    assert f"0 of {total} done" in response.text


def test_it_counts_done_lessons(lessons, alice, auth_client):
    lesson = Lesson.objects.get(slug="listen-and-ask")
    LessonProgress.objects.create(user=alice, lesson=lesson, status="done")

    response = auth_client.get(URL)

    assert f"1 of {lesson.guide.lessons.count()} done" in response.text
