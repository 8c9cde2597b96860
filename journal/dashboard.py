"""The signed-in home page: one relationship's score, chart, promises and next steps."""

import itertools
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Q, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from guides.catalogue import catalogue
from guides.models import Guide, Lesson, content_version
from guides.progress import next_lesson
from journal import insights, scoring
from journal.insights import Progress, Resolution, Streaks
from journal.models import CheckIn, Profile, Promise, Status, remembered_reverse
from journal.pagecache import CSRF_PLACEHOLDER, cached_html, page_key, with_csrf_token
from journal.rows import KEPT_UNDER, ROW_FIELDS, rendered_rows
from journal.scoring import history_boundary
from journal.views import _get_relationship_for_user
from trustrepair.memo import Memo

RANGES = {"30": 30, "90": 90, "365": 365, "all": None}
DEFAULT_RANGE = "30"
UPCOMING_DAYS = 14
DIVERGENCE = 2
CHART_WIDTH, CHART_HEIGHT = 640, 220
CHART_PAD_LEFT, CHART_PAD_RIGHT, CHART_PAD_Y = 28, 8, 10
MAX_CHART_POINTS = 400
CACHE_SECONDS = 60 * 60  # track records, Recent, check-ins
HISTORY_CACHE_SECONDS = 60 * 60 * 24  # promise texts: no longer than a day
# What every click reads, kept as objects in each process too (trustrepair.memo): Histories and
# Recents (one a relationship in use); the promise rows are journal.rows'.
MEMO_SECONDS = 10 * 60
HISTORIES = Memo(size=256, seconds=MEMO_SECONDS)
RECENTS = Memo(size=256, seconds=MEMO_SECONDS)  # by the text of a relationship's recent_state
# A History with its points, for the longer ranges: about 1 MB for five years of daily use.
HISTORY_POINTS = Memo(size=16, seconds=MEMO_SECONDS)
LONG_TRACK_RECORDS = Memo(size=32, seconds=MEMO_SECONDS)  # their points are the same objects
# The columns of long ranges' charts before the history boundary (build_chart's `settled`)
CHART_COLUMNS = Memo(size=64, seconds=MEMO_SECONDS)
MONTH_ROWS = Memo(size=64, seconds=MEMO_SECONDS)  # and the months of their data tables
MONTHLY_TABLE_DAYS = 365  # a range this long is listed in the data table a month a row
MONTH_COUNTS = ("kept", "broken", "overdue", "breach")
CHANGES_SHOWN = 6  # "why did it move?"
MILESTONES_SHOWN = 6
RECENT_FORMAT = 1  # of Relationship.recent_state: a new one when RecentPromise's fields change


class RecentPromise(NamedTuple):
    """A promise as the dashboard reads it: a named tuple, several times cheaper to build than
    a model instance. The fields up to lesson_id are what its row shows (promise_rows), with
    the link and titles of the lesson that lesson_id names (LESSON_FIELDS)."""

    pk: int
    text: str
    size: str
    due_date: date
    status: str
    resolved_on: date | None
    lesson_id: int | None
    resolved_at: datetime | None
    lesson_slug: str | None
    lesson_title_en: str | None
    lesson_title_ja: str | None
    lesson_guide_slug: str | None


class RecentBreach(NamedTuple):
    pk: int
    date: date
    description: str


EVENT_FIELDS = 6  # the first six: a scoring.PromiseEvent's, in its order (timeline_for)
TIMELINE_FIELDS = (*ROW_FIELDS, "resolved_at")  # RecentPromise's first fields: KEPT_UNDER
LESSON_FIELDS = ("lesson__slug", "lesson__title_en", "lesson__title_ja", "lesson__guide__slug")
NO_LESSON = (None,) * len(LESSON_FIELDS)


def timeline_for(relationship, promises, breaches, today, since=None):
    return scoring.compute_timeline(
        start_score=relationship.starting_trust,
        start_date=relationship.breach_date,
        today=today,
        since=since,
        promises=[scoring.PromiseEvent._make(p[:EVENT_FIELDS]) for p in promises],
        breaches=[scoring.BreachEvent(id=b.pk, text=b.description, on=b.date) for b in breaches],
    )


def _chart_y(score):
    return round(CHART_PAD_Y + (CHART_HEIGHT - 2 * CHART_PAD_Y) * (10 - score) / 10, 1)


GRIDLINES = mark_safe(
    "".join(
        f'<line class="grid" x1="{CHART_PAD_LEFT}" x2="{CHART_WIDTH}" y1="{_chart_y(level)}" '
        f'y2="{_chart_y(level)}"></line><text class="axis" x="0" y="{_chart_y(level)}" dy="5">'
        f"{level}</text>"
        for level in (0, 5, 10)
    )
)


@dataclass
class Chart:
    line: str  # the score line's points
    marks: str  # SVG: the event markers and the check-ins
    first_day: object
    last_day: object
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    grid: str = GRIDLINES


def build_chart(points, checkins, settled=None):
    """SVG coordinates for the score line, the check-ins and the event markers.

    Long ranges are bucketed to at most MAX_CHART_POINTS columns so the page stays
    small; a bucket shows its last score and its worst event. `points` are one a day.

    `settled`: (a key, a day) when the points before that day are named by the key (a
    History's: they change only with it). The columns wholly before the day are then drawn
    once per key, range and length, and kept in this process: a click in a long range draws
    the weeks since the history boundary, not five years again.
    """
    step = max(1, -(-len(points) // MAX_CHART_POINTS))
    columns = -(-len(points) // step)
    span = max(1, columns - 1)
    plot_width = CHART_WIDTH - CHART_PAD_LEFT - CHART_PAD_RIGHT
    xs = [round(CHART_PAD_LEFT + plot_width * index / span, 1) for index in range(columns)]
    first_day = points[0].day
    done, line, marks = 0, (), ()
    if settled is not None:
        key, day = settled
        done = min(columns, max(0, (day - first_day).days // step))
    if done:
        line, marks = CHART_COLUMNS.get_or_set(
            (key, first_day, len(points), done), lambda: _chart_columns(points, xs, step, 0, done)
        )
    more_line, more_marks = _chart_columns(points, xs, step, done, columns)
    felt, y = [], _chart_y
    for checkin in checkins:
        offset = (checkin.date - first_day).days
        if 0 <= offset < len(points):
            felt.append(
                f'<circle class="felt" cx="{xs[offset // step]}" cy="{y(checkin.felt_trust)}" '
                'r="4.5"></circle>'
            )
    return Chart(
        " ".join((*line, *more_line)),
        mark_safe("".join((*marks, *more_marks, *felt))),
        first_day,
        points[-1].day,
    )


def _chart_columns(points, xs, step, start, stop):
    """The line's points and the event markers of the chart's columns start to stop.

    The markers are SVG written here, as the line is: numbers and our own class names only,
    and a template loop over them took longer than the rest of the card."""
    y = _chart_y
    line, marks = [], []
    for index in range(start, stop):
        x = xs[index]
        bucket = points[index * step : (index + 1) * step]
        last_y = y(bucket[-1].score)
        line.append(f"{x},{last_y}")
        kinds = {cause.kind for point in bucket if point.causes for cause in point.causes}
        for kind in ("breach", "broken", "kept"):
            if kind in kinds:
                marks.append(_marker(kind, x, last_y))
                break
    return tuple(line), tuple(marks)


def _marker(kind, x, y):
    """A kept promise is a circle; a broken one or a breach, a diamond."""
    if kind == "kept":
        return f'<circle class="marker kept" cx="{x}" cy="{y}" r="4"></circle>'
    return (
        f'<rect class="marker {kind}" x="{round(x - 4, 1)}" y="{round(y - 4, 1)}" width="8" '
        f'height="8" transform="rotate(45 {x} {y})"></rect>'
    )


class Month(NamedTuple):
    """A row of a long range's data table."""

    first_day: date
    score: float  # at its end (or at the end of the range)
    delta: float  # its change
    counts: tuple  # (cause kind, how many), in the order of MONTH_COUNTS
    felt: int | None  # its last check-in


def months(points, checkins, settled=None):
    """The points and check-ins of a long range a month at a time: a year of days, or five,
    is a table no one can read (nor download on a phone); the chart shows them day by day.

    `settled`: as for build_chart. The months wholly before the day's month are tabled once
    per key, range and length, and kept in this process; their check-ins, which change
    without the history, are filled in each time."""
    felt = {(c.date.year, c.date.month): c.felt_trust for c in checkins}  # oldest first
    done, rows = 0, ()
    if settled is not None:
        key, day = settled
        done = min(len(points), max(0, (day.replace(day=1) - points[0].day).days))
    if done:
        rows = MONTH_ROWS.get_or_set(
            (key, points[0].day, len(points), done), lambda: _month_rows(points[:done])
        )
    return [
        row._replace(felt=felt.get((row.first_day.year, row.first_day.month)))
        for row in (*rows, *_month_rows(points[done:]))
    ]


def _month_rows(points):
    """`points` a month a row, without their check-ins."""
    rows = []
    for (year, month), days in itertools.groupby(points, key=lambda p: (p.day.year, p.day.month)):
        days = list(days)
        before = days[0].score - days[0].delta
        kinds = Counter(c.kind for p in days for c in p.causes if c.kind != "start")
        rows.append(
            Month(
                date(year, month, 1),
                days[-1].score,
                days[-1].score - before,
                tuple((kind, kinds[kind]) for kind in MONTH_COUNTS if kinds[kind]),
                None,
            )
        )
    return tuple(rows)


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


@dataclass(frozen=True)
class Recent:
    """What the dashboard reads of a relationship's latest weeks: its breaches, and the
    promises with an event since the history boundary and the open ones (all of them for a
    relationship younger than the history), as RecentBreach and RecentPromise tuples.

    It is the Recent of a score_version, which every change to them bumps. Each worker keeps
    it in its cache under that version (cached_recent); a status change carries it over to
    the new version (carry_over) and keeps it in the relationship's row (Carry), where
    the next click finds it in whichever worker takes it."""

    breaches: tuple
    promises: tuple


def cache_key(name, *parts):
    return ":".join((name, *(str(part) for part in parts)))


def cached_recent(relationship, today):
    """The relationship's Recent as read (`relationship` freshly read): from its row (as the
    click before left it), this worker's cache, or the database."""
    boundary = history_boundary(today)
    version = relationship.score_version
    return stored_recent(relationship, version, boundary) or cache.get_or_set(
        _recent_key(relationship, version, boundary),
        lambda: _read_recent(relationship, boundary),
        CACHE_SECONDS,
    )


def _recent_key(relationship, score_version, boundary):
    return cache_key("recent", relationship.pk, score_version, relationship.breach_date, boundary)


def _read_recent(relationship, boundary):
    promises = relationship.promises.values_list(*TIMELINE_FIELDS, *LESSON_FIELDS)
    if boundary > relationship.breach_date:
        promises = promises.filter(
            Q(due_date__gte=boundary) | Q(resolved_on__gt=boundary) | Q(status=Status.OPEN)
        )
    breaches = relationship.breaches.values_list(*RecentBreach._fields)
    return Recent(
        tuple(map(RecentBreach._make, breaches)), tuple(map(RecentPromise._make, promises))
    )


def _recent_stamp(relationship, score_version, boundary):
    """What a Recent is the Recent of: a score_version, a breach date (which the promises read
    depend on) and a history boundary."""
    return [
        RECENT_FORMAT,
        score_version,
        relationship.breach_date.isoformat(),
        boundary.isoformat(),
    ]


def recent_state(relationship, recent, boundary):
    """`recent`, the Recent of the relationship's score_version now, as its recent_state:
    JSON stamped with what it is the Recent of (stored_recent checks the stamp: any other
    change to a promise or breach moves score_version and so makes it stale). Of a lesson
    only its id: its link and titles are content, which changes on its own."""
    return json.dumps(
        {
            "stamp": _recent_stamp(relationship, relationship.score_version, boundary),
            "breaches": [(b.pk, b.date.isoformat(), b.description) for b in recent.breaches],
            "promises": [
                (
                    *p[:3],
                    p.due_date.isoformat(),
                    p.status,
                    p.resolved_on and p.resolved_on.isoformat(),
                    p.lesson_id,
                    p.resolved_at and p.resolved_at.isoformat(),
                )
                for p in recent.promises
            ],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def stored_recent(relationship, score_version, boundary):
    """The Recent kept in the relationship's row as it was read, if it is the Recent of
    `score_version` (and of the relationship's breach date and `boundary`); otherwise None.
    Its lessons' links and titles as the content is now (lesson_links). A state that cannot
    be read (written by another version of this code, or edited by hand) is no state.

    The state a worker wrote (Carry) it has kept as it was (RECENTS): its next click reads
    it back without parsing it."""
    text = relationship.recent_state or "{}"
    key = (text, content_version())
    wanted = _recent_stamp(relationship, score_version, boundary)
    stamp, recent = RECENTS.get(key) or (None, None)
    if recent is None:
        try:
            state = json.loads(text)
        except ValueError:
            return None
        stamp = state.get("stamp")
        if stamp != wanted:
            return None
        recent = _parse_recent(state, lesson_links())
        RECENTS.set(key, (stamp, recent))
    return recent if stamp == wanted else None


def _parse_recent(state, lessons):
    day, moment = date.fromisoformat, datetime.fromisoformat
    return Recent(
        tuple(RecentBreach(pk, day(on), text) for pk, on, text in state["breaches"]),
        tuple(
            RecentPromise(
                pk,
                text,
                size,
                day(due),
                status,
                resolved and day(resolved),
                lesson,
                at and moment(at),
                *lessons.get(lesson, NO_LESSON),
            )
            for pk, text, size, due, status, resolved, lesson, at in state["promises"]
        ),
    )


def compute_track_record(relationship, today, range_key, recent=None):
    """The track record for the range, from the relationship's Recent (read if not given).

    It goes on from the cached History (or, for a relationship younger than that, from the
    start) with the Recent promises. A range longer than the days since the history boundary
    shows the history's own points too (this process's, history_points).
    """
    days = RANGES[range_key]
    boundary = history_boundary(today)
    recent = recent or cached_recent(relationship, today)
    if boundary > relationship.breach_date:
        if _after_the_history(range_key, today):
            history, earlier = cached_history(relationship, boundary, recent.breaches), ()
        else:
            history, earlier = history_points(relationship, boundary, recent.breaches)
        since, progress_so_far = history.checkpoint, history.progress
    else:  # younger than the history: all of it, from the start
        since, progress_so_far, earlier = None, Progress(), ()
    timeline = timeline_for(relationship, recent.promises, recent.breaches, today, since)
    resolutions = _resolutions(recent.promises)
    if since is not None:
        resolutions = [r for r in resolutions if r.day > since.point.day]
    daily_scores = [(p.day, p.score) for p in timeline.points[0 if since is None else 1 :]]
    progress = insights.progress(resolutions, daily_scores, since=progress_so_far)
    # The history's last point is the timeline's first: the checkpoint.
    points = earlier[:-1] + timeline.points if earlier else timeline.points
    return TrackRecord(
        score=timeline.current,
        change_7=timeline.change_since(7),
        change_30=timeline.change_since(30),
        changes=timeline.changes(limit=CHANGES_SHOWN),
        streaks=progress.streaks,
        milestones=list(progress.reached[-MILESTONES_SHOWN:]),
        shown_points=points if days is None else points[-days:],
    )


def _after_the_history(range_key, today):
    """Whether the range fits in the days since the history boundary (the 30-day one does)."""
    days = RANGES[range_key]
    return days is not None and (today - history_boundary(today)).days >= days


def _full_track_record(relationship, today, breaches, *, history=False):
    """The timeline from the start to `today`, and the progress, from every promise: all of
    it, or for a History only what was resolved by then."""
    promises = list(relationship.promises.values_list(*TIMELINE_FIELDS, named=True))
    timeline = timeline_for(relationship, promises, breaches, today)
    resolutions = [r for r in _resolutions(promises) if not history or r.day <= today]
    return timeline, insights.progress(resolutions, [(p.day, p.score) for p in timeline.points])


def _history_key(relationship, boundary):
    """Names a History: its relationship's history_version (bumped by the signals when a
    change touches a day that old), starting point and boundary (which moves every
    HISTORY_STEP days)."""
    return cache_key(
        "history",
        relationship.pk,
        relationship.history_version,
        relationship.starting_trust,
        relationship.breach_date,
        boundary,
    )


def _compute_history(relationship, boundary, breaches):
    timeline, progress = _full_track_record(relationship, boundary, breaches, history=True)
    return History(timeline.checkpoint(changes=CHANGES_SHOWN), progress), timeline.points


def cached_history(relationship, boundary, breaches):
    """The History up to `boundary`, kept while nothing on or before it changes."""
    key = _history_key(relationship, boundary)

    def compute():
        return _compute_history(relationship, boundary, breaches)[0]

    return HISTORIES.get_or_set(key, lambda: cache.get_or_set(key, compute, HISTORY_CACHE_SECONDS))


def history_points(relationship, boundary, breaches):
    """The History up to `boundary` and its timeline's points, one a day from the start, for
    the ranges that show them. Kept in this process only: five years of points take about
    as long to unpickle from the cache as to compute."""
    key = _history_key(relationship, boundary)
    found = HISTORY_POINTS.get(key)
    if found is None:
        found = _compute_history(relationship, boundary, breaches)
        HISTORY_POINTS.set(key, found)
        HISTORIES.set(key, found[0])
        cache.set(key, found[0], HISTORY_CACHE_SECONDS)
    return found


def cached_track_record(relationship, today, range_key, recent):
    """compute_track_record, kept while nothing it depends on changes: the relationship's
    promises and breaches (Relationship.score_version, bumped on every save and delete),
    its starting point, and the user's today (which also covers a change of time zone).

    `relationship` must be freshly read, so that its score_version is current. A range
    longer than the days since the history boundary is kept in this process only (as its
    history's points are, history_points): its points would take longer to pickle for the
    cache and back than to put together.
    """
    key = cache_key(
        "track-record",
        relationship.pk,
        relationship.score_version,
        relationship.starting_trust,
        relationship.breach_date,
        today,
        range_key,
    )

    def compute():
        return compute_track_record(relationship, today, range_key, recent)

    if _after_the_history(range_key, today):
        return cache.get_or_set(key, compute, CACHE_SECONDS)
    return LONG_TRACK_RECORDS.get_or_set(key, compute)


def cached_checkins(relationship, today, range_key, since):
    """The check-ins from `since`, the first day the range shows, oldest first, and the latest
    one ever: kept under entries_version, which every check-in moves and no promise does."""
    key = cache_key("checkins", relationship.pk, relationship.entries_version, today, range_key)
    return cache.get_or_set(key, lambda: _checkins_since(relationship, since), CACHE_SECONDS)


def _checkins_since(relationship, since):
    """The check-ins from `since` on, oldest first, and the latest one ever, in one query."""
    ours = CheckIn.objects.filter(relationship_id=relationship.pk)
    latest = ours.order_by("-date", "-pk").values("pk")[:1]
    checkins = list(
        ours.filter(Q(date__gte=since) | Q(pk=Subquery(latest)))
        .order_by("date", "pk")
        .values_list("pk", "date", "felt_trust", named=True)
    )
    return [c for c in checkins if c.date >= since], (checkins[-1] if checkins else None)


class Carry:
    """Passed as `also` to a status change of `promise` (Promise.set_status): its
    relationship's Recent after the change, carried over from the one before (carry_over),
    is written in the same UPDATE as the versions the change bumps, and kept here for the
    response. Made before the change, in the transaction or the written-only-if block that
    makes it: the Recent of before is read then, if it has to be, so that the change's
    writes can go out together after it."""

    def __init__(self, promise, today):
        self.promise = promise
        self.boundary = history_boundary(today)
        self.before = cached_recent(promise.relationship, today)
        self.recent = None

    def __call__(self, relationship):
        self.recent = carry_over(relationship, self.promise, self.before, self.boundary)
        text = recent_state(relationship, self.recent, self.boundary)
        stamp = _recent_stamp(relationship, relationship.score_version, self.boundary)
        RECENTS.set((text, content_version()), (stamp, self.recent))
        return {"recent_state": text}


def carry_over(relationship, promise, before, boundary):
    """After a status change of `promise` took the relationship from the Recent `before` to
    its score_version now, in the transaction (or the one statement) that made it: the
    Recent of now.

    `before` with the promise's new status is the Recent of now, if the promise is among its
    promises (any promise just resolved or reopened, unless reopened after weeks). Otherwise
    it is read.
    """
    if promise.pk not in {p.pk for p in before.promises}:
        return _read_recent(relationship, boundary)
    changed = {  # (the status as the plain string reading it back gives, not a Status)
        "status": str(promise.status),
        "resolved_on": promise.resolved_on,
        "resolved_at": promise.resolved_at,
    }
    promises = tuple(p._replace(**changed) if p.pk == promise.pk else p for p in before.promises)
    return Recent(before.breaches, promises)


def _resolutions(promises):
    resolved = sorted(
        (p for p in promises if p.status != Status.OPEN),
        key=lambda p: (p.resolved_on, p.resolved_at or timezone.now(), p.pk),
    )
    return [Resolution(p.resolved_on, p.status == Status.KEPT) for p in resolved]


def _promise_lists(promises, today):
    """Open promises up to two weeks ahead, and today's resolved ones (so a mis-click can be
    undone right there), from the Recent promises (every open one is there)."""
    last_day = today + timedelta(days=UPCOMING_DAYS)
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


# The promise lists' headings, in the order the dashboard shows them (_promise_lists).
PROMISE_GROUPS = {
    "overdue": _("Overdue"),
    "due_today": _("Due today"),
    "upcoming": _("Coming up"),
    "resolved_today": _("Marked today"),
}


def promise_rows(lists, relationship, today, range_key):
    """Each non-empty list as (its heading, its rows' HTML one after the other), in the
    order of PROMISE_GROUPS: the card's loop then writes a heading and a string per list.
    The rows are kept for what they show (journal.rows): after a Kept click only the row
    that changed is rendered."""
    path = remembered_reverse("relationship_dashboard", relationship.pk)
    if range_key != DEFAULT_RANGE:
        path += f"?range={range_key}"
    shared = ("dashboard", today, get_language(), range_key, path, content_version())
    listed = {p.pk: p for ps in lists.values() for p in ps}
    shown = {pk: (p[: len(KEPT_UNDER)], shared) for pk, p in listed.items()}
    context = {
        "today": today,
        "from_dashboard": True,
        "hx_target": "#promises-card",
        "range_key": range_key,
        "next": path,
    }
    rows = rendered_rows(shown, context, lambda pk: _listed_promise(listed[pk]))
    return [
        (heading, mark_safe("".join(rows[p.pk] for p in lists[name])))
        for name, heading in PROMISE_GROUPS.items()
        if lists[name]
    ]


def lesson_links():
    """Each lesson's LESSON_FIELDS by id, as the content is now (guides.catalogue: read once
    per content version and process, as objects; unpickling it from the cache on every click
    cost more)."""
    return catalogue().links


def _listed_promise(p):
    """The Promise, with its lesson, that a RecentPromise describes: what its row shows, with
    no query."""
    promise = Promise(**{"id" if name == "pk" else name: getattr(p, name) for name in ROW_FIELDS})
    if p.lesson_slug is not None:  # (None for a lesson deleted since the promise was read)
        promise.lesson = Lesson(
            id=p.lesson_id,
            slug=p.lesson_slug,
            title_en=p.lesson_title_en,
            title_ja=p.lesson_title_ja,
            guide=Guide(slug=p.lesson_guide_slug),
        )
    return promise


def dashboard_context(request, relationship, range_key, recent=None):
    """The score, chart and promise lists. `relationship` must be freshly read (its versions
    name the cached track record); `recent`, its Recent if a status change just carried it
    over: its track record is new, and seldom asked for again before the next change, so it
    is computed and not kept."""
    today = timezone.localdate()
    if recent is None:
        recent = cached_recent(relationship, today)
        record = cached_track_record(relationship, today, range_key, recent)
    else:
        record = compute_track_record(relationship, today, range_key, recent)
    shown = record.shown_points
    boundary = history_boundary(today)
    # The days before the boundary, which a click leaves as they were (build_chart).
    settled = (_history_key(relationship, boundary), boundary)
    checkins, latest_checkin = cached_checkins(relationship, today, range_key, shown[0].day)
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
        # Drawn only if the chart card is rendered, not when it comes from the cache (five
        # years take 1.7 ms).
        "table_months": SimpleLazyObject(lambda: months(shown, checkins, settled))
        if len(shown) >= MONTHLY_TABLE_DAYS
        else None,
        "table_points": [p for p in shown if p.causes] or shown[-1:],
        "chart": SimpleLazyObject(lambda: build_chart(shown, checkins, settled)),
        "checkins": checkins,
        "latest_checkin": latest_checkin,
        "diverges": latest_checkin is not None
        and abs(latest_checkin.felt_trust - record.score) >= DIVERGENCE,
        "changes": record.changes,
        "lists": _promise_lists(recent.promises, today),
        "streaks": record.streaks,
        "milestones": record.milestones,
        "fragment_key": fragment_key(relationship, record, checkins, range_key),
    }


def fragment_key(relationship, record, checkins, range_key):
    """Names exactly what the chart, "why did it move?" and streak cards show, so their
    rendered HTML can be cached: the same key always renders the same HTML. They are kept
    while the relationship's score_version stays (reflections, lesson progress and the
    other relationships move its page, not them). A change of the score renders them again,
    even back to a state rendered before (a Kept click and its Undo): that is the cost of a
    real click, which the benchmark's Kept / Undo pairs would otherwise not pay."""
    return hash(
        (
            relationship.pk,
            relationship.score_version,
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
    content = catalogue()
    lesson = next_lesson(request.user, relationship.kind)
    prompts = content.prompts_of(lesson) if lesson else ()
    return {
        "relationships": request.user.relationships.filter(archived=False),
        "lesson": lesson,
        "prompt": prompts[0] if prompts else None,
        "suggestions": content.suggestions_of(lesson) if lesson else (),
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
        context["promise_rows"] = promise_rows(
            context["lists"], relationship, context["today"], range_key
        )
        return render_to_string("journal/dashboard_body.html", context, request)

    body = cached_html(request, page_key("dashboard", request, relationship), render_body)
    return render(request, "journal/dashboard.html", {"nav": "dashboard", "body": body})


def render_after_status_change(request, promise, recent):
    """The pieces a Kept / Broken / Undo click on `promise` changes, swapped in out of band.
    `recent`: the relationship's Recent after the click, if carried over (carry_over)."""
    # The relationship was read with the promise, under a lock or with the write checking it
    # unchanged (journal.views._change_promise), and its versions followed the write's bumps:
    # they name this state's caches.
    relationship = promise.relationship
    range_key = request.POST.get("range", DEFAULT_RANGE)
    if range_key not in RANGES:
        range_key = DEFAULT_RANGE
    context = dashboard_context(request, relationship, range_key, recent)
    rows = promise_rows(context["lists"], relationship, context["today"], range_key)
    context.update(promise_rows=rows, oob=True, csrf_token=CSRF_PLACEHOLDER)
    html = render_to_string("journal/dashboard_body.html#after-status-change", context, request)
    return HttpResponse(with_csrf_token(request, html))
