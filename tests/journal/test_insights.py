"""Streaks and milestones: pure functions, no database."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from journal.insights import Milestone, Resolution, Streaks, kept_streaks, milestones, progress

START = date(2026, 1, 1)


def day(n):
    return START + timedelta(days=n)


def kept(n):
    return Resolution(day(n), True)


def broken(n):
    return Resolution(day(n), False)


def keys(reached, key):
    return [(m.value, m.day) for m in reached if m.key == key]


def test_no_resolutions_no_streak():
    assert kept_streaks([]) == Streaks(0, 0)


def test_kept_promises_in_a_row_make_a_streak():
    assert kept_streaks([kept(0), kept(1), kept(1)]) == Streaks(3, 3)


def test_a_broken_promise_ends_the_streak():
    assert kept_streaks([kept(0), kept(1), kept(2), broken(3), kept(4)]) == Streaks(1, 3)


def test_a_broken_promise_last_leaves_no_current_streak():
    assert kept_streaks([kept(0), broken(1)]) == Streaks(0, 1)


def test_nothing_kept_no_milestones():
    assert milestones([broken(0)], [(day(0), 3.0)]) == []


def test_the_first_kept_promise_is_a_milestone():
    assert milestones([broken(0), kept(2)], []) == [Milestone("kept", 1, day(2))]


def test_kept_count_milestones():
    reached = milestones([kept(n) if n % 2 else broken(n) for n in range(60)], [])
    assert keys(reached, "kept") == [(1, day(1)), (10, day(19)), (25, day(49))]


def test_seven_kept_in_a_row():
    history = [kept(0)] * 6 + [broken(1)] + [kept(2)] * 7
    assert keys(milestones(history, []), "in_a_row") == [(7, day(2))]


def test_six_in_a_row_is_not_seven():
    assert keys(milestones([kept(0)] * 6, []), "in_a_row") == []


def test_thirty_in_a_row():
    reached = milestones([kept(n) for n in range(30)], [])
    assert keys(reached, "in_a_row") == [(7, day(6)), (30, day(29))]


def test_a_day_streak_counts_consecutive_days():
    reached = milestones([kept(n) for n in range(8)], [])
    assert keys(reached, "day_streak") == [(7, day(6))]


def test_several_kept_on_one_day_count_as_one_day():
    reached = milestones([kept(0)] * 10, [])
    assert keys(reached, "day_streak") == []
    assert keys(reached, "kept") == [(1, day(0)), (10, day(0))]


def test_a_gap_restarts_the_day_streak():
    history = [kept(n) for n in range(6)] + [kept(n) for n in range(7, 13)]
    assert keys(milestones(history, []), "day_streak") == []


def test_a_day_with_a_broken_promise_breaks_the_day_streak():
    history = [kept(n) for n in range(10)] + [broken(3)]
    assert keys(milestones(history, []), "day_streak") == []
    history = [kept(n) for n in range(11)] + [broken(3)]
    assert keys(milestones(history, []), "day_streak") == [(7, day(10))]


def test_a_thirty_day_streak():
    reached = milestones([kept(n) for n in range(30)], [])
    assert keys(reached, "day_streak") == [(7, day(6)), (30, day(29))]


def test_the_score_passing_5_is_a_milestone():
    scores = [(day(0), 3.0), (day(1), 4.9), (day(2), 5.0), (day(3), 4.0), (day(4), 5.5)]
    assert milestones([], scores) == [Milestone("score", 5, day(2))]


def test_the_score_passing_5_and_8():
    scores = [(day(n), 2.0 + n * 0.5) for n in range(15)]
    assert keys(milestones([], scores), "score") == [(5, day(6)), (8, day(12))]


def test_starting_at_5_is_not_passing_it():
    assert milestones([], [(day(0), 5.0), (day(1), 6.0)]) == []


def test_coming_back_to_5_after_a_fall_counts():
    scores = [(day(0), 6.0), (day(1), 4.0), (day(2), 5.2)]
    assert milestones([], scores) == [Milestone("score", 5, day(2))]


def test_staying_just_below_5_is_not_a_milestone():
    assert milestones([], [(day(0), 4.0), (day(1), 4.99)]) == []


def test_milestones_come_oldest_first():
    scores = [(day(0), 4.0), (day(3), 5.1)]
    reached = milestones([kept(1), kept(5)], scores)
    assert [m.day for m in reached] == sorted(m.day for m in reached)
    assert reached[0] == Milestone("kept", 1, day(1))
    assert Milestone("score", 5, day(3)) in reached


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.booleans()), max_size=80).map(
        lambda pairs: [Resolution(day(n), kept) for n, kept in sorted(pairs, key=lambda p: p[0])]
    ),
    st.lists(st.floats(0, 10), min_size=1, max_size=61),
    st.integers(0, 60),
)
def test_going_on_from_a_stored_progress_is_computing_from_the_start(resolutions, scores, cut):
    """journal.dashboard keeps the progress up to some weeks back and goes on from there."""
    daily = [(day(n), score) for n, score in enumerate(scores)]
    before = progress([r for r in resolutions if r.day <= day(cut)], daily[: cut + 1])
    resumed = progress([r for r in resolutions if r.day > day(cut)], daily[cut + 1 :], since=before)
    full = progress(resolutions, daily)
    assert resumed == full
    assert list(full.reached) == milestones(resolutions, daily)
    assert full.streaks == kept_streaks(resolutions)
