"""Reading a user's place in the lessons: what they finished, what comes next."""

from django.db.models import F, FilteredRelation, Q
from django.utils import timezone

from guides.models import Lesson, LessonProgress, Progress


def progress_by_lesson(user):
    """{lesson_id: status} for the user; an empty dict for visitors."""
    if not user.is_authenticated:
        return {}
    return dict(LessonProgress.objects.filter(user=user).values_list("lesson_id", "status"))


def recommended_first_lesson(kind, lessons):
    for lesson in lessons:
        if kind in lesson.starts_path_for:
            return lesson
    return lessons[0] if lessons else None


def next_lesson(user, kind=None):
    """Continue where the user left off, else the recommended start for `kind`.

    "Where they left off" is the lesson they touched last if it is not done,
    else the first lesson after it (in course order) they have not finished.
    """
    lessons = Lesson.objects.select_related("guide")
    if not user.is_authenticated:
        return recommended_first_lesson(kind, list(lessons))
    # One query: each lesson with the user's progress on it, if any.
    lessons = list(
        lessons.annotate(
            mine=FilteredRelation("progress", condition=Q(progress__user=user)),
            my_status=F("mine__status"),
            my_updated_at=F("mine__updated_at"),
            my_progress_id=F("mine__pk"),
        )
    )
    touched = [lesson for lesson in lessons if lesson.my_status]
    if not touched:
        return recommended_first_lesson(kind, lessons)
    latest = max(touched, key=lambda lesson: (lesson.my_updated_at, lesson.my_progress_id))
    if latest.my_status != Progress.DONE:
        return latest
    position = lessons.index(latest)
    for lesson in lessons[position + 1 :] + lessons[:position]:
        if lesson.my_status != Progress.DONE:
            return lesson
    return None


def mark_lesson(user, lesson, status):
    progress, _created = LessonProgress.objects.update_or_create(
        user=user,
        lesson=lesson,
        defaults={
            "status": status,
            "completed_at": timezone.now() if status == Progress.DONE else None,
        },
    )
    return progress


def mark_started(user, lesson):
    """Opening a lesson starts it; it never un-finishes a finished one."""
    LessonProgress.objects.get_or_create(
        user=user, lesson=lesson, defaults={"status": Progress.IN_PROGRESS}
    )
