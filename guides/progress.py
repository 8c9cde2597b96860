"""Reading a user's place in the lessons: what they finished, what comes next."""

from django.utils import timezone

from guides.catalogue import catalogue
from guides.models import LessonProgress, Progress


def progress_rows(user):
    """The user's progress as (lesson_id, status, updated_at, id) rows; none for visitors."""
    if not user.is_authenticated:
        return []
    return list(
        LessonProgress.objects.filter(user=user).values_list(
            "lesson_id", "status", "updated_at", "pk"
        )
    )


def progress_by_lesson(user, rows=None):
    """{lesson_id: status} for the user (from `rows` if read already); empty for visitors."""
    rows = progress_rows(user) if rows is None else rows
    return {lesson_id: status for lesson_id, status, *_ in rows}


def recommended_first_lesson(kind, lessons):
    for lesson in lessons:
        if kind in lesson.starts_path_for:
            return lesson
    return lessons[0] if lessons else None


def next_lesson(user, kind=None, rows=None):
    """Continue where the user left off, else the recommended start for `kind`.

    "Where they left off" is the lesson they touched last if it is not done,
    else the first lesson after it (in course order) they have not finished.
    `rows` are the user's progress_rows, if read already.
    """
    lessons = catalogue().lessons
    rows = progress_rows(user) if rows is None else rows
    positions = {lesson.pk: position for position, lesson in enumerate(lessons)}
    touched = [row for row in rows if row[0] in positions]
    if not touched:
        return recommended_first_lesson(kind, lessons)
    lesson_id, status, *_ = max(touched, key=lambda row: (row[2], row[3]))
    position = positions[lesson_id]
    if status != Progress.DONE:
        return lessons[position]
    done = {lesson_id for lesson_id, status, *_ in touched if status == Progress.DONE}
    for lesson in lessons[position + 1 :] + lessons[:position]:
        if lesson.pk not in done:
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
    """Opening a lesson starts it; it never un-finishes a finished one. Returns its status."""
    progress, _created = LessonProgress.objects.get_or_create(
        user=user, lesson=lesson, defaults={"status": Progress.IN_PROGRESS}
    )
    return progress.status
