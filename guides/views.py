from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from guides.models import Guide, Kind, Lesson, Progress
from guides.progress import mark_lesson, mark_started, next_lesson, progress_by_lesson


def _get_lesson(guide_slug, lesson_slug):
    return get_object_or_404(
        Lesson.objects.select_related("guide").prefetch_related("prompts", "suggested_promises"),
        guide__slug=guide_slug,
        slug=lesson_slug,
    )


def _chosen_kind(request):
    kind = request.GET.get("kind", "")
    return kind if kind in Kind.values else ""


@require_GET
def guide_list(request):
    kind = _chosen_kind(request)
    progress = progress_by_lesson(request.user)
    guides = Guide.objects.annotate(lesson_count=Count("lessons")).prefetch_related("lessons")
    shown = []
    for guide in guides:
        lessons = [lesson for lesson in guide.lessons.all() if lesson.suits(kind)]
        if not lessons:
            continue
        guide.suiting_lessons = lessons
        guide.done_count = sum(progress.get(lesson.pk) == Progress.DONE for lesson in lessons)
        shown.append(guide)
    context = {
        "nav": "guides",
        "guides": shown,
        "kind": kind,
        "kinds": Kind.choices,
        "has_progress": bool(progress),
        "next_lesson": next_lesson(request.user, kind or _first_relationship_kind(request.user)),
    }
    return render(request, "guides/guide_list.html", context)


def _first_relationship_kind(user):
    if not user.is_authenticated:
        return None
    return user.relationships.filter(archived=False).values_list("kind", flat=True).first()


@require_GET
def guide_detail(request, guide_slug):
    guide = get_object_or_404(Guide, slug=guide_slug)
    progress = progress_by_lesson(request.user)
    lessons = list(guide.lessons.all())
    for lesson in lessons:
        lesson.status = progress.get(lesson.pk, "")
    done = sum(lesson.status == Progress.DONE for lesson in lessons)
    context = {"nav": "guides", "guide": guide, "lessons": lessons, "done_count": done}
    return render(request, "guides/guide_detail.html", context)


@require_GET
def lesson_detail(request, guide_slug, lesson_slug):
    lesson = _get_lesson(guide_slug, lesson_slug)
    if request.user.is_authenticated:
        mark_started(request.user, lesson)
    siblings = list(
        Lesson.objects.select_related("guide").only(
            "slug", "position", "title_en", "title_ja", "guide__slug", "guide__position"
        )
    )
    index = next(i for i, other in enumerate(siblings) if other.pk == lesson.pk)
    context = {
        "nav": "guides",
        "lesson": lesson,
        "guide": lesson.guide,
        "status": progress_by_lesson(request.user).get(lesson.pk, ""),
        "previous": siblings[index - 1] if index > 0 else None,
        "next": siblings[index + 1] if index + 1 < len(siblings) else None,
    }
    return render(request, "guides/lesson_detail.html", context)


@require_POST
@login_required
def lesson_progress(request, guide_slug, lesson_slug):
    lesson = _get_lesson(guide_slug, lesson_slug)
    status = request.POST.get("status")
    if status not in Progress.values:
        return HttpResponseBadRequest("Unknown progress status.")
    mark_lesson(request.user, lesson, status)
    if request.htmx:
        context = {"lesson": lesson, "status": status, "announce": True}
        return render(request, "guides/lesson_detail.html#progress", context)
    return redirect("guides:lesson", guide_slug=guide_slug, lesson_slug=lesson_slug)
