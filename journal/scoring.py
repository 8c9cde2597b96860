"""The trust score: a relationship's track record as a daily timeline on a 0-10 scale.

Pure and standard-library only, so the rule can be read, tested and recomputed without Django.
It moves only with actions (kept and broken promises, overdue promises, new breaches), never
with words: reflections and check-ins are not inputs (002). The rule, the constants and a worked
example are in docs/trust-score.md.

One day at a time, starting from the user's estimate on the start date:

1. the day's kept promises, largest first, the k-th weighted by SAME_DAY_FACTOR ** (k - 1):
   score += weight * KEEP_GAIN[size] * (10 - score) / 10
2. then the day's losses, each floored at 0, in this order:
   overdue fees (OVERDUE_FEE[size]), broken promises (BREAK_LOSS[size]), new breaches
   (BREACH_SHARE of the score, at least BREACH_MIN_LOSS).

Why this cannot reward a broken promise or punish a kept one (property 2): every step above maps
a lower score to a lower-or-equal score, so a day's steps compose into a non-decreasing map and
two histories stay ordered day after day. Adding a loss inserts a step that never raises the
score; adding a kept promise only changes the day's kept block, which never gets worse (see
_apply_kept). A kept promise never adds a loss: an overdue fee belongs only to promises that are
not kept, so keeping a promise late removes its fee from the history rather than leaving it
standing. An open promise and a broken one pay the same overdue fee on the same day, so breaking
a promise only ever adds its BREAK_LOSS.
"""

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

MIN_SCORE = 0.0
MAX_SCORE = 10.0

SIZES = ("small", "medium", "large")
STATUSES = ("open", "kept", "broken")

# The most keeping a promise can gain, reached only at score 0: the gain is scaled by the distance
# to the top, (10 - score) / 10, so the higher the trust the smaller each step (harder near the
# top). Rebuilding is slow and made of repetition (001 section 19, 003: コツコツ): a small promise
# kept every day takes 2 to about 3 in two weeks and to about 4 in a month, a large one counts as
# three small ones. The largest gain must stay below 1 / (3 * 0.9) ~ 0.37 so that at score 1,
# where no loss can exceed 1, breaking still costs three times keeping (property 3).
KEEP_GAIN = {"small": 0.1, "medium": 0.2, "large": 0.3}

# Trust is lost in an instant (001, 003): breaking a promise costs a flat four times the most that
# keeping it could ever gain, whatever the score. Since a gain is at most 9/10 of KEEP_GAIN in the
# range 1-9, a break costs 40 / (10 - score) >= 4.4 times a keep there, and still 3.7 times at
# score 1 for a large promise, where the floor at 0 caps the loss at 1.
BREAK_MULTIPLIER = 4.0
BREAK_LOSS = {size: BREAK_MULTIPLIER * gain for size, gain in KEEP_GAIN.items()}

# A due date that passes without the promise kept is visible to the other person whatever the user
# records later, so every promise not kept costs a quarter of its break the day after it was due:
# an open one (which the dashboard also flags), and a broken one too. It is charged once: leaving
# a promise open must not keep draining the score, because a broken promise, which would have to
# pay the same (property 2), would then be punished forever.
OVERDUE_SHARE = 0.25
OVERDUE_FEE = {size: OVERDUE_SHARE * loss for size, loss in BREAK_LOSS.items()}

# Consistency beats bursts (000 "Show Consistency", 003): the k-th promise kept on the same day,
# largest first, counts SAME_DAY_FACTOR ** (k - 1). However many small promises are kept on one
# day, together they gain less than two kept on two different days (the weights sum to under 2).
SAME_DAY_FACTOR = 0.5

# A new breach is the kind of event that started all this: it at least halves the score, and
# costs at least BREACH_MIN_LOSS (more than breaking a large promise), so even a low score is
# knocked down further. 003: a broken trust ends below where it started.
BREACH_SHARE = 0.5
BREACH_MIN_LOSS = 2.0

# A cause's delta is its exact effect rounded to this many decimals, which removes float noise
# such as -0.30000000000000004 without hiding anything a display could show: the causes of a
# point add up to its delta within a few millionths.
CAUSE_DELTA_DECIMALS = 6


# Named tuples, not dataclasses: a five-year timeline has thousands of them, and a tuple is
# the cheapest object Python builds (computing, pickling to the cache and back).
class PromiseEvent(NamedTuple):
    id: int
    text: str
    size: str  # "small" | "medium" | "large"
    due: date
    status: str  # "open" | "kept" | "broken"
    resolved_on: date | None  # local date the status was set; None while open


class BreachEvent(NamedTuple):
    """A new breach recorded after the start (the breach that started it all is the start)."""

    id: int
    text: str
    on: date


class Cause(NamedTuple):
    kind: str  # "start" | "kept" | "broken" | "overdue" | "breach"
    ref_id: int | None  # promise id or breach id; None for the start
    text: str  # promise or breach text; "" for the start (the UI names it in its own language)
    on: date  # the day it applied
    delta: float  # its effect on the score, rounded to CAUSE_DELTA_DECIMALS
    size: str | None  # the promise's size; None for the start and for breaches


class Point(NamedTuple):
    day: date
    score: float  # full precision; display rounds to 1 decimal
    delta: float  # change from the previous day; on the first day, from the start estimate
    causes: tuple[Cause, ...]  # in the order they applied; empty when nothing happened


class Checkpoint(NamedTuple):
    """What computing a timeline on from `point`'s day needs (compute_timeline's `since`)."""

    point: Point  # the last day already computed
    earlier_changes: tuple[Point, ...]  # the latest points with causes before it, newest first


@dataclass(frozen=True, slots=True)
class Timeline:
    points: tuple[Point, ...]  # one per day from the start date (or a checkpoint) to today
    overdue_ids: tuple[int, ...] = ()
    earlier_changes: tuple[Point, ...] = ()  # from a checkpoint: points with causes before

    def score_on(self, day: date) -> float:
        """The score at the end of `day`, clamped to the timeline's first and last days."""
        offset = (day - self.points[0].day).days
        return self.points[min(max(offset, 0), len(self.points) - 1)].score

    @property
    def current(self) -> float:
        return self.points[-1].score

    def change_since(self, days: int) -> float:
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        return self.current - self.score_on(self.points[-1].day - timedelta(days=days))

    def changes(self, limit: int) -> list[Point]:
        """The latest points that have causes, newest first (the first point has the start)."""
        with_causes = (point for point in reversed(self.points) if point.causes)
        return list(itertools.islice(itertools.chain(with_causes, self.earlier_changes), limit))

    def overdue(self) -> tuple[int, ...]:
        """Ids, ascending, of promises still open on `today` whose due date has passed."""
        return self.overdue_ids

    def checkpoint(self, changes: int) -> Checkpoint:
        """Where to go on from the last day, with up to `changes` earlier points that have
        causes (as many as `changes()` will be asked for)."""
        last = self.points[-1]
        earlier = [point for point in self.changes(changes + 1) if point.day < last.day]
        return Checkpoint(last, tuple(earlier[:changes]))


def compute_timeline(
    *,
    start_score: float,
    start_date: date,
    today: date,
    promises: Iterable[PromiseEvent] = (),
    breaches: Iterable[BreachEvent] = (),
    since: Checkpoint | None = None,
) -> Timeline:
    """The daily score from start_date to today, each point carrying the events that moved it.

    Events dated after `today` are ignored and events dated before `start_date` apply on it.
    A kept or broken promise without resolved_on counts as resolved on its due date. If today is
    before start_date, the timeline is the single start point.

    With `since` (a checkpoint of the same history, Timeline.checkpoint), the timeline goes on
    from there: its points start with the checkpoint's, events on or before its day are left
    out, and `promises` need only hold those with an event after it. Overdue ids are those of
    the promises given.
    """
    if math.isnan(start_score):
        raise ValueError("start_score must be a number")
    score = min(max(float(start_score), MIN_SCORE), MAX_SCORE)
    first, last = start_date.toordinal(), max(today, start_date).toordinal()
    events, overdue_ids = _events_by_day(first, today.toordinal(), promises, breaches)

    points = []
    if since is None:  # the first day: the start, and that day's events
        day = date.fromordinal(first)
        causes = [Cause("start", None, "", start_date, 0.0, None)]
        new_score = _apply_day(score, sorted(events.pop(first, ())), day, causes)
        points.append(_new(Point, (day, new_score, new_score - score, tuple(causes))))
        first, score = first + 1, new_score
    else:
        points.append(since.point)
        first, score = since.point.day.toordinal() + 1, since.point.score
    fromordinal, append = date.fromordinal, points.append
    for ordinal in range(first, last + 1):
        day_events = events.get(ordinal)
        if day_events is None:  # nothing happened
            append(_new(Point, (fromordinal(ordinal), score, 0.0, ())))
        else:
            day, causes = fromordinal(ordinal), []
            new_score = _apply_day(score, sorted(day_events), day, causes)
            append(_new(Point, (day, new_score, new_score - score, tuple(causes))))
            score = new_score
    earlier_changes = () if since is None else since.earlier_changes
    return Timeline(tuple(points), tuple(sorted(overdue_ids)), earlier_changes)


# Point(...) and Cause(...) run a Python-level __new__; a timeline builds thousands of them.
_new = tuple.__new__


# Where journal.dashboard checkpoints a long timeline to go on from (its cached History): 40 to 55
# days back, moving on HISTORY_STEP days at a time, so that the history is computed again every
# two weeks or so rather than every day, and the 30-day view always lies after it.
HISTORY_LAG, HISTORY_STEP = 40, 16


def history_boundary(today: date) -> date:
    ordinal = today.toordinal()
    return date.fromordinal(ordinal - HISTORY_LAG - ordinal % HISTORY_STEP)


# A day's events apply in this order: kept promises first, then the losses (see the top).
_KEPT, _OVERDUE, _BROKEN, _BREACH = range(4)
_KINDS = ("kept", "overdue", "broken", "breach")
_SIZE_RANK = {size: rank for rank, size in enumerate(SIZES)}


def _events_by_day(first, today, promises, breaches):
    """Each day's events (as day ordinals) as sortable tuples: (kind, -size rank, id, text,
    arrival, size), so that sorting a day's list puts them in the order they apply, largest
    promise first; the arrival number keeps equal events in the order they came."""
    events = defaultdict(list)
    overdue_ids = []
    arrival = 0
    for promise in promises:
        pk, text, size, due, status, resolved_on = promise
        if size not in _SIZE_RANK or status not in STATUSES:
            _check_promise(promise)
        due = due.toordinal()
        resolved = due if resolved_on is None else resolved_on.toordinal()
        resolved_by_today = status != "open" and resolved <= today
        rank = -_SIZE_RANK[size]
        arrival += 1
        if status == "kept":
            if resolved_by_today:
                events[max(resolved, first)].append((_KEPT, rank, pk, text, arrival, size))
        else:
            if due + 1 <= today:
                events[max(due + 1, first)].append((_OVERDUE, rank, pk, text, arrival, size))
            if resolved_by_today:
                events[max(resolved, first)].append((_BROKEN, rank, pk, text, arrival, size))
        if not resolved_by_today and due < today:
            overdue_ids.append(pk)
    for breach in breaches:
        on = breach.on.toordinal()
        if on <= today:
            arrival += 1
            events[max(on, first)].append((_BREACH, 0, breach.id, breach.text, arrival, None))
    return events, overdue_ids


def _check_promise(promise: PromiseEvent) -> None:
    if promise.size not in KEEP_GAIN:
        raise ValueError(f"promise {promise.id}: size must be one of {SIZES}, not {promise.size!r}")
    if promise.status not in STATUSES:
        raise ValueError(
            f"promise {promise.id}: status must be one of {STATUSES}, not {promise.status!r}"
        )


def _apply_day(score: float, events: list, day: date, causes: list[Cause]) -> float:
    """Apply one day's events, sorted: its kept promises largest first, with geometric
    same-day weights, then its losses, each floored at 0.

    Kept promises: each step multiplies the distance to the top, 10 - score, by
    (1 - w_k * g_k / 10), where the gains g_1 >= g_2 >= ... are sorted and w_k = d ** (k - 1),
    0 < d < 1. The day's result only depends on S = sum_k f(w_k * g_k) with
    f(a) = -log(1 - a / 10), which is increasing with f(0) = 0, and a larger S means a higher
    score.

    Claim: inserting one more gain g* into the sorted list never lowers S, so adding a kept
    promise never lowers the score (property 2). Say g* lands at position j (g* >= g_j). With
    a_k = w_k * g_k for the old list, the terms before j are unchanged, g* adds f(w_j * g*), and
    each old g_k with k >= j moves down one place, losing f(a_k) - f(d * a_k). Because
    d * a_k = w_{k+1} * g_k >= w_{k+1} * g_{k+1} = a_{k+1}, each such loss is at most
    f(a_k) - f(a_{k+1}) (with a_{n+1} = 0), so together they telescope to at most
    f(a_j) = f(w_j * g_j) <= f(w_j * g*), which is what g* adds.
    """
    weight = 1.0
    for kind, _rank, ref_id, text, _arrival, size in events:
        if kind == _KEPT:
            gain = weight * KEEP_GAIN[size] * (MAX_SCORE - score) / MAX_SCORE
            new_score = min(score + gain, MAX_SCORE)
            weight *= SAME_DAY_FACTOR
        else:
            if kind == _BREACH:
                cost = max(BREACH_SHARE * score, BREACH_MIN_LOSS)
            elif kind == _OVERDUE:
                cost = OVERDUE_FEE[size]
            else:
                cost = BREAK_LOSS[size]
            new_score = max(score - cost, MIN_SCORE)
        delta = round(new_score - score, CAUSE_DELTA_DECIMALS)
        causes.append(_new(Cause, (_KINDS[kind], ref_id, text, day, delta, size)))
        score = new_score
    return score
