from http import HTTPStatus

from django.test import Client
from django.utils.html import escape

from guides.models import Guide, LessonProgress

URL = "/guides/winning-back-trust/"


def _guide():
    return Guide.objects.get(slug="winning-back-trust")


def test_it_works_for_visitors(lessons):
    response = Client().get(URL)

    assert response.status_code == HTTPStatus.OK
    guide = _guide()
    assert escape(guide.title_en) in response.text
    assert guide.source_file in response.text
    for lesson in guide.lessons.all():
        assert escape(lesson.title_en) in response.text
        assert f"{URL}{lesson.slug}/" in response.text
    assert "badge done" not in response.text
    assert "lessons done" not in response.text


def test_it_works_for_users(lessons, auth_client):
    response = auth_client.get(URL)

    assert response.status_code == HTTPStatus.OK
    assert f"0 of {_guide().lessons.count()} lessons done" in response.text


def test_it_speaks_japanese(lessons):
    response = Client().get(URL, HTTP_ACCEPT_LANGUAGE="ja")

    guide = _guide()
    assert escape(guide.title_ja) in response.text
    for lesson in guide.lessons.all():
        assert escape(lesson.title_ja) in response.text
        assert escape(lesson.title_en) not in response.text


def test_it_shows_done_and_in_progress_marks(lessons, alice, auth_client):
    done, started, *_rest = _guide().lessons.all()
    LessonProgress.objects.create(user=alice, lesson=done, status="done")
    LessonProgress.objects.create(user=alice, lesson=started, status="in_progress")

    response = auth_client.get(URL)

    assert response.text.count('class="badge done"') == 1
    assert response.text.count('class="badge in_progress"') == 1
    assert response.text.index(escape(done.title_en)) < response.text.index("badge done")
    assert f"1 of {_guide().lessons.count()} lessons done" in response.text


def test_it_shows_only_the_users_own_progress(lessons, charlie, auth_client):
    for lesson in _guide().lessons.all()[:2]:
        LessonProgress.objects.create(user=charlie, lesson=lesson, status="done")

    response = auth_client.get(URL)

    assert "badge done" not in response.text
    assert f"0 of {_guide().lessons.count()} lessons done" in response.text


def test_it_handles_unknown_guide(lessons, auth_client):
    response = auth_client.get("/guides/no-such-guide/")

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_it_rejects_wrong_method(lessons, auth_client):
    response = auth_client.post(URL)

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
