"""What holds for both of a relationship's cached pages (journal.pagecache): the dashboard
(tests/journal/test_dashboard_cache.py) and its journal page
(tests/journal/test_relationship_cache.py)."""

from http import HTTPStatus

import pytest
from django.test import Client

from guides.models import Lesson, LessonProgress
from journal.models import Reflection
from tests.journal.helpers import CSRF_TOKEN, main_of

from .conftest import today

# name: (its URL, a context variable only a render has, a word only its Japanese page shows)
PAGES = {
    "dashboard": (lambda r: f"/dashboard/{r.pk}/", "score", "信頼"),
    "journal": (lambda r: f"/journal/relationships/{r.pk}/", "pages", "約束"),
}


@pytest.fixture(params=PAGES)
def page(request, relationship):
    url, only_when_rendered, japanese = PAGES[request.param]

    class Page:
        path = url(relationship)
        word = japanese.encode()

        @staticmethod
        def rendered(response):
            """Whether the view rendered the page, rather than taking it from the cache."""
            return any(only_when_rendered in context for context in response.context or [])

    return Page


def test_each_response_has_a_fresh_token_that_works(alice, relationship, page, make_promise):
    promise = make_promise()
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(page.path)
    cached = client.get(page.path)
    assert not page.rendered(cached)
    assert b"<csrf-token>" not in cached.content
    tokens = set(CSRF_TOKEN.findall(main_of(cached)))
    assert len(tokens) == 1  # the page's forms share one, masked for this response
    assert tokens.isdisjoint(CSRF_TOKEN.findall(client.get(page.path).content))
    token = tokens.pop().decode()

    data = {
        "relationship": relationship.pk,
        "date": today().isoformat(),
        "text": "Posted from a cached page",
        "csrfmiddlewaretoken": token,
    }
    response = client.post("/journal/reflections/new/", data)
    assert response.status_code == HTTPStatus.FOUND
    assert Reflection.objects.filter(text="Posted from a cached page").exists()
    data = {"status": "kept", "csrfmiddlewaretoken": token}
    response = client.post(f"/journal/promises/{promise.pk}/status/", data)
    assert response.status_code == HTTPStatus.FOUND
    promise.refresh_from_db()
    assert promise.status == "kept"


def test_a_users_text_cannot_stand_in_for_the_token(client_of, page, make_promise):
    make_promise(text="<csrf-token> and &lt;csrf-token&gt;")
    client_of.get(page.path)
    cached = client_of.get(page.path)
    assert not page.rendered(cached)
    assert cached.content.count(b"&lt;csrf-token&gt; and &amp;lt;csrf-token&amp;gt;") >= 1
    assert b"<csrf-token>" not in cached.content


def test_a_change_to_another_users_data_leaves_the_page_cached(
    client_of, page, stranger_relationship, charlie, lessons
):
    client_of.get(page.path)
    Reflection.objects.create(relationship=stranger_relationship, date=today(), text="Theirs")
    LessonProgress.objects.create(user=charlie, lesson=Lesson.objects.first(), status="done")
    stranger_relationship.save()
    assert not page.rendered(client_of.get(page.path))


def test_each_language_has_its_own_page(client_of, page):
    english = client_of.get(page.path)
    client_of.post("/i18n/setlang/", {"language": "ja", "next": page.path})
    japanese = client_of.get(page.path)
    assert page.rendered(japanese)
    assert page.word in japanese.content
    assert page.word not in english.content


def test_a_stranger_never_gets_the_cached_page(client_of, page, stranger_client):
    client_of.get(page.path)
    assert stranger_client.get(page.path).status_code == HTTPStatus.NOT_FOUND
    htmx = stranger_client.get(f"{page.path}?section=promises", HTTP_HX_REQUEST="true")
    assert htmx.status_code == HTTPStatus.NOT_FOUND
