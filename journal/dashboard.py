"""The signed-in home page: one relationship's score, chart, promises and next steps."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from guides.progress import next_lesson
from journal import scoring
from journal.insights import Resolution, kept_streaks, milestones
from journal.models import Profile, Status
from journal.views import _get_relationship_for_user

RANGES = {"30": 30, "90": 90, "365": 365, "all": None}
DEFAULT_RANGE = "30"
UPCOMING_DAYS = 14
DIVERGENCE = 2
CHART_WIDTH, CHART_HEIGHT = 640, 220
CHART_PAD_LEFT, CHART_PAD_RIGHT, CHART_PAD_Y = 28, 8, 10
MAX_CHART_POINTS = 400


def timeline_for(relationship, promises, breaches, today):
    return scoring.compute_timeline(
        start_score=relationship.starting_trust,
        start_date=relationship.breach_date,
        today=today,
        promises=[
            scoring.PromiseEvent(
                id=p.pk,
                text=p.text,
                size=p.size,
                due=p.due_date,
                status=p.status,
                resolved_on=p.resolved_on,
            )
            for p in promises
        ],
        breaches=[scoring.BreachEvent(id=b.pk, text=b.description, on=b.date) for b in breaches],
    )


@dataclass
class Chart:
    line: str
    felt: list
    markers: list
    gridlines: list
    first_day: object
    last_day: object
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT


def build_chart(points, checkins):
    """SVG coordinates for the score line, the check-ins and the event markers.

    Long ranges are bucketed to at most MAX_CHART_POINTS columns so the page stays
    small; a bucket shows its last score and its worst event.
    """
    step = max(1, -(-len(points) // MAX_CHART_POINTS))
    buckets = [points[i : i + step] for i in range(0, len(points), step)]
    span = max(1, len(buckets) - 1)
    plot_width = CHART_WIDTH - CHART_PAD_LEFT - CHART_PAD_RIGHT

    def x(index):
        return round(CHART_PAD_LEFT + plot_width * index / span, 1)

    def y(score):
        return round(CHART_PAD_Y + (CHART_HEIGHT - 2 * CHART_PAD_Y) * (10 - score) / 10, 1)

    line, markers, column_of_day = [], [], {}
    for index, bucket in enumerate(buckets):
        last = bucket[-1]
        line.append(f"{x(index)},{y(last.score)}")
        kinds = {cause.kind for point in bucket for cause in point.causes}
        for kind in ("breach", "broken", "kept"):
            if kind in kinds:
                markers.append({"x": x(index), "y": y(last.score), "kind": kind})
                break
        for point in bucket:
            column_of_day[point.day] = index
    felt = [
        {"x": x(column_of_day[c.date]), "y": y(c.felt_trust), "value": c.felt_trust, "day": c.date}
        for c in checkins
        if c.date in column_of_day
    ]
    gridlines = [{"y": y(level), "label": level} for level in (0, 5, 10)]
    return Chart(" ".join(line), felt, markers, gridlines, points[0].day, points[-1].day)


def _resolutions(promises):
    resolved = sorted(
        (p for p in promises if p.status != Status.OPEN),
        key=lambda p: (p.resolved_on, p.resolved_at or timezone.now(), p.pk),
    )
    return [Resolution(p.resolved_on, p.status == Status.KEPT) for p in resolved]


def _promise_lists(promises, today):
    open_promises = [p for p in promises if p.status == Status.OPEN]
    return {
        "overdue": [p for p in open_promises if p.due_date < today],
        "due_today": [p for p in open_promises if p.due_date == today],
        "upcoming": [
            p for p in open_promises if today < p.due_date <= today + timedelta(days=UPCOMING_DAYS)
        ],
    }


def dashboard_context(request, relationship, range_key):
    today = timezone.localdate()
    promises = list(relationship.promises.select_related("lesson__guide"))
    timeline = timeline_for(relationship, promises, relationship.breaches.all(), today)
    days = RANGES[range_key]
    shown = timeline.points if days is None else timeline.points[-days:]
    checkins = list(relationship.checkins.filter(date__gte=shown[0].day).order_by("date", "pk"))
    latest_checkin = checkins[-1] if checkins else relationship.checkins.first()
    resolutions = _resolutions(promises)
    lesson = next_lesson(request.user, relationship.kind)
    return {
        "nav": "dashboard",
        "relationship": relationship,
        "relationships": request.user.relationships.filter(archived=False),
        "today": today,
        "timeline": timeline,
        "score": timeline.current,
        "change_7": timeline.change_since(7),
        "change_30": timeline.change_since(30),
        "range_key": range_key,
        "ranges": RANGES,
        "shown_points": shown,
        "table_points": [p for p in shown if p.causes] or shown[-1:],
        "chart": build_chart(shown, checkins),
        "checkins": checkins,
        "latest_checkin": latest_checkin,
        "diverges": latest_checkin is not None
        and abs(latest_checkin.felt_trust - timeline.current) >= DIVERGENCE,
        "changes": timeline.changes(limit=6),
        "lists": _promise_lists(promises, today),
        "streaks": kept_streaks(resolutions),
        "milestones": milestones(resolutions, [(p.day, p.score) for p in timeline.points])[-6:],
        "lesson": lesson,
        "prompt": lesson.prompts.first() if lesson else None,
        "reflections": relationship.reflections.all()[:3],
    }


@require_GET
@login_required
def dashboard(request):
    relationship = request.user.relationships.filter(archived=False).first()
    if relationship is not None:
        return redirect("relationship_dashboard", pk=relationship.pk)
    if not Profile.for_user(request.user).onboarding_finished:
        return redirect("journal:onboarding")
    return render(request, "journal/dashboard_empty.html", {"nav": "dashboard"})


@require_GET
@login_required
def relationship_dashboard(request, pk):
    relationship = _get_relationship_for_user(request.user, pk)
    range_key = request.GET.get("range", DEFAULT_RANGE)
    if range_key not in RANGES:
        range_key = DEFAULT_RANGE
    context = dashboard_context(request, relationship, range_key)
    if request.htmx and request.GET.get("part") == "chart":
        return render(request, "journal/dashboard.html#chart", context)
    return render(request, "journal/dashboard.html", context)


def render_after_status_change(request, relationship):
    """The pieces a Kept / Broken / Undo click changes, swapped in out of band."""
    range_key = request.POST.get("range", DEFAULT_RANGE)
    context = dashboard_context(
        request, relationship, range_key if range_key in RANGES else DEFAULT_RANGE
    )
    context["announce"] = True
    return render(request, "journal/dashboard_update.html", context)
