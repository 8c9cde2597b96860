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


def kept_streaks(resolutions: list[Resolution]) -> Streaks:
    """`resolutions` in the order they happened."""
    current = longest = 0
    for resolution in resolutions:
        current = current + 1 if resolution.kept else 0
        longest = max(longest, current)
    return Streaks(current, longest)


def milestones(resolutions: list[Resolution], daily_scores: list[tuple[date, float]]):
    """Every milestone reached, oldest first, each with the day it was first reached."""
    reached: list[Milestone] = []
    kept = in_a_row = 0
    for resolution in resolutions:
        in_a_row = in_a_row + 1 if resolution.kept else 0
        if not resolution.kept:
            continue
        kept += 1
        if kept in KEPT_COUNT_MILESTONES:
            reached.append(Milestone("kept", kept, resolution.day))
        if in_a_row in IN_A_ROW_MILESTONES:
            reached.append(Milestone("in_a_row", in_a_row, resolution.day))
    reached += _day_streak_milestones(resolutions)
    reached += _score_milestones(daily_scores)
    first_times = {}
    for milestone in reached:
        first_times.setdefault((milestone.key, milestone.value), milestone)
    return sorted(first_times.values(), key=lambda milestone: milestone.day)


def _day_streak_milestones(resolutions):
    kept_days = {r.day for r in resolutions if r.kept} - {r.day for r in resolutions if not r.kept}
    reached, run, previous = [], 0, None
    for day in sorted(kept_days):
        run = run + 1 if previous == day - timedelta(days=1) else 1
        previous = day
        if run in DAY_STREAK_MILESTONES:
            reached.append(Milestone("day_streak", run, day))
    return reached


def _score_milestones(daily_scores):
    """The first day the score rose to each level from below it."""
    reached = []
    for level in SCORE_MILESTONES:
        below = False
        for day, score in daily_scores:
            if score < level:
                below = True
            elif below:
                reached.append(Milestone("score", level, day))
                break
    return reached
