"""The signed-in home page: one relationship's score, chart, promises and next steps."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Q, Subquery
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from guides.models import content_version
from guides.progress import next_lesson
from journal import insights, scoring
from journal.insights import Progress, Resolution, Streaks
from journal.models import Profile, Status
from journal.pagecache import cached_html
from journal.scoring import history_boundary
from journal.views import _get_relationship_for_user

RANGES = {"30": 30, "90": 90, "365": 365, "all": None}
DEFAULT_RANGE = "30"
UPCOMING_DAYS = 14
DIVERGENCE = 2
CHART_WIDTH, CHART_HEIGHT = 640, 220
CHART_PAD_LEFT, CHART_PAD_RIGHT, CHART_PAD_Y = 28, 8, 10
MAX_CHART_POINTS = 400
TRACK_RECORD_CACHE_SECONDS = 60 * 60
HISTORY_CACHE_SECONDS = 60 * 60 * 24  # holds promise texts: kept no longer than a day
CHANGES_SHOWN = 6  # "why did it move?"
MILESTONES_SHOWN = 6


def timeline_for(relationship, promises, breaches, today, since=None):
    return scoring.compute_timeline(
        start_score=relationship.starting_trust,
        start_date=relationship.breach_date,
        today=today,
        since=since,
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


@dataclass(frozen=True)
class TrackRecord:
    """What the dashboard shows of a relationship's promises and breaches as of one day,
    with the timeline's points for one range only: a whole five-year timeline takes about
    as long to unpickle from the cache as to compute."""

    score: float
    change_7: float
    change_30: float
    changes: list
    streaks: Streaks
    milestones: list
    shown_points: tuple


@dataclass(frozen=True)
class History:
    """A relationship's track record up to a day some weeks back, to go on from: it changes
    only when something that old is edited (Relationship.history_version)."""

    checkpoint: scoring.Checkpoint
    progress: Progress


def compute_track_record(relationship, today, range_key):
    """The track record, and the promises to list (model instances) when computing it read
    them anyway, else None.

    A range that fits after the history boundary (the default 30 days) goes on from the
    cached History (or, for a relationship younger than that, from the start): it reads only
    the promises with an event since, plus the open ones, as model instances with their
    lessons, in the one query that also gives the lists. Longer ranges read every promise's
    few fields, and the lists in a query of their own.
    """
    days = RANGES[range_key]
    boundary = history_boundary(today)
    breaches = list(relationship.breaches.all())
    if days is not None and (today - boundary).days >= days:
        promises = relationship.promises.select_related("lesson__guide")
        if boundary > relationship.breach_date:
            history = cached_history(relationship, boundary, breaches)
            since, progress_so_far = history.checkpoint, history.progress
            promises = promises.filter(
                Q(due_date__gte=boundary) | Q(resolved_on__gt=boundary) | Q(status=Status.OPEN)
            )
        else:  # younger than the history: all of it, from the start
            since, progress_so_far = None, Progress()
        promises = list(promises)
        timeline = timeline_for(relationship, promises, breaches, today, since=since)
        resolutions = _resolutions(promises)
        if since is not None:
            resolutions = [r for r in resolutions if r.day > since.point.day]
        daily_scores = [(p.day, p.score) for p in timeline.points[0 if since is None else 1 :]]
        progress = insights.progress(resolutions, daily_scores, since=progress_so_far)
        listed = promises
    else:
        timeline, progress = _full_track_record(relationship, today, breaches)
        listed = None
    record = TrackRecord(
        score=timeline.current,
        change_7=timeline.change_since(7),
        change_30=timeline.change_since(30),
        changes=timeline.changes(limit=CHANGES_SHOWN),
        streaks=progress.streaks,
        milestones=list(progress.reached[-MILESTONES_SHOWN:]),
        shown_points=timeline.points if days is None else timeline.points[-days:],
    )
    return record, listed


def _full_track_record(relationship, today, breaches, *, history=False):
    """The timeline from the start to `today`, and the progress, from every promise: all of
    it, or for a History only what was resolved by then."""
    promises = list(
        relationship.promises.values_list(
            "pk", "text", "size", "due_date", "status", "resolved_on", "resolved_at", named=True
        )
    )
    timeline = timeline_for(relationship, promises, breaches, today)
    resolutions = [r for r in _resolutions(promises) if not history or r.day <= today]
    return timeline, insights.progress(resolutions, [(p.day, p.score) for p in timeline.points])


def cached_history(relationship, boundary, breaches):
    """The History up to `boundary`, kept while nothing on or before it changes: the key holds
    history_version (bumped by the signals when a change touches a day that old), the
    relationship's starting point and the boundary (which moves every HISTORY_STEP days)."""
    parts = (
        relationship.pk,
        relationship.history_version,
        relationship.starting_trust,
        relationship.breach_date,
        boundary,
    )
    key = "history:" + ":".join(str(part) for part in parts)
    history = cache.get(key)
    if history is None:
        timeline, progress = _full_track_record(relationship, boundary, breaches, history=True)
        history = History(timeline.checkpoint(changes=CHANGES_SHOWN), progress)
        cache.set(key, history, HISTORY_CACHE_SECONDS)
    return history


def cached_track_record(relationship, today, range_key):
    """compute_track_record, kept while nothing it depends on changes: the relationship's
    promises and breaches (Relationship.score_version, bumped on every save and delete),
    its starting point, and the user's today (which also covers a change of time zone).

    `relationship` must be freshly read, so that its score_version is current.
    """
    parts = (
        relationship.pk,
        relationship.score_version,
        relationship.starting_trust,
        relationship.breach_date,
        today,
        range_key,
    )
    key = "track-record:" + ":".join(str(part) for part in parts)
    record = cache.get(key)
    if record is not None:
        return record, None
    record, listed = compute_track_record(relationship, today, range_key)
    cache.set(key, record, TRACK_RECORD_CACHE_SECONDS)
    return record, listed


def _checkins_since(relationship, since):
    """The check-ins from `since` on, oldest first, and the latest one ever, in one query."""
    latest = relationship.checkins.order_by("-date", "-pk").values("pk")[:1]
    checkins = list(
        relationship.checkins.filter(Q(date__gte=since) | Q(pk=Subquery(latest))).order_by(
            "date", "pk"
        )
    )
    return [c for c in checkins if c.date >= since], (checkins[-1] if checkins else None)


def _resolutions(promises):
    resolved = sorted(
        (p for p in promises if p.status != Status.OPEN),
        key=lambda p: (p.resolved_on, p.resolved_at or timezone.now(), p.pk),
    )
    return [Resolution(p.resolved_on, p.status == Status.KEPT) for p in resolved]


def _promise_lists(relationship, today, promises=None):
    """Open promises up to two weeks ahead, and today's resolved ones (so a mis-click can be
    undone right there), in one query, or from `promises` (with every open one)."""
    last_day = today + timedelta(days=UPCOMING_DAYS)
    if promises is None:
        promises = relationship.promises.filter(
            Q(status=Status.OPEN, due_date__lte=last_day) | Q(resolved_on=today)
        ).select_related("lesson__guide")
    promises = sorted(
        (p for p in promises if p.resolved_on == today or p.status == Status.OPEN),
        key=lambda p: (p.due_date, p.pk),
    )
    open_promises = [p for p in promises if p.status == Status.OPEN and p.due_date <= last_day]
    return {
        "overdue": [p for p in open_promises if p.due_date < today],
        "due_today": [p for p in open_promises if p.due_date == today],
        "upcoming": [p for p in open_promises if today < p.due_date],
        "resolved_today": [p for p in promises if p.status != Status.OPEN],
    }


def dashboard_context(request, relationship, range_key):
    """The score, chart and promise lists. `relationship` must be freshly read (its versions
    name the cached track record)."""
    today = timezone.localdate()
    record, listed = cached_track_record(relationship, today, range_key)
    shown = record.shown_points
    checkins, latest_checkin = _checkins_since(relationship, shown[0].day)
    return {
        "nav": "dashboard",
        "relationship": relationship,
        "today": today,
        "score": record.score,
        "change_7": record.change_7,
        "change_30": record.change_30,
        "range_key": range_key,
        "ranges": RANGES,
        "shown_points": shown,
        "table_points": [p for p in shown if p.causes] or shown[-1:],
        "chart": build_chart(shown, checkins),
        "checkins": checkins,
        "latest_checkin": latest_checkin,
        "diverges": latest_checkin is not None
        and abs(latest_checkin.felt_trust - record.score) >= DIVERGENCE,
        "changes": record.changes,
        "lists": _promise_lists(relationship, today, listed),
        "streaks": record.streaks,
        "milestones": record.milestones,
        "fragment_key": fragment_key(relationship, record, checkins, range_key),
    }


def fragment_key(relationship, record, checkins, range_key):
    """Names exactly what the chart, "why did it move?" and streak cards show, so their
    rendered HTML can be cached: the same key always renders the same HTML."""
    return hash(
        (
            relationship.pk,
            relationship.starting_trust,
            record.score,
            tuple(record.changes),
            record.streaks,
            tuple(record.milestones),
            record.shown_points,
            tuple((c.pk, c.felt_trust, c.date) for c in checkins),
            range_key,
            get_language(),
        )
    )


def next_steps_context(request, relationship):
    """The rest of the full page: other relationships, the next lesson, recent reflections."""
    lesson = next_lesson(request.user, relationship.kind)
    return {
        "relationships": request.user.relationships.filter(archived=False),
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
    if request.htmx and request.GET.get("part") == "chart":
        context = dashboard_context(request, relationship, range_key)
        return render(request, "journal/dashboard_body.html#chart", context)

    def render_body(csrf_token):
        context = dashboard_context(request, relationship, range_key)
        context.update(next_steps_context(request, relationship), csrf_token=csrf_token)
        return render_to_string("journal/dashboard_body.html", context, request)

    body = cached_html(request, page_key(request, relationship), render_body)
    return render(request, "journal/dashboard.html", {"nav": "dashboard", "body": body})


def page_key(request, relationship):
    """Everything the rendered dashboard depends on (journal.pagecache): the relationship's
    page_version covers its own data, its owner's other relationships and lesson progress."""
    return (
        "dashboard",
        relationship.pk,
        relationship.page_version,
        request.get_full_path(),
        timezone.localdate(),
        timezone.get_current_timezone_name(),
        get_language(),
        content_version(),
    )


def render_after_status_change(request, relationship):
    """The pieces a Kept / Broken / Undo click changes, swapped in out of band."""
    # `relationship` was read and locked with the promise and its versions followed the
    # write's bumps (Promise._refresh_status_locked): they name this state's caches.
    range_key = request.POST.get("range", DEFAULT_RANGE)
    context = dashboard_context(
        request, relationship, range_key if range_key in RANGES else DEFAULT_RANGE
    )
    context["announce"] = True
    return render(request, "journal/dashboard_update.html", context)
