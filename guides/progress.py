"""Reading a user's place in the lessons: what they finished, what comes next."""

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
    lessons = list(Lesson.objects.select_related("guide"))
    if not lessons:
        return None
    latest = (
        LessonProgress.objects.filter(user=user).order_by("-updated_at", "-pk").first()
        if user.is_authenticated
        else None
    )
    if latest is None:
        return recommended_first_lesson(kind, lessons)
    if latest.status != Progress.DONE:
        return next(lesson for lesson in lessons if lesson.pk == latest.lesson_id)
    done = {
        lesson_id
        for lesson_id, status in progress_by_lesson(user).items()
        if status == Progress.DONE
    }
    position = next(i for i, lesson in enumerate(lessons) if lesson.pk == latest.lesson_id)
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
    """Opening a lesson starts it; it never un-finishes a finished one."""
    LessonProgress.objects.get_or_create(
        user=user, lesson=lesson, defaults={"status": Progress.IN_PROGRESS}
    )
