from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from guides.catalogue import catalogue
from guides.models import Kind, Progress
from guides.progress import (
    mark_lesson,
    mark_started,
    next_lesson,
    progress_by_lesson,
    progress_rows,
)


def _get_lesson(guide_slug, lesson_slug, content=None):
    lesson = (content or catalogue()).lesson(guide_slug, lesson_slug)
    if lesson is None:
        raise Http404("No such lesson.")
    return lesson


def _chosen_kind(request):
    kind = request.GET.get("kind", "")
    return kind if kind in Kind.values else ""


@require_GET
def guide_list(request):
    kind = _chosen_kind(request)
    content = catalogue()
    rows = progress_rows(request.user)
    progress = progress_by_lesson(request.user, rows)
    cards = []
    for guide in content.guides:
        lessons = content.lessons_of(guide)
        suiting = [lesson for lesson in lessons if lesson.suits(kind)]
        if suiting:
            done = sum(progress.get(lesson.pk) == Progress.DONE for lesson in suiting)
            cards.append(
                {"guide": guide, "lesson_count": len(lessons), "shown": len(suiting), "done": done}
            )
    context = {
        "nav": "guides",
        "cards": cards,
        "kind": kind,
        "kinds": Kind.choices,
        "has_progress": bool(rows),
        "next_lesson": next_lesson(
            request.user, kind or _first_relationship_kind(request.user), rows
        ),
    }
    return render(request, "guides/guide_list.html", context)


def _first_relationship_kind(user):
    if not user.is_authenticated:
        return None
    return user.relationships.filter(archived=False).values_list("kind", flat=True).first()


@require_GET
def guide_detail(request, guide_slug):
    content = catalogue()
    guide = content.guide(guide_slug)
    if guide is None:
        raise Http404("No such guide.")
    progress = progress_by_lesson(request.user)
    lessons = [(lesson, progress.get(lesson.pk, "")) for lesson in content.lessons_of(guide)]
    done = sum(status == Progress.DONE for _lesson, status in lessons)
    context = {"nav": "guides", "guide": guide, "lessons": lessons, "done_count": done}
    return render(request, "guides/guide_detail.html", context)


@require_GET
def lesson_detail(request, guide_slug, lesson_slug):
    content = catalogue()
    lesson = _get_lesson(guide_slug, lesson_slug, content)
    status = mark_started(request.user, lesson) if request.user.is_authenticated else ""
    previous, following = content.neighbours(lesson)
    context = {
        "nav": "guides",
        "lesson": lesson,
        "guide": lesson.guide,
        "status": status,
        "prompts": content.prompts_of(lesson),
        "suggestions": content.suggestions_of(lesson),
        "previous": previous,
        "next": following,
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
