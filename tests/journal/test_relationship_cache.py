"""A relationship's journal page is cached as the dashboard is (journal.pagecache): every change
it shows must appear at once, and nothing may cross from one page, section or day to another
(with what holds for both cached pages in test_cached_pages.py: tokens, people, languages)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guides.models import Lesson, ReflectionPrompt
from journal.models import Breach, CheckIn, Reflection
from tests.journal.helpers import CSRF_TOKEN as TOKEN
from tests.journal.helpers import forget_cached, main_of

from .conftest import days_ago, today


def url(relationship, query=""):
    return f"/journal/relationships/{relationship.pk}/{query}"


def journal_of(response):
    """The page's <main>, without the messages and the tokens."""
    return TOKEN.sub(b"", main_of(response))


def rendered(response):
    """Whether the view rendered the journal, rather than taking it from the cache."""
    return any("pages" in context for context in response.context or [])


def test_the_second_view_comes_from_the_cache_and_is_the_same(
    client_of, relationship, make_promise, make_reflection, make_checkin
):
    make_promise(text="Call on Sunday")
    make_reflection(text="I listened")
    make_checkin(felt_trust=6)
    first = client_of.get(url(relationship))
    with CaptureQueriesContext(connection) as queries:
        second = client_of.get(url(relationship))
    assert rendered(first)
    assert not rendered(second)
    assert journal_of(second) == journal_of(first)
    assert b"Call on Sunday" in journal_of(second)
    tables = [re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in queries]
    assert tables == ["django_session", "auth_user", "journal_relationship"]


def add_reflection(relationship, **kwargs):
    Reflection.objects.create(relationship=relationship, date=today(), text="Walked the dog")
    return b"Walked the dog"


def add_checkin(relationship, **kwargs):
    CheckIn.objects.create(relationship=relationship, date=today(), felt_trust=9, note="Warmer")
    return b"Warmer"


def reword_a_promise(relationship, promise, **kwargs):
    promise.text = "Call before eight"
    promise.save()
    return b"Call before eight"


def keep_a_promise(relationship, promise, **kwargs):
    promise.set_status("kept", by=relationship.owner)
    return f'class="promise promise-kept" id="promise-{promise.pk}"'.encode()


def add_a_breach(relationship, **kwargs):
    Breach.objects.create(relationship=relationship, date=today(), cause="lie", description="Again")
    return b"Again"


def rename_it(relationship, **kwargs):
    relationship.name = "Samantha"
    relationship.save()
    return b"Samantha"


def retitle_its_lesson(relationship, promise, **kwargs):
    lesson = promise.lesson
    lesson.title_en = "A lesson retitled"
    lesson.save()  # as the admin or loaddata would
    return b"A lesson retitled"


def reword_a_reflections_prompt(relationship, reflection, **kwargs):
    prompt = reflection.prompt
    prompt.text_en = "A prompt reworded"
    prompt.save()
    return b"A prompt reworded"


@pytest.mark.parametrize(
    "change",
    [
        add_reflection,
        add_checkin,
        reword_a_promise,
        keep_a_promise,
        add_a_breach,
        rename_it,
        retitle_its_lesson,
        reword_a_reflections_prompt,
    ],
)
def test_a_change_it_shows_appears_at_once(
    client_of, relationship, lessons, make_promise, make_reflection, change
):
    lesson = Lesson.objects.first()
    promise = make_promise(lesson=lesson)
    reflection = make_reflection(prompt=ReflectionPrompt.objects.first())
    before = client_of.get(url(relationship))
    assert not rendered(client_of.get(url(relationship)))

    expected = change(relationship, promise=promise, reflection=reflection)

    after = client_of.get(url(relationship))
    assert rendered(after)
    assert expected not in journal_of(before)
    assert expected in journal_of(after)


def test_a_deleted_check_in_disappears_at_once(client_of, relationship, make_checkin):
    checkin = make_checkin(note="Soon gone")
    assert b"Soon gone" in journal_of(client_of.get(url(relationship)))
    checkin.delete()
    assert b"Soon gone" not in journal_of(client_of.get(url(relationship)))


def test_a_new_day_is_a_new_page(client_of, relationship, make_promise, monkeypatch):
    make_promise(text="Due tomorrow", due_date=days_ago(-1))
    assert b"Overdue" not in journal_of(client_of.get(url(relationship)))
    later = days_ago(-2)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: later)
    page = client_of.get(url(relationship))
    assert rendered(page)
    assert b"Overdue" in journal_of(page)


def test_each_page_of_a_section_is_its_own(client_of, relationship, make_promise):
    for n in range(25):
        make_promise(text=f"Promise number {n:02}", due_date=days_ago(-n))
    first = journal_of(client_of.get(url(relationship)))
    second = journal_of(client_of.get(url(relationship, "?promises=2")))
    assert b"Promise number 00" in first and b"Promise number 24" not in first
    assert b"Promise number 24" in second and b"Promise number 00" not in second


def test_an_htmx_section_is_the_section_alone_and_never_the_page(
    client_of, relationship, make_promise
):
    for n in range(25):
        make_promise(text=f"Promise number {n:02}", due_date=days_ago(-n))
    path = url(relationship, "?promises=2&section=promises")
    whole = client_of.get(path)
    alone = client_of.get(path, HTTP_HX_REQUEST="true")
    again = client_of.get(path)
    assert alone.content.lstrip().startswith(b'<div id="promises-section">')
    assert b"<main" not in alone.content and b"Promise number 24" in alone.content
    assert b"<main" in whole.content and b"<main" in again.content
    assert b"<csrf-token>" not in alone.content and TOKEN.search(alone.content)


def rows_rendered(response, template="journal/promise_row.html"):
    """How many promise rows (or other entries) the response rendered from the template."""
    return [t.name for t in response.templates].count(template)


ROW, REFLECTION, CHECKIN = (
    "journal/promise_row.html",
    "journal/reflection_item.html",
    "journal/checkin_item.html",
)


def test_a_change_renders_again_only_the_row_it_changed(
    client_of, relationship, lessons, make_promise
):
    lesson = Lesson.objects.first()
    promises = [make_promise(text=f"Promise {n}", lesson=lesson) for n in range(5)]
    first = client_of.get(url(relationship))
    assert rows_rendered(first) == 5

    promises[2].set_status("kept", by=relationship.owner)
    after = client_of.get(url(relationship))
    assert rendered(after)
    assert rows_rendered(after) == 1
    assert f'class="promise promise-kept" id="promise-{promises[2].pk}"'.encode() in after.content

    forget_cached()
    anew = client_of.get(url(relationship))
    assert rows_rendered(anew) == 5
    assert journal_of(after) == journal_of(anew)


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("query", ["", "?promises=2", "?promises=2&section=promises"])
def test_remembered_rows_are_what_the_template_writes(
    client_of, relationship, lessons, make_promise, language, query
):
    """Rows kept from an earlier render of the page (here, before a reflection moved it)
    are the rows the template writes for this page: its language, its day, its path in
    each form's `next`."""
    client_of.cookies["django_language"] = language
    lesson = Lesson.objects.first()
    for n in range(25):
        promise = make_promise(text=f"Promise {n:02}", due_date=days_ago(n - 3), lesson=lesson)
        if n % 3 == 0:
            promise.set_status("kept" if n % 2 else "broken", by=relationship.owner)
    htmx = {"HTTP_HX_REQUEST": "true"} if "section" in query else {}
    client_of.get(url(relationship, query), **htmx)
    add_reflection(relationship)
    remembered = client_of.get(url(relationship, query), **htmx)
    assert rows_rendered(remembered) == 0

    forget_cached()
    anew = client_of.get(url(relationship, query), **htmx)
    assert rows_rendered(anew) == (5 if query else 20)
    shown = (lambda r: TOKEN.sub(b"", r.content)) if htmx else journal_of
    assert shown(remembered) == shown(anew)
    path = f"/journal/relationships/{relationship.pk}/{query}".replace("&", "&amp;")
    assert f'name="next" value="{path}"'.encode() in remembered.content
    assert f"/guides/{lesson.guide.slug}/{lesson.slug}/".encode() in remembered.content
    assert b"<csrf-token>" not in remembered.content


def test_a_new_entry_is_the_one_entry_rendered(
    client_of, relationship, lessons, make_promise, make_reflection, make_checkin
):
    prompt = ReflectionPrompt.objects.first()
    for n in range(5):
        promise = make_promise(text=f"Promise {n}")
        make_reflection(text=f"Thought {n}", prompt=prompt, promise=promise)
        make_checkin(felt_trust=n, note=f"Note {n}", date=days_ago(n))
    first = client_of.get(url(relationship))
    assert [rows_rendered(first, t) for t in (ROW, REFLECTION, CHECKIN)] == [5, 5, 5]

    add_reflection(relationship)
    after = client_of.get(url(relationship))
    assert [rows_rendered(after, t) for t in (ROW, REFLECTION, CHECKIN)] == [0, 1, 0]
    add_checkin(relationship)
    after = client_of.get(url(relationship))
    assert [rows_rendered(after, t) for t in (ROW, REFLECTION, CHECKIN)] == [0, 0, 1]

    forget_cached()
    assert journal_of(client_of.get(url(relationship))) == journal_of(after)


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("query", ["?reflections=2&checkins=2", "?section=reflections"])
def test_remembered_entries_are_what_the_template_writes(
    client_of, relationship, lessons, make_promise, make_reflection, make_checkin, language, query
):
    client_of.cookies["django_language"] = language
    prompts = list(ReflectionPrompt.objects.all()[:2])
    promise = make_promise(text="Call <before> eight")
    for n in range(25):
        make_reflection(
            text=f"Thought {n}\nand a second line & more",
            date=days_ago(n),
            prompt=prompts[n % 2] if n % 3 else None,
            promise=promise if n % 2 else None,
        )
        make_checkin(felt_trust=n % 11, note=f"Note <{n}>" if n % 2 else "", date=days_ago(n))
    htmx = {"HTTP_HX_REQUEST": "true"} if "section" in query else {}
    client_of.get(url(relationship, query), **htmx)
    rename_it(relationship)
    remembered = client_of.get(url(relationship, query), **htmx)
    assert rows_rendered(remembered, REFLECTION) == rows_rendered(remembered, CHECKIN) == 0

    forget_cached()
    anew = client_of.get(url(relationship, query), **htmx)
    assert rows_rendered(anew, REFLECTION) == (20 if htmx else 5)
    shown = (lambda r: TOKEN.sub(b"", r.content)) if htmx else journal_of
    assert shown(remembered) == shown(anew)
    assert b"<br>and a second line &amp; more" in remembered.content
    assert b"Call &lt;before&gt; eight" in remembered.content
    assert b"<csrf-token>" not in remembered.content


def test_twin_entries_each_link_to_their_own(
    client_of, relationship, make_reflection, make_checkin
):
    """Two check-ins (or reflections) that show the same words are still two entries, each
    with its own Delete (or Edit)."""
    checkins = [make_checkin(felt_trust=5, note="Same") for _ in range(2)]
    reflections = [make_reflection(text="Same words") for _ in range(2)]
    page = client_of.get(url(relationship)).content.decode()
    for checkin in checkins:
        assert f"/journal/check-ins/{checkin.pk}/delete/" in page
    for reflection in reflections:
        assert f"/journal/reflections/{reflection.pk}/edit/" in page
