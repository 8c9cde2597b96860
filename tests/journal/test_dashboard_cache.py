"""The rendered dashboard is cached (journal.pagecache): every change it shows must appear at
once, and nothing may cross from one day or range to another (with what holds for both
cached pages in test_cached_pages.py: tokens, people, languages)."""

import re

import pytest

from guides.models import LessonProgress, SuggestedPromise
from guides.progress import next_lesson
from journal.models import Breach, CheckIn, Promise, Reflection, Relationship
from tests.journal.helpers import CSRF_TOKEN as TOKEN
from tests.journal.helpers import main_of

from .conftest import days_ago, today


def url(relationship):
    return f"/dashboard/{relationship.pk}/"


def dashboard_of(response):
    """The dashboard itself: the page's <main> without the messages and the tokens."""
    return TOKEN.sub(b"", main_of(response))


def rendered(response):
    """Whether the view rendered the dashboard, rather than taking it from the cache."""
    return any("score" in context for context in response.context or [])


def test_the_second_view_comes_from_the_cache_and_is_the_same(client_of, relationship):
    first = client_of.get(url(relationship))
    second = client_of.get(url(relationship))
    assert rendered(first)
    assert not rendered(second)
    assert dashboard_of(second) == dashboard_of(first)


def add_reflection(relationship, **kwargs):
    Reflection.objects.create(relationship=relationship, date=today(), text="Walked the dog")
    return b"Walked the dog"


def add_checkin(relationship, **kwargs):
    CheckIn.objects.create(relationship=relationship, date=today(), felt_trust=9)
    return b"How it feels: 9/10"


def finish_the_next_lesson(relationship, **kwargs):
    lesson = next_lesson(relationship.owner, relationship.kind)
    LessonProgress.objects.update_or_create(
        user=relationship.owner, lesson=lesson, defaults={"status": "done"}
    )
    return next_lesson(relationship.owner, relationship.kind).title.encode()


def reword_a_suggestion(relationship, **kwargs):
    lesson = next_lesson(relationship.owner, relationship.kind)
    suggestion = lesson.suggested_promises.first()
    SuggestedPromise.objects.filter(pk=suggestion.pk).update(text_en="Reworded")
    SuggestedPromise.objects.get(pk=suggestion.pk).save()  # as the admin or loaddata would
    return b"Reworded"


def add_another_relationship(relationship, **kwargs):
    Relationship.objects.create(
        owner=relationship.owner,
        name="Robin",
        kind="friend",
        breach_cause="lie",
        breach_date=days_ago(3),
        starting_trust=4,
    )
    return b"Robin"


def rename_it(relationship, **kwargs):
    relationship.name = "Samantha"
    relationship.save()
    return b"Samantha"


@pytest.mark.parametrize(
    "change",
    [
        add_reflection,
        add_checkin,
        finish_the_next_lesson,
        reword_a_suggestion,
        add_another_relationship,
        rename_it,
    ],
)
def test_a_change_it_shows_appears_at_once(client_of, relationship, lessons, change):
    before = client_of.get(url(relationship))
    assert not rendered(client_of.get(url(relationship)))

    expected = change(relationship)

    after = client_of.get(url(relationship))
    assert rendered(after)
    assert expected not in dashboard_of(before)
    assert expected in dashboard_of(after)


def test_a_new_day_is_a_new_page(client_of, relationship, make_promise, monkeypatch):
    make_promise(text="Due tomorrow", due_date=days_ago(-1))
    client_of.get(url(relationship))
    tomorrow = days_ago(-1)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: tomorrow)
    page = client_of.get(url(relationship))
    assert rendered(page)
    assert re.search(
        rb"Due today</h3>\s*<ul[^>]*>\s*<li[^>]*>\s*<div[^>]*>\s*<span[^>]*>Due tomorrow",
        page.content,
    )


def test_the_range_and_query_are_part_of_the_key(client_of, relationship):
    client_of.get(url(relationship) + "?range=30")
    other_range = client_of.get(url(relationship) + "?range=all")
    assert rendered(other_range)
    assert b'href="?range=all"' in dashboard_of(other_range)


def test_saving_an_old_copy_never_writes_back_old_versions(relationship, make_promise):
    old_copy = Relationship.objects.get(pk=relationship.pk)
    make_promise()
    versions = Relationship.objects.values_list("score_version", "page_version").get()
    old_copy.name = "Samantha"
    old_copy.save()
    saved = Relationship.objects.get(pk=relationship.pk)
    assert saved.name == "Samantha"
    assert saved.score_version == versions[0]
    assert saved.page_version == versions[1] + 1  # its own dashboards list its name


def test_entries_version_moves_with_check_ins_and_never_with_promises(
    relationship, make_promise, make_checkin
):
    def entries_version():
        return Relationship.objects.get(pk=relationship.pk).entries_version

    versions = [entries_version()]
    promise = make_promise()
    promise.set_status("kept", by=relationship.owner)
    promise.undo_last_change(by=relationship.owner)
    Breach.objects.create(relationship=relationship, date=today(), cause="lie")
    versions.append(entries_version())
    assert versions[1] == versions[0]  # what a Kept click leaves cached: the check-ins
    checkin = make_checkin()
    versions.append(entries_version())
    checkin.felt_trust = 7
    checkin.save()
    versions.append(entries_version())
    checkin.delete()
    versions.append(entries_version())
    assert versions[1] < versions[2] < versions[3] < versions[4]


def test_a_status_change_moves_every_version_on_from_what_the_database_holds(
    relationship, make_promise, make_checkin, alice
):
    """A status change writes the versions it read under its lock, plus one, as values:
    whatever moved them since an instance was read, they only ever go forward."""
    promise, old = make_promise(), make_promise(due_date=days_ago(90))
    stale = Promise.objects.select_related("relationship").get(pk=promise.pk)
    make_checkin()  # moves page_version after `stale` was read
    make_promise()  # and score_version
    before = Relationship.objects.values_list(*Relationship.VERSIONS).get()

    stale.set_status("kept", by=alice)  # reads its relationship again, under the lock

    score, page, history = Relationship.objects.values_list(*Relationship.VERSIONS).get()
    assert (score, page, history) == (before[0] + 1, before[1] + 1, before[2])
    assert (stale.relationship.score_version, stale.relationship.page_version) == (score, page)
    old.set_status("kept", by=alice, on=days_ago(89))  # inside the cached history
    assert Relationship.objects.values_list(*Relationship.VERSIONS).get() == (
        score + 1,
        page + 1,
        history + 1,
    )
