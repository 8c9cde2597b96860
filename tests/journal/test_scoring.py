"""Properties of the trust score (PRODUCT.md, "Trust score"), checked over random histories.

Plain pytest and Hypothesis, no database: journal.scoring is pure Python.
"""

import inspect
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from journal.scoring import (
    BREACH_MIN_LOSS,
    BREAK_LOSS,
    OVERDUE_FEE,
    SIZES,
    BreachEvent,
    PromiseEvent,
    Timeline,
    compute_timeline,
)

START = date(2024, 1, 1)
HORIZON_DAYS = 40
TOLERANCE = 1e-9
DOC = Path(__file__).resolve().parents[2] / "docs" / "trust-score.md"

property_settings = settings(max_examples=200, deadline=None)


def day(offset: int) -> date:
    return START + timedelta(days=offset)


@dataclass(frozen=True)
class History:
    start_score: float
    today: date
    promises: tuple[PromiseEvent, ...]
    breaches: tuple[BreachEvent, ...]

    def timeline(self, **changes) -> Timeline:
        inputs = {
            "start_score": self.start_score,
            "start_date": START,
            "today": self.today,
            "promises": self.promises,
            "breaches": self.breaches,
        }
        return compute_timeline(**(inputs | changes))

    def plus(self, promise: PromiseEvent) -> "History":
        return replace(self, promises=(*self.promises, promise))


texts = st.sampled_from(["Call when I'm late", "Cook dinner", "Be home by 7", "Fix the bike"])
offsets = st.integers(-5, HORIZON_DAYS + 5)


@st.composite
def promises(draw, promise_id: int, status: str | None = None) -> PromiseEvent:
    status = status or draw(st.sampled_from(["open", "kept", "broken"]))
    resolved_on = None if status == "open" else draw(st.none() | offsets.map(day))
    return PromiseEvent(
        id=promise_id,
        text=draw(texts),
        size=draw(st.sampled_from(SIZES)),
        due=day(draw(offsets)),
        status=status,
        resolved_on=resolved_on,
    )


@st.composite
def histories(draw, max_promises: int = 12) -> History:
    promise_count = draw(st.integers(0, max_promises))
    breach_count = draw(st.integers(0, 2))
    return History(
        start_score=draw(st.floats(0, 10)),
        today=day(draw(st.integers(0, HORIZON_DAYS))),
        promises=tuple(draw(promises(promise_id)) for promise_id in range(promise_count)),
        breaches=tuple(
            BreachEvent(id=breach_id, text="Hid a message again", on=day(draw(offsets)))
            for breach_id in range(breach_count)
        ),
    )


EXTRA_ID = 10_000


def scores(timeline: Timeline) -> list[float]:
    return [point.score for point in timeline.points]


def assert_never_lower(higher: Timeline, lower: Timeline) -> None:
    assert [p.day for p in higher.points] == [p.day for p in lower.points]
    for high, low in zip(scores(higher), scores(lower), strict=True):
        assert high >= low - TOLERANCE


def one_event_change(start_score: float, size: str, status: str) -> float:
    promise = PromiseEvent(1, "Promise", size, START, status, START)
    timeline = compute_timeline(
        start_score=start_score, start_date=START, today=START, promises=[promise]
    )
    return timeline.current - start_score


# 1. Always within 0-10.
@property_settings
@given(histories())
def test_every_point_is_within_zero_and_ten(history):
    assert all(0 <= score <= 10 for score in scores(history.timeline()))


# 2. A kept promise never lowers it; a broken promise never raises it.
@property_settings
@given(histories(), promises(EXTRA_ID, "kept"))
def test_adding_a_kept_promise_never_lowers_any_day(history, kept):
    assert_never_lower(history.plus(kept).timeline(), history.timeline())


@property_settings
@given(histories(), promises(EXTRA_ID, "broken"))
def test_adding_a_broken_promise_never_raises_any_day(history, broken):
    assert_never_lower(history.timeline(), history.plus(broken).timeline())


@property_settings
@given(histories(), promises(EXTRA_ID, "open"), st.none() | offsets.map(day))
def test_resolving_an_open_promise_moves_the_right_way(history, open_promise, resolved_on):
    kept = open_promise._replace(status="kept", resolved_on=resolved_on)
    broken = open_promise._replace(status="broken", resolved_on=resolved_on)
    left_open = history.plus(open_promise).timeline()
    assert_never_lower(history.plus(kept).timeline(), left_open)
    assert_never_lower(left_open, history.plus(broken).timeline())


# 3. Lost fast, rebuilt slowly.
@property_settings
@given(st.floats(1, 9), st.sampled_from(SIZES))
def test_breaking_costs_at_least_three_times_what_keeping_gains(start_score, size):
    gain = one_event_change(start_score, size, "kept")
    loss = -one_event_change(start_score, size, "broken")
    assert gain > 0
    assert loss >= 3 * gain


# 4. Harder near the top.
@property_settings
@given(st.floats(0, 10), st.floats(0, 10), st.sampled_from(SIZES))
def test_a_kept_promise_gains_less_the_higher_the_score(lower, higher, size):
    lower, higher = sorted((lower, higher))
    assume(higher - lower > 1e-6)
    assert one_event_change(lower, size, "kept") > one_event_change(higher, size, "kept")


# 5. Consistency beats bursts.
@property_settings
@given(st.floats(0, 9.9), st.integers(2, 10), st.sampled_from(SIZES))
def test_promises_kept_on_different_days_beat_the_same_promises_on_one_day(
    start_score, count, size
):
    last_day = day(count - 1)

    def score_at_the_end(resolution_days: list[date]) -> float:
        kept = [
            PromiseEvent(n, "Promise", size, resolved_on, "kept", resolved_on)
            for n, resolved_on in enumerate(resolution_days)
        ]
        return compute_timeline(
            start_score=start_score, start_date=START, today=last_day, promises=kept
        ).current

    spread = score_at_the_end([day(n) for n in range(count)])
    burst = score_at_the_end([START] * count)
    assert spread > burst


# 6. An open promise past its due date weighs on it, and is flagged.
@property_settings
@given(histories(), promises(EXTRA_ID, "open"))
def test_an_overdue_open_promise_lowers_the_score_and_is_flagged(history, open_promise):
    assume(open_promise.due < history.today)
    without = history.timeline()
    with_overdue = history.plus(open_promise).timeline()
    assert_never_lower(without, with_overdue)
    fee_day = max(open_promise.due + timedelta(days=1), START)
    weighed = with_overdue.score_on(fee_day)
    assert weighed < without.score_on(fee_day) or weighed == 0
    assert EXTRA_ID in with_overdue.overdue()
    assert EXTRA_ID not in without.overdue()


@property_settings
@given(histories(), promises(EXTRA_ID, "open"))
def test_an_open_promise_not_yet_due_changes_nothing(history, open_promise):
    assume(open_promise.due >= history.today)
    with_promise = history.plus(open_promise).timeline()
    assert scores(with_promise) == scores(history.timeline())
    assert EXTRA_ID not in with_promise.overdue()


def test_keeping_a_promise_late_leaves_no_overdue_cost():
    late = PromiseEvent(1, "Fix the bike", "medium", day(3), "kept", day(6))
    timeline = compute_timeline(start_score=5, start_date=START, today=day(8), promises=[late])
    assert [(c.kind, c.on) for p in timeline.points for c in p.causes] == [
        ("start", START),
        ("kept", day(6)),
    ]
    assert timeline.overdue() == ()


def test_an_open_promise_pays_its_overdue_fee_once():
    open_promise = PromiseEvent(1, "Fix the bike", "large", day(3), "open", None)
    timeline = compute_timeline(
        start_score=5, start_date=START, today=day(30), promises=[open_promise]
    )
    overdue = [c for p in timeline.points for c in p.causes if c.kind == "overdue"]
    assert [(c.on, c.delta) for c in overdue] == [(day(4), -OVERDUE_FEE["large"])]
    assert timeline.current == pytest.approx(5 - OVERDUE_FEE["large"])
    assert timeline.overdue() == (1,)


# 7. Deterministic.
@property_settings
@given(histories(), st.randoms(use_true_random=False))
def test_input_order_does_not_matter(history, random):
    shuffled_promises = list(history.promises)
    shuffled_breaches = list(history.breaches)
    random.shuffle(shuffled_promises)
    random.shuffle(shuffled_breaches)
    shuffled = history.timeline(promises=shuffled_promises, breaches=shuffled_breaches)
    assert shuffled == history.timeline()


@property_settings
@given(histories(), st.integers(1, 30))
def test_a_later_today_keeps_the_shared_days(history, extra_days):
    now = history.timeline()
    later = history.timeline(today=history.today + timedelta(days=extra_days))
    assert later.points[: len(now.points)] == now.points


# 8. Explainable.
@property_settings
@given(histories())
def test_every_change_is_explained_by_its_causes(history):
    timeline = history.timeline()
    previous = min(max(history.start_score, 0), 10)
    for point in timeline.points:
        assert point.delta == pytest.approx(point.score - previous, abs=TOLERANCE)
        if abs(point.delta) > TOLERANCE:
            assert point.causes
        assert sum(c.delta for c in point.causes) == pytest.approx(point.delta, abs=1e-5)
        assert all(c.on == point.day for c in point.causes)
        previous = point.score


@property_settings
@given(histories())
def test_every_event_in_range_is_a_cause_exactly_once(history):
    today = history.today
    expected = [("start", None)]
    for promise in history.promises:
        resolved_on = promise.resolved_on or promise.due
        if promise.status != "open" and resolved_on <= today:
            expected.append((promise.status, promise.id))
        if promise.status != "kept" and promise.due < today:
            expected.append(("overdue", promise.id))
    expected += [("breach", breach.id) for breach in history.breaches if breach.on <= today]
    causes = [(c.kind, c.ref_id) for p in history.timeline().points for c in p.causes]
    assert sorted(causes, key=repr) == sorted(expected, key=repr)


# 9. Starts from the user's estimate.
@property_settings
@given(st.floats(-5, 15), histories())
def test_the_first_point_is_the_users_estimate(start_score, history):
    later_events = history.timeline(
        start_score=start_score,
        promises=[
            p for p in history.promises if p.due >= START and (p.resolved_on or p.due) > START
        ],
        breaches=[b for b in history.breaches if b.on > START],
        today=START + timedelta(days=HORIZON_DAYS),
    )
    first = later_events.points[0]
    assert first.score == min(max(start_score, 0), 10)
    assert first.delta == 0
    assert [c.kind for c in first.causes] == ["start"]


@property_settings
@given(st.floats(0, 10))
def test_a_new_breach_costs_at_least_half_and_at_least_two_points(start_score):
    breach = BreachEvent(1, "Hid a message again", START)
    after = compute_timeline(
        start_score=start_score, start_date=START, today=START, breaches=[breach]
    ).current
    assert start_score - after >= min(start_score, max(start_score / 2, BREACH_MIN_LOSS))
    assert after <= max(start_score - BREAK_LOSS["large"], 0)


def test_words_are_not_inputs():
    parameters = set(inspect.signature(compute_timeline).parameters)
    assert parameters == {"start_score", "start_date", "today", "promises", "breaches", "since"}


def test_events_are_placed_by_the_stated_rules():
    promises = [
        PromiseEvent(1, "Before the start", "small", day(-10), "kept", day(-3)),
        PromiseEvent(2, "No resolution date", "medium", day(4), "kept", None),
        PromiseEvent(3, "Resolved after today", "large", day(2), "broken", day(20)),
    ]
    breaches = [BreachEvent(1, "After today", day(12))]
    timeline = compute_timeline(
        start_score=3, start_date=START, today=day(10), promises=promises, breaches=breaches
    )
    placed = [(c.kind, c.ref_id, c.on) for p in timeline.points for c in p.causes]
    assert placed == [
        ("start", None, START),
        ("kept", 1, START),
        ("overdue", 3, day(3)),
        ("kept", 2, day(4)),
    ]
    assert timeline.overdue() == (3,)


def test_today_before_the_start_gives_the_start_point_alone():
    timeline = compute_timeline(start_score=12, start_date=START, today=day(-4))
    assert [(p.day, p.score) for p in timeline.points] == [(START, 10.0)]


def test_unknown_sizes_and_statuses_are_refused():
    for promise in (
        PromiseEvent(1, "Promise", "huge", START, "kept", START),
        PromiseEvent(1, "Promise", "small", START, "forgotten", START),
    ):
        with pytest.raises(ValueError):
            compute_timeline(start_score=3, start_date=START, today=START, promises=[promise])


def test_timeline_queries():
    promises = [
        PromiseEvent(1, "Cook dinner", "medium", day(2), "kept", day(2)),
        PromiseEvent(2, "Call when I'm late", "small", day(5), "broken", day(5)),
    ]
    timeline = compute_timeline(start_score=3, start_date=START, today=day(9), promises=promises)
    assert timeline.score_on(day(-1)) == timeline.score_on(START) == 3
    assert timeline.score_on(day(99)) == timeline.current
    assert timeline.change_since(4) == timeline.current - timeline.score_on(day(5))
    assert timeline.change_since(365) == timeline.current - 3
    assert [p.day for p in timeline.changes(3)] == [day(6), day(5), day(2)]
    assert [p.day for p in timeline.changes(10)] == [day(6), day(5), day(2), START]
    with pytest.raises(ValueError):
        timeline.change_since(-1)


def test_a_heavy_history_of_two_thousand_promises_over_five_years():
    days = 5 * 365
    today = day(days)
    mix = [
        (size, status) for size in SIZES for status in ("kept", "kept", "kept", "broken", "open")
    ]
    promises = []
    for n in range(2000):
        size, status = mix[n % len(mix)]
        promises.append(PromiseEvent(n, f"Promise {n}", size, day(n * days // 2000), status, None))
    timeline = compute_timeline(start_score=2, start_date=START, today=today, promises=promises)
    assert len(timeline.points) == days + 1
    assert all(0 <= score <= 10 for score in scores(timeline))
    assert len(timeline.overdue()) == sum(p.status == "open" and p.due < today for p in promises)


# The worked example in docs/trust-score.md, recomputed so the doc and the module cannot drift.
EXAMPLE_START = date(2025, 3, 1)
EXAMPLE_TODAY = date(2025, 3, 31)


def example_day(day_of_march: int) -> date:
    return date(2025, 3, day_of_march)


EXAMPLE_PROMISES = [
    PromiseEvent(1, "Text when I'm running late", "small", example_day(2), "kept", example_day(2)),
    PromiseEvent(2, "Cook dinner on Monday", "medium", example_day(3), "kept", example_day(3)),
    PromiseEvent(3, "Take the kids to the dentist", "large", example_day(5), "kept", None),
    PromiseEvent(4, "Be home by 7", "small", example_day(5), "kept", example_day(5)),
    PromiseEvent(5, "Call when I'm late", "small", example_day(8), "broken", example_day(8)),
    PromiseEvent(6, "Fix the bike", "medium", example_day(10), "open", None),
    PromiseEvent(7, "Plan the weekend together", "large", example_day(12), "kept", example_day(14)),
    PromiseEvent(8, "Go to the counselling session", "medium", example_day(27), "kept", None),
]
EXAMPLE_BREACHES = [BreachEvent(1, "Hid a message again", example_day(20))]


def doc_table(heading: str) -> list[list[str]]:
    section = DOC.read_text(encoding="utf-8").split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if rows and not line.startswith("|"):
            break
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    header, separator, *body = rows
    assert header == ["Date", "Event", "Promise or breach", "Size", "Due", "Delta", "Score"]
    assert set("".join(separator)) <= set("-: ")
    return body


def test_the_worked_example_in_the_docs_matches_the_module():
    timeline = compute_timeline(
        start_score=4.5,
        start_date=EXAMPLE_START,
        today=EXAMPLE_TODAY,
        promises=EXAMPLE_PROMISES,
        breaches=EXAMPLE_BREACHES,
    )
    due_dates = {p.id: p.due for p in EXAMPLE_PROMISES}
    computed = []
    for point in timeline.points:
        running_score = point.score - point.delta
        for cause in point.causes:
            running_score += cause.delta
            if cause.kind == "start":
                continue
            due = due_dates[cause.ref_id].isoformat() if cause.size else "—"
            computed.append(
                [
                    cause.on.isoformat(),
                    cause.kind,
                    cause.text,
                    cause.size or "—",
                    due,
                    f"{cause.delta:+.2f}",
                    f"{running_score:.2f}",
                ]
            )
    assert len(computed) == 10
    assert doc_table("## Worked example") == computed
    text = DOC.read_text(encoding="utf-8")
    assert f"ends the month at **{timeline.current:.2f}**" in text
    assert f"shown as **{timeline.current:.1f}**" in text
    assert timeline.overdue() == (6,)


# Going on from a checkpoint (journal.dashboard keeps one from some weeks back) must give
# exactly the timeline computed from the start.


@property_settings
@given(histories(max_promises=20), st.integers(0, HORIZON_DAYS), st.integers(0, 8))
def test_going_on_from_a_checkpoint_is_computing_from_the_start(history, cut, changes):
    assume(day(cut) < history.today)
    full = history.timeline()
    checkpoint = history.timeline(today=day(cut)).checkpoint(changes=changes)
    later = [
        promise
        for promise in history.promises
        if max(promise.due, promise.resolved_on or promise.due) >= day(cut)
    ]
    resumed = history.timeline(since=checkpoint, promises=later)

    assert resumed.points == full.points[cut:]
    assert resumed.changes(changes) == full.changes(changes)
    assert resumed.current == full.current
    for days in range(history.today.toordinal() - day(cut).toordinal() + 1):  # back to the cut
        assert resumed.change_since(days) == full.change_since(days)


def test_a_checkpoint_keeps_the_latest_earlier_changes():
    promises = [
        PromiseEvent(n, f"Promise {n}", "small", day(n), "kept", day(n)) for n in range(1, 6)
    ]
    timeline = compute_timeline(start_score=3, start_date=START, today=day(5), promises=promises)
    checkpoint = timeline.checkpoint(changes=2)
    assert checkpoint.point == timeline.points[-1]
    assert [point.day for point in checkpoint.earlier_changes] == [day(4), day(3)]
