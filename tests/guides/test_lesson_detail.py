from datetime import date
from http import HTTPStatus

import pytest
from django.test import Client
from django.utils.html import escape

from guides.models import Lesson, LessonProgress
from journal.models import Relationship

URL = "/guides/winning-back-trust/sincere-apology/"


def _lesson(slug="sincere-apology"):
    return Lesson.objects.get(slug=slug)


def _url(lesson):
    return f"/guides/{lesson.guide.slug}/{lesson.slug}/"


def test_it_works_for_visitors(lessons):
    response = Client().get(URL)

    assert response.status_code == HTTPStatus.OK
    lesson = _lesson()
    for text in [lesson.title_en, lesson.summary_en, *lesson.key_point_list(), *lesson.do_list()]:
        assert escape(text) in response.text
    for part in [*lesson.prompts.all(), *lesson.suggested_promises.all()]:
        assert escape(part.text_en) in response.text
    assert "Mark as done" not in response.text
    assert not LessonProgress.objects.exists()


def test_it_works_for_users(lessons, auth_client):
    response = auth_client.get(URL)

    assert response.status_code == HTTPStatus.OK
    assert escape(_lesson().title_en) in response.text
    assert "Mark as done" in response.text


def test_it_speaks_japanese(lessons, auth_client):
    response = auth_client.get(URL, HTTP_ACCEPT_LANGUAGE="ja")

    lesson = _lesson()
    assert escape(lesson.title_ja) in response.text
    assert escape(lesson.summary_ja) in response.text
    for part in [*lesson.prompts.all(), *lesson.suggested_promises.all()]:
        assert escape(part.text_ja) in response.text
    assert escape(lesson.title_en) not in response.text


def test_it_links_the_previous_and_next_lessons(lessons):
    lesson = _lesson("look-back-calmly")
    previous, following = _lesson("sincere-apology"), _lesson("improve-and-tell-them-how")

    response = Client().get(_url(lesson))

    assert f'rel="prev" href="{_url(previous)}"' in response.text
    assert f'rel="next" href="{_url(following)}"' in response.text


def test_next_and_previous_cross_into_the_neighbouring_guide(lessons):
    lesson = _lesson()
    last_of_previous_guide = Lesson.objects.filter(guide__position__lt=lesson.guide.position).last()

    response = Client().get(URL)

    assert f'rel="prev" href="{_url(last_of_previous_guide)}"' in response.text


def test_the_first_and_last_lessons_have_one_neighbour(lessons):
    first = Client().get(_url(Lesson.objects.first()))
    last = Client().get(_url(Lesson.objects.last()))

    assert 'rel="prev"' not in first.text
    assert 'rel="next"' in first.text
    assert 'rel="prev"' in last.text
    assert 'rel="next"' not in last.text


def test_it_links_suggestions_to_a_new_promise(lessons, auth_client):
    response = auth_client.get(URL)

    suggestions = _lesson().suggested_promises.all()
    assert suggestions
    for suggestion in suggestions:
        assert f'href="/journal/promises/new/?suggestion={suggestion.pk}"' in response.text
    assert response.text.count("Make this a promise") == len(suggestions)


def test_it_links_prompts_to_a_new_reflection(lessons, auth_client):
    response = auth_client.get(URL)

    prompts = _lesson().prompts.all()
    assert prompts
    for prompt in prompts:
        assert f'href="/journal/reflections/new/?prompt={prompt.pk}"' in response.text
    assert response.text.count("Reflect on this") == len(prompts)


def test_make_this_a_promise_fills_in_the_promise(lessons, alice, auth_client):
    Relationship.objects.create(
        owner=alice,
        name="Sam",
        kind="work",
        breach_cause="work_mistake",
        breach_date=date(2025, 1, 1),
        starting_trust=3,
    )
    suggestion = _lesson().suggested_promises.first()

    response = auth_client.get(f"/journal/promises/new/?suggestion={suggestion.pk}")

    assert response.status_code == HTTPStatus.OK
    assert escape(suggestion.text_en) in response.text


def test_opening_a_lesson_marks_it_in_progress(lessons, alice, auth_client):
    auth_client.get(URL)

    progress = LessonProgress.objects.get()
    assert (progress.user, progress.lesson, progress.status) == (alice, _lesson(), "in_progress")


def test_opening_a_done_lesson_keeps_it_done(lessons, alice, auth_client):
    LessonProgress.objects.create(user=alice, lesson=_lesson(), status="done")

    response = auth_client.get(URL)

    assert LessonProgress.objects.get().status == "done"
    assert "Mark as not done" in response.text


def test_opening_a_lesson_touches_only_the_users_own_progress(lessons, alice, stranger_client):
    LessonProgress.objects.create(user=alice, lesson=_lesson(), status="done")

    stranger_client.get(URL)

    statuses = dict(LessonProgress.objects.values_list("user__email", "status"))
    assert statuses == {"alice@example.com": "done", "charlie@example.com": "in_progress"}


@pytest.mark.parametrize(
    "url",
    [
        "/guides/no-such-guide/sincere-apology/",
        "/guides/winning-back-trust/no-such-lesson/",
        "/guides/trust-basics/sincere-apology/",
    ],
)
def test_it_handles_unknown_and_mismatched_slugs(lessons, auth_client, url):
    response = auth_client.get(url)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not LessonProgress.objects.exists()


def test_it_rejects_wrong_method(lessons, auth_client):
    response = auth_client.post(URL)

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert not LessonProgress.objects.exists()
