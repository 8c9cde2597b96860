"""Streaks and milestones from a relationship's track record. Pure: no Django import.

A streak counts kept promises in a row, in the order they were resolved; a broken
promise ends it. A "day streak" counts consecutive calendar days on each of which
at least one promise was kept and none was broken.
"""

from dataclasses import dataclass
from datetime import date, timedelta

KEPT_COUNT_MILESTONES = (1, 10, 25, 50, 100, 250, 500, 1000)
IN_A_ROW_MILESTONES = (7, 30)
DAY_STREAK_MILESTONES = (7, 30)
SCORE_MILESTONES = (5, 8)


@dataclass(frozen=True)
class Resolution:
    day: date
    kept: bool


@dataclass(frozen=True)
class Streaks:
    current: int
    longest: int


@dataclass(frozen=True)
class Milestone:
    key: str  # "kept" | "in_a_row" | "day_streak" | "score"
    value: int
    day: date


@dataclass(frozen=True)
class Progress:
    """Everything the resolutions and daily scores so far carry forward, so that the streaks
    and milestones of a long history can go on from a stored point instead of from the start
    (journal.dashboard keeps one from before the last few weeks)."""

    kept: int = 0
    in_a_row: int = 0  # kept promises since the last broken one: the current streak
    longest: int = 0
    day_run: int = 0  # consecutive days, up to last_kept_day, with a kept and no broken
    last_kept_day: date | None = None
    below: tuple[bool, ...] = (False,) * len(SCORE_MILESTONES)  # seen below each level
    reached: tuple[Milestone, ...] = ()  # every milestone reached, oldest first

    @property
    def streaks(self) -> Streaks:
        return Streaks(self.in_a_row, self.longest)


def progress(
    resolutions: list[Resolution],
    daily_scores: list[tuple[date, float]],
    since: Progress = Progress(),  # noqa: B008 (immutable)
) -> Progress:
    """`since` carried forward through `resolutions` (in the order they happened) and
    `daily_scores` (oldest first), all of them after the days `since` has seen."""
    kept, in_a_row, longest = since.kept, since.in_a_row, since.longest
    reached: list[Milestone] = []
    for resolution in resolutions:
        in_a_row = in_a_row + 1 if resolution.kept else 0
        longest = max(longest, in_a_row)
        if not resolution.kept:
            continue
        kept += 1
        if kept in KEPT_COUNT_MILESTONES:
            reached.append(Milestone("kept", kept, resolution.day))
        if in_a_row in IN_A_ROW_MILESTONES:
            reached.append(Milestone("in_a_row", in_a_row, resolution.day))
    day_run, last_kept_day = _day_streaks(resolutions, since, reached)
    below = _score_milestones(daily_scores, since.below, reached)
    # Each milestone counts the first time only; the same day keeps the order above.
    seen = {(milestone.key, milestone.value) for milestone in since.reached}
    new = []
    for milestone in reached:
        if (milestone.key, milestone.value) not in seen:
            seen.add((milestone.key, milestone.value))
            new.append(milestone)
    new.sort(key=lambda milestone: milestone.day)
    return Progress(
        kept, in_a_row, longest, day_run, last_kept_day, below, since.reached + tuple(new)
    )


def kept_streaks(resolutions: list[Resolution]) -> Streaks:
    """`resolutions` in the order they happened."""
    return progress(resolutions, []).streaks


def milestones(resolutions: list[Resolution], daily_scores: list[tuple[date, float]]):
    """Every milestone reached, oldest first, each with the day it was first reached."""
    return list(progress(resolutions, daily_scores).reached)


def _day_streaks(resolutions, since, reached):
    kept_days = {r.day for r in resolutions if r.kept} - {r.day for r in resolutions if not r.kept}
    run, previous = since.day_run, since.last_kept_day
    for day in sorted(kept_days):
        run = run + 1 if previous == day - timedelta(days=1) else 1
        previous = day
        if run in DAY_STREAK_MILESTONES:
            reached.append(Milestone("day_streak", run, day))
    return run, previous


def _score_milestones(daily_scores, below, reached):
    """The first day the score rose to each level from below it; returns, for each level,
    whether the score has been below it."""
    below = list(below)
    for index, level in enumerate(SCORE_MILESTONES):
        for day, score in daily_scores:
            if score < level:
                below[index] = True
            elif below[index]:
                reached.append(Milestone("score", level, day))
                break
    return tuple(below)
