"""guides.progress: where a user is in the lessons and what comes next."""

from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from guides.models import Lesson, LessonProgress
from guides.progress import (
    mark_lesson,
    mark_started,
    next_lesson,
    progress_by_lesson,
    recommended_first_lesson,
)


def _lessons(*starts):
    return [SimpleNamespace(slug=f"l{i}", starts_path_for=kinds) for i, kinds in enumerate(starts)]


def test_recommended_first_lesson_follows_the_kind():
    lessons = _lessons([], ["work"], ["partner", "myself"])

    assert recommended_first_lesson("myself", lessons) is lessons[2]
    assert recommended_first_lesson("work", lessons) is lessons[1]


def test_recommended_first_lesson_falls_back_to_the_first_lesson():
    lessons = _lessons([], ["work"])

    assert recommended_first_lesson("family", lessons) is lessons[0]
    assert recommended_first_lesson(None, lessons) is lessons[0]
    assert recommended_first_lesson("", lessons) is lessons[0]


def test_recommended_first_lesson_of_nothing_is_none():
    assert recommended_first_lesson("work", []) is None


def _touch(user, slug, status, minutes_ago):
    """Progress on a lesson, last touched `minutes_ago`."""
    progress = LessonProgress.objects.create(
        user=user, lesson=Lesson.objects.get(slug=slug), status=status
    )
    updated = timezone.now() - timedelta(minutes=minutes_ago)
    LessonProgress.objects.filter(pk=progress.pk).update(updated_at=updated)


def test_next_lesson_with_no_lessons_is_none(db, alice):
    assert next_lesson(alice, "work") is None


def test_next_lesson_for_a_visitor_is_the_recommended_start(lessons):
    assert next_lesson(AnonymousUser(), "myself").slug == "self-trust-first"
    assert next_lesson(AnonymousUser()) == Lesson.objects.first()


def test_next_lesson_without_progress_is_the_recommended_start(lessons, alice):
    assert next_lesson(alice, "partner").slug == "what-broke-their-trust"
    assert next_lesson(alice, "work").slug == "sincere-apology"
    assert next_lesson(alice) == Lesson.objects.first()


def test_next_lesson_continues_the_last_lesson_in_progress(lessons, alice):
    _touch(alice, "honest-promises", "in_progress", minutes_ago=30)
    _touch(alice, "listen-and-ask", "in_progress", minutes_ago=5)
    _touch(alice, "what-trust-is", "done", minutes_ago=60)

    assert next_lesson(alice, "myself").slug == "listen-and-ask"


def test_next_lesson_after_a_done_one_is_the_next_not_done(lessons, alice):
    _touch(alice, "honest-promises", "done", minutes_ago=5)
    _touch(alice, "keep-promises-with-reminders", "done", minutes_ago=30)

    assert next_lesson(alice).slug == "ask-what-would-help"


def test_next_lesson_wraps_around_to_earlier_unfinished_lessons(lessons, alice):
    slugs = list(Lesson.objects.values_list("slug", flat=True))
    for minutes_ago, slug in enumerate(reversed(slugs[1:])):
        _touch(alice, slug, "done", minutes_ago)

    assert next_lesson(alice).slug == slugs[0]


def test_next_lesson_when_everything_is_done_is_none(lessons, alice):
    for minutes_ago, slug in enumerate(Lesson.objects.values_list("slug", flat=True)):
        _touch(alice, slug, "done", minutes_ago)

    assert next_lesson(alice) is None


def test_next_lesson_ignores_other_users_progress(lessons, alice, charlie):
    _touch(charlie, "listen-and-ask", "in_progress", minutes_ago=0)

    assert next_lesson(alice, "work").slug == "sincere-apology"


def test_progress_by_lesson(lessons, alice, charlie):
    done, started = Lesson.objects.all()[:2]
    mark_lesson(alice, done, "done")
    mark_started(alice, started)
    mark_started(charlie, done)

    assert progress_by_lesson(alice) == {done.pk: "done", started.pk: "in_progress"}
    assert progress_by_lesson(AnonymousUser()) == {}


def test_mark_lesson_sets_and_clears_completed_at(lessons, alice):
    lesson = Lesson.objects.first()

    assert mark_lesson(alice, lesson, "done").completed_at is not None
    assert mark_lesson(alice, lesson, "in_progress").completed_at is None
    assert LessonProgress.objects.count() == 1


def test_mark_started_never_unfinishes(lessons, alice):
    lesson = Lesson.objects.first()
    mark_lesson(alice, lesson, "done")

    mark_started(alice, lesson)

    assert LessonProgress.objects.get().status == "done"
