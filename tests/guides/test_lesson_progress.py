from http import HTTPStatus

import pytest
from django.test import Client

from guides.models import Lesson, LessonProgress

LESSON_URL = "/guides/winning-back-trust/sincere-apology/"
URL = LESSON_URL + "progress/"


def _lesson():
    return Lesson.objects.get(slug="sincere-apology")


def test_it_works(lessons, alice, auth_client):
    response = auth_client.post(URL, {"status": "done"})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == LESSON_URL
    progress = LessonProgress.objects.get()
    assert (progress.user, progress.lesson, progress.status) == (alice, _lesson(), "done")
    assert progress.completed_at is not None


def test_it_marks_done_and_back(lessons, auth_client):
    auth_client.post(URL, {"status": "done"})
    auth_client.post(URL, {"status": "in_progress"})

    progress = LessonProgress.objects.get()
    assert progress.status == "in_progress"
    assert progress.completed_at is None

    auth_client.post(URL, {"status": "done"})

    assert LessonProgress.objects.get().status == "done"


def test_the_lesson_page_offers_the_opposite_action(lessons, auth_client):
    auth_client.post(URL, {"status": "done"})

    response = auth_client.get(LESSON_URL)

    assert 'name="status" value="in_progress"' in response.text
    assert "Mark as not done" in response.text


def test_it_requires_login(lessons):
    response = Client().post(URL, {"status": "done"})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/accounts/login/")
    assert not LessonProgress.objects.exists()


def test_it_rejects_wrong_method(lessons, auth_client):
    response = auth_client.get(URL, {"status": "done"})

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert not LessonProgress.objects.exists()


@pytest.mark.parametrize("data", [{"status": "finished"}, {"status": ""}, {}])
def test_it_rejects_an_unknown_status(lessons, auth_client, data):
    response = auth_client.post(URL, data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not LessonProgress.objects.exists()


def test_it_returns_partial_for_htmx(lessons, auth_client):
    response = auth_client.post(URL, {"status": "done"}, HTTP_HX_REQUEST="true")

    assert response.status_code == HTTPStatus.OK
    assert "<html" not in response.text
    assert response.text.strip().startswith('<div id="lesson-progress"')
    assert "Mark as not done" in response.text
    assert "Lesson marked as done." in response.text
    assert LessonProgress.objects.get().status == "done"


def test_it_keeps_progress_per_user(lessons, alice, charlie, auth_client, stranger_client):
    auth_client.post(URL, {"status": "done"})

    stranger_client.post(URL, {"status": "in_progress"})

    assert LessonProgress.objects.get(user=alice).status == "done"
    assert LessonProgress.objects.get(user=charlie).status == "in_progress"


@pytest.mark.parametrize(
    "url",
    [
        "/guides/no-such-guide/sincere-apology/progress/",
        "/guides/winning-back-trust/no-such-lesson/progress/",
        "/guides/trust-basics/sincere-apology/progress/",
    ],
)
def test_it_handles_unknown_and_mismatched_slugs(lessons, auth_client, url):
    response = auth_client.post(url, {"status": "done"})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not LessonProgress.objects.exists()
