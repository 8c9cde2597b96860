"""A heavy user's pages cost the same number of queries as a newcomer's, and the cached
track record is always exactly what recomputing it gives. Counts, not times: the times
are bench/run.py's job (docs/benchmarks.md)."""

import re
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guides.catalogue import catalogue
from guides.models import Lesson, LessonProgress, content_version
from journal import scoring
from journal.dashboard import (
    RANGES,
    RECENTS,
    _full_track_record,
    _read_recent,
    _recent_key,
    compute_track_record,
    stored_recent,
)
from journal.models import Breach, CheckIn, Profile, Promise, Reflection, Relationship, Status
from journal.models import StatusChange as Change
from journal.scoring import history_boundary
from tests.journal.helpers import forget_cached

MAX_QUERIES = 12
HEAVY = 500


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


def fill(owner, promises):
    """A relationship a year and a half old with `promises` promises of every kind the pages
    show (kept, broken, overdue, due today, upcoming; some from a lesson), a new breach,
    reflections, check-ins and progress in the lessons. Bulk writes: fast, as in seed_demo."""
    relationship = Relationship.objects.create(
        owner=owner,
        name="Sam",
        kind="partner",
        breach_cause="lie",
        breach_date=days_ago(540),
        starting_trust=3,
    )
    lessons = list(Lesson.objects.all()[:6])
    rows = []
    spread = promises - 3  # the three below show on the dashboard as overdue, today and kept
    for n in range(spread):
        due = days_ago(530 - 540 * n // spread)  # to ten days ahead
        status = Status.OPEN if due >= days_ago(0) else (Status.KEPT, Status.BROKEN)[n % 5 == 0]
        rows.append(
            Promise(
                relationship=relationship,
                text=f"Promise {n}",
                due_date=due,
                size=("small", "medium", "large")[n % 3],
                status=status,
                resolved_on=None if status == Status.OPEN else due,
                lesson=lessons[n % len(lessons)] if n % 4 == 0 else None,
            )
        )
    Promise.objects.bulk_create(rows)
    Breach.objects.create(relationship=relationship, date=days_ago(200), cause="lie")
    Reflection.objects.bulk_create(
        Reflection(relationship=relationship, date=days_ago(n % 500), text=f"Thought {n}")
        for n in range(max(3, promises // 2))
    )
    CheckIn.objects.bulk_create(
        CheckIn(relationship=relationship, date=days_ago(n * 500 // promises), felt_trust=n % 11)
        for n in range(max(2, promises // 8))
    )
    LessonProgress.objects.bulk_create(
        LessonProgress(user=owner, lesson=lesson, status="done") for lesson in lessons[:-1]
    )
    LessonProgress.objects.create(user=owner, lesson=lessons[-1], status="in_progress")
    Promise.objects.create(relationship=relationship, text="Text", due_date=days_ago(2))
    Promise.objects.create(relationship=relationship, text="Call", due_date=days_ago(0))
    walk = Promise.objects.create(relationship=relationship, text="Walk", due_date=days_ago(3))
    walk.set_status(Status.KEPT, by=owner, on=days_ago(3))  # with a change to undo
    return relationship


@pytest.fixture(autouse=True)
def _reset_time_zone():
    """The middleware activates the user's zone for the thread; don't let it leak."""
    yield
    timezone.deactivate()


@pytest.fixture
def lessons(lessons):
    """The lessons, read as pages read them: once per content version and process, for
    everyone (guides.catalogue), so that no page below pays for it."""
    catalogue()
    return lessons


@pytest.fixture
def small(lessons, user_factory):
    return fill(user_factory("small@example.com"), promises=12)


@pytest.fixture
def heavy(lessons, user_factory):
    return fill(user_factory("heavy@example.com"), promises=HEAVY)


def client_for(relationship):
    client = Client()
    client.force_login(relationship.owner)
    client.get("/journal/")  # the first request of a session looks up the user's time zone
    return client


def dashboard_url(relationship, range_key="30"):
    return f"/dashboard/{relationship.pk}/?range={range_key}"


def relationship_url(relationship):
    return relationship.get_absolute_url()


def lesson_url(relationship):
    lesson = Lesson.objects.select_related("guide").first()
    return f"/guides/{lesson.guide.slug}/{lesson.slug}/"


def open_promise(relationship):
    return relationship.promises.filter(status=Status.OPEN).earliest("due_date", "pk")


def test_the_heavy_relationship_is_heavy(small, heavy):
    assert heavy.promises.count() == HEAVY
    assert small.promises.count() == 12
    for relationship in (small, heavy):
        statuses = set(relationship.promises.values_list("status", flat=True))
        assert statuses == {"open", "kept", "broken"}


@pytest.mark.parametrize("range_key", RANGES)
def test_the_dashboard_costs_the_same_queries_for_a_heavy_user(
    small, heavy, range_key, django_assert_max_num_queries, django_assert_num_queries
):
    clients = {small: client_for(small), heavy: client_for(heavy)}
    for state in ("computing the track record", "from the cache"):
        with django_assert_max_num_queries(MAX_QUERIES) as queries:
            response = clients[small].get(dashboard_url(small, range_key))
        assert response.status_code == HTTPStatus.OK, state
        with django_assert_num_queries(len(queries)):
            response = clients[heavy].get(dashboard_url(heavy, range_key))
        assert response.status_code == HTTPStatus.OK, state


def test_a_cached_dashboard_reads_only_the_session_the_user_and_the_relationship(heavy):
    client = client_for(heavy)
    client.get(dashboard_url(heavy))
    with CaptureQueriesContext(connection) as cached:
        response = client.get(dashboard_url(heavy))
    assert response.status_code == HTTPStatus.OK
    tables = [re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in cached]
    assert tables == ["django_session", "auth_user", "journal_relationship"]


def test_the_track_record_cache_spares_the_heavy_queries(heavy):
    client = client_for(heavy)
    with CaptureQueriesContext(connection) as computing:
        client.get(dashboard_url(heavy))
    Reflection.objects.create(relationship=heavy, date=days_ago(0), text="A new page")
    with CaptureQueriesContext(connection) as cached:
        response = client.get(dashboard_url(heavy))
    assert b"A new page" in response.content  # the page is rendered again
    reads_all_promises = [q for q in cached if re.search(r'AS "resolved_at"', q["sql"])]
    assert not reads_all_promises
    # Every promise (the history), the recent ones (which also give the lists) and the breaches.
    assert len(cached) == len(computing) - 3


@pytest.mark.parametrize(
    "page",
    [relationship_url, lambda r: "/journal/", lambda r: "/guides/", lesson_url],
    ids=["relationship", "journal", "guides", "lesson"],
)
def test_a_page_costs_the_same_queries_for_a_heavy_user(
    small, heavy, page, django_assert_max_num_queries, django_assert_num_queries
):
    small_client, heavy_client = client_for(small), client_for(heavy)
    small_client.get(page(small))  # opening a lesson starts it: count the second visit
    heavy_client.get(page(heavy))
    with django_assert_max_num_queries(MAX_QUERIES) as queries:
        assert small_client.get(page(small)).status_code == HTTPStatus.OK
    with django_assert_num_queries(len(queries)):
        assert heavy_client.get(page(heavy)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("page", [dashboard_url, relationship_url], ids=["dashboard", "journal"])
def test_a_page_right_after_a_change_costs_the_same_queries_for_a_heavy_user(small, heavy, page):
    """As the benchmark's "after a change" rows: a Kept and its Undo made from the journal
    page, then the page, which the page cache cannot serve."""
    counts = {}
    for relationship in (small, heavy):
        client = client_for(relationship)
        client.get(page(relationship))
        promise = open_promise(relationship)
        for action, data in (("status", {"status": "kept"}), ("undo", {})):
            url = f"/journal/promises/{promise.pk}/{action}/"
            assert client.post(url, data, HTTP_HX_REQUEST="true").status_code == HTTPStatus.OK
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page(relationship)).status_code == HTTPStatus.OK
        assert not any(q["sql"].startswith(("INSERT", "UPDATE")) for q in queries)
        counts[relationship] = len(queries)
    assert counts[small] == counts[heavy] <= MAX_QUERIES


@pytest.mark.parametrize("range_key", RANGES)
def test_a_workers_first_dashboard_stays_within_the_budget(heavy, range_key):
    """With nothing read yet in the process, not even the lessons (guides.catalogue): the
    history, the track record, the lessons and the page, all at once."""
    client = client_for(heavy)
    forget_cached()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(dashboard_url(heavy, range_key)).status_code == HTTPStatus.OK
    assert any("guides_lesson" in q["sql"] for q in queries)  # it did read them
    assert len(queries) <= MAX_QUERIES


def test_a_workers_first_journal_page_stays_within_the_budget(heavy):
    """With nothing read yet in the process: the page, and the lessons its promise rows link
    to (guides.catalogue)."""
    client = client_for(heavy)
    forget_cached()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(relationship_url(heavy)).status_code == HTTPStatus.OK
    assert any("guides_lesson" in q["sql"] for q in queries)  # it did read them
    assert len(queries) <= MAX_QUERIES


def test_a_workers_first_click_stays_within_the_budget(heavy):
    client_for(heavy).get(dashboard_url(heavy))  # in the other worker
    forget_cached()
    queries = write_queries(heavy, "status")
    assert any("guides_lesson" in sql for sql in queries)  # it read the lessons' links
    assert len(queries) <= MAX_QUERIES


def write_queries(relationship, action):
    """The queries of a Kept click on the dashboard (or of its Undo) as production runs them:
    on SQLite in a transaction, BEGIN IMMEDIATE included (inside the test's transaction it is
    SAVEPOINT + RELEASE SAVEPOINT instead); on PostgreSQL without one, its writes made only
    if the promise is still as read (journal.views._change_promise)."""
    promise = open_promise(relationship)
    if action == "undo":
        promise.set_status(Status.KEPT, by=relationship.owner)
    client = client_for(relationship)
    data = {"status": "kept", "from": "dashboard", "range": "30"}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"/journal/promises/{promise.pk}/{action}/", data, HTTP_HX_REQUEST="true"
        )
    assert b"hx-swap-oob" in response.content
    statements = [q["sql"] for q in queries if not re.match(r"(RELEASE )?SAVEPOINT", q["sql"])]
    if connection.vendor == "postgresql":
        assert len(statements) == len(queries)
        return statements
    assert len(statements) == len(queries) - 2
    return ["BEGIN", *statements]


def test_marking_kept_costs_the_same_queries_for_a_heavy_user(small, heavy):
    queries = write_queries(small, "status")
    assert len(queries) <= MAX_QUERIES
    assert len(write_queries(heavy, "status")) == len(queries)


def test_a_click_reads_no_check_ins_after_another_workers_click(small):
    """Each gunicorn worker has its own cache, so a click often follows one it did not see.
    Check-ins are kept under entries_version, which no promise moves: the click reads the
    recent promises again, and still not the check-ins."""
    client = client_for(small)
    client.get(dashboard_url(small))
    first, second = small.promises.filter(status=Status.OPEN).order_by("due_date", "pk")[:2]
    first.set_status(Status.KEPT, by=small.owner)  # in the other worker
    data = {"status": "kept", "from": "dashboard", "range": "30"}
    with CaptureQueriesContext(connection) as queries:
        client.post(f"/journal/promises/{second.pk}/status/", data, HTTP_HX_REQUEST="true")
    read = " ".join(q["sql"] for q in queries)
    assert "journal_breach" in read  # the recent state, read again
    assert "journal_checkin" not in read


@pytest.fixture
def young(lessons, user_factory):
    """Weeks old: younger than the cached history (journal.dashboard.History)."""
    owner = user_factory("young@example.com")
    relationship = Relationship.objects.create(
        owner=owner,
        name="Kim",
        kind="friend",
        breach_cause="lie",
        breach_date=days_ago(20),
        starting_trust=4,
    )
    for n in range(6):
        promise = Promise.objects.create(
            relationship=relationship, text=f"P{n}", due_date=days_ago(n)
        )
        if n % 2:
            promise.set_status(Status.KEPT, by=owner, on=days_ago(n))
    return relationship


@pytest.fixture
def just_older(lessons, user_factory):
    """A day older than the cached history: a history of two days, with promises kept,
    broken and left open around its boundary."""
    owner = user_factory("just-older@example.com")
    boundary = history_boundary(timezone.localdate())
    relationship = Relationship.objects.create(
        owner=owner,
        name="Ren",
        kind="work",
        breach_cause="lie",
        breach_date=boundary - timedelta(days=1),
        starting_trust=5,
    )
    for n, offset in enumerate((-1, 0, 1, 2, 3)):
        due = boundary + timedelta(days=offset)
        promise = Promise.objects.create(relationship=relationship, text=f"B{n}", due_date=due)
        if n % 3 == 0:
            promise.set_status(Status.KEPT, by=owner, on=due)
        elif n % 3 == 1:
            promise.set_status(Status.BROKEN, by=owner, on=due + timedelta(days=1))
    return relationship


def dashboard_queries(relationship):
    client = client_for(relationship)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(dashboard_url(relationship)).status_code == HTTPStatus.OK
    return len(queries)


def test_a_relationship_younger_than_the_history_costs_the_same_queries(young, heavy):
    """Once the heavy one's history is cached; computing it reads every promise once more."""
    cold = [dashboard_queries(young), dashboard_queries(heavy)]
    assert cold[1] == cold[0] + 1 <= MAX_QUERIES
    # The heavy one's history is cached now; a write makes new pages and track records.
    assert len(write_queries(young, "status")) == len(write_queries(heavy, "status"))
    # The pages go on from the recent state the writes kept, with the lessons' links and
    # titles (read once per content version for everyone: the lessons fixture).
    assert dashboard_queries(young) == dashboard_queries(heavy)


def test_undoing_costs_the_same_queries_for_a_heavy_user(small, heavy):
    assert len(write_queries(heavy, "undo")) == len(write_queries(small, "undo"))


# The cache: every change that moves the score shows at once, exactly as recomputed.


def shown_score(response):
    return re.search(rb'data-testid="score">([^<]*)<', response.content).group(1).decode()


def kept_earlier(relationship):
    return relationship.promises.filter(status=Status.KEPT).latest("due_date", "pk")


def mark_kept(client, relationship):
    promise = open_promise(relationship)
    data = {"status": "kept", "from": "dashboard", "range": "30"}
    client.post(f"/journal/promises/{promise.pk}/status/", data, HTTP_HX_REQUEST="true")


def undo(client, relationship):
    promise = relationship.promises.get(text="Walk")
    client.post(
        f"/journal/promises/{promise.pk}/undo/", {"from": "dashboard"}, HTTP_HX_REQUEST="true"
    )
    assert relationship.promises.get(text="Walk").status == Status.OPEN


def edit(client, relationship):
    promise = kept_earlier(relationship)
    data = {
        "relationship": relationship.pk,
        "text": promise.text,
        "due_date": promise.due_date.isoformat(),
        "resolved_on": promise.resolved_on.isoformat(),
        "size": "large" if promise.size != "large" else "small",
    }
    response = client.post(f"/journal/promises/{promise.pk}/edit/", data)
    assert response.status_code == HTTPStatus.FOUND


def move_away(client, relationship):
    other = Relationship.objects.create(
        owner=relationship.owner,
        name="Alex",
        kind="work",
        breach_cause="work_mistake",
        breach_date=relationship.breach_date,
        starting_trust=5,
    )
    client.get(dashboard_url(other))  # cache the other one too: it must refresh as well
    promise = kept_earlier(relationship)
    data = {
        "relationship": other.pk,
        "text": promise.text,
        "due_date": promise.due_date.isoformat(),
        "resolved_on": promise.resolved_on.isoformat(),
        "size": promise.size,
    }
    assert client.post(f"/journal/promises/{promise.pk}/edit/", data).status_code == 302
    assert_fresh(client, client.get(dashboard_url(other)), other)


def delete(client, relationship):
    promise = kept_earlier(relationship)
    client.post(f"/journal/promises/{promise.pk}/delete/")


def new_breach(client, relationship):
    data = {"date": days_ago(1).isoformat(), "cause": "lie", "description": "Again."}
    client.post(f"/journal/relationships/{relationship.pk}/breaches/new/", data)


def delete_breach(client, relationship):
    relationship.breaches.get().delete()


def edit_relationship(client, relationship):
    data = {
        "name": relationship.name,
        "kind": relationship.kind,
        "breach_cause": relationship.breach_cause,
        "breach_date": relationship.breach_date.isoformat(),
        "starting_trust": relationship.starting_trust + 2,
    }
    client.post(f"/journal/relationships/{relationship.pk}/edit/", data)


def main_without_tokens(response):
    """The dashboard in the page's <main> (not the messages above it), without CSRF tokens."""
    main = re.search(rb'<div id="announcer".*</main>', response.content, re.DOTALL).group()
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", main)


def oldest(relationship):
    return relationship.promises.exclude(status=Status.OPEN).earliest("due_date", "pk")


def keep_an_old_overdue_promise(client, relationship):
    """Its overdue fee, months back, goes: the cached history is out of date."""
    promise = Promise.objects.create(relationship=relationship, text="Old", due_date=days_ago(99))
    client.get(dashboard_url(relationship))
    data = {"status": "kept", "from": "dashboard", "range": "30"}
    client.post(f"/journal/promises/{promise.pk}/status/", data, HTTP_HX_REQUEST="true")


def edit_an_old_promise(client, relationship):
    promise = oldest(relationship)
    data = {
        "relationship": relationship.pk,
        "text": promise.text,
        "due_date": promise.due_date.isoformat(),
        "resolved_on": promise.resolved_on.isoformat(),
        "size": "large" if promise.size != "large" else "small",
    }
    assert client.post(f"/journal/promises/{promise.pk}/edit/", data).status_code == 302


def delete_an_old_promise(client, relationship):
    client.post(f"/journal/promises/{oldest(relationship).pk}/delete/")


def backdate_a_breach(client, relationship):
    data = {"date": days_ago(120).isoformat(), "cause": "lie", "description": "Found out."}
    client.post(f"/journal/relationships/{relationship.pk}/breaches/new/", data)


def assert_fresh(client, response, relationship, range_key="30"):
    """The page shows exactly what computing the track record and rendering now give."""
    assert response.status_code == HTTPStatus.OK
    relationship.refresh_from_db()
    forget_cached()  # nothing cached: the history, the track record and the page from scratch
    expected = compute_track_record(relationship, timezone.localdate(), range_key)
    assert shown_score(response) == floatformat(expected.score, 1)
    if response.context and "score" in response.context:  # rendered, not from the page cache
        context = response.context
        assert context["score"] == expected.score  # exactly, not only to one decimal
        assert (context["change_7"], context["change_30"]) == (
            expected.change_7,
            expected.change_30,
        )
        assert context["shown_points"] == expected.shown_points
        assert context["changes"] == expected.changes
        assert context["streaks"] == expected.streaks
        assert context["milestones"] == expected.milestones
    forget_cached()
    rendered_now = client.get(dashboard_url(relationship, range_key))
    assert rendered_now.context["score"] == expected.score
    assert main_without_tokens(response) == main_without_tokens(rendered_now)


def undo_an_old_promise(client, relationship):
    """Reopened months after it was kept: not among the recent promises the click carries
    over (journal.dashboard.carry_over), so they are read again."""
    promise = Promise.objects.create(relationship=relationship, text="Old", due_date=days_ago(99))
    promise.set_status(Status.KEPT, by=relationship.owner, on=days_ago(98))
    client.get(dashboard_url(relationship))
    data = {"from": "dashboard", "range": "30"}
    client.post(f"/journal/promises/{promise.pk}/undo/", data, HTTP_HX_REQUEST="true")
    assert Promise.objects.get(pk=promise.pk).status == Status.OPEN


def rename_a_listed_promise(client, relationship):
    """Its row on the dashboard is kept rendered in the cache: it must show the new text."""
    promise = open_promise(relationship)
    data = {
        "relationship": relationship.pk,
        "text": "Renamed: call before eight",
        "due_date": promise.due_date.isoformat(),
        "size": promise.size,
    }
    assert client.post(f"/journal/promises/{promise.pk}/edit/", data).status_code == 302


def check_in(client, relationship):
    url = f"/journal/relationships/{relationship.pk}/check-ins/new/"
    assert client.post(url, {"felt_trust": 9}).status_code == HTTPStatus.FOUND


VISIBLE_CHANGES = [
    mark_kept,
    undo,
    edit,
    move_away,
    delete,
    new_breach,
    delete_breach,
    edit_relationship,
]
# Changes months back, inside the cached history (journal.dashboard.History); their effect
# on today's score may have faded below what one decimal shows.
OLD_CHANGES = [
    keep_an_old_overdue_promise,
    edit_an_old_promise,
    delete_an_old_promise,
    backdate_a_breach,
    undo_an_old_promise,
]
# Changes the page shows that do not move the score.
QUIET_CHANGES = [rename_a_listed_promise, check_in]


@pytest.mark.parametrize("change", VISIBLE_CHANGES + OLD_CHANGES + QUIET_CHANGES)
@pytest.mark.parametrize("range_key", ["30", "all"])
def test_the_dashboard_shows_each_change_at_once(small, change, range_key):
    client = client_for(small)
    before = client.get(dashboard_url(small, range_key))
    assert_fresh(client, before, small, range_key)
    cached = client.get(dashboard_url(small, range_key))
    assert cached.context.get("score") is None  # not rendered again
    assert main_without_tokens(cached) == main_without_tokens(before)

    change(client, small)

    after = client.get(dashboard_url(small, range_key))
    assert "score" in after.context  # the page was rendered again
    if change in VISIBLE_CHANGES:
        assert shown_score(after) != shown_score(before)
    assert_fresh(client, after, small, range_key)


def whole_track_record(relationship, range_key):
    """What the dashboard must show, computed the long way: every promise and breach, from
    the start, with no history, checkpoint or cache."""
    every = _read_recent(relationship, relationship.breach_date)  # no boundary: all of them
    timeline, progress = _full_track_record(relationship, timezone.localdate(), every.breaches)
    days = RANGES[range_key]
    return {
        "score": timeline.current,
        "change_7": timeline.change_since(7),
        "change_30": timeline.change_since(30),
        "changes": timeline.changes(limit=6),
        "streaks": progress.streaks,
        "milestones": list(progress.reached[-6:]),
        "shown_points": timeline.points if days is None else timeline.points[-days:],
    }


def assert_shows_the_whole_track_record(response, relationship, range_key):
    assert response.status_code == HTTPStatus.OK
    relationship.refresh_from_db()
    expected = whole_track_record(relationship, range_key)
    assert {name: response.context[name] for name in expected} == expected


def click_in_range(client, promise, range_key, action="status"):
    data = {"status": "kept", "from": "dashboard", "range": range_key}
    url = f"/journal/promises/{promise.pk}/{action}/"
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.OK
    return response


@pytest.mark.parametrize("range_key", RANGES)
@pytest.mark.parametrize("relationship", ["small", "young", "just_older"])
def test_every_range_shows_what_the_whole_timeline_gives(lessons, request, relationship, range_key):
    """From nothing cached, after a click that goes on from what is cached (a recent
    promise), after one that changes the cached history (a promise months old) and after
    its Undo: the score, its changes, the streaks and every point the range shows are
    exactly those of the whole timeline computed from the start."""
    relationship = request.getfixturevalue(relationship)
    client = client_for(relationship)
    forget_cached()
    assert_shows_the_whole_track_record(
        client.get(dashboard_url(relationship, range_key)), relationship, range_key
    )
    recent = open_promise(relationship)
    old = Promise.objects.create(relationship=relationship, text="Old", due_date=days_ago(99))
    for promise, action in [
        (recent, "status"),
        (old, "status"),
        (old, "undo"),
    ]:
        click_in_range(client, promise, range_key, action)
        response = client.get(dashboard_url(relationship, range_key))
        assert response.context.get("score") is not None  # rendered again
        assert_shows_the_whole_track_record(response, relationship, range_key)


@pytest.mark.parametrize("range_key", ["90", "365", "all"])
def test_a_click_in_a_long_range_goes_on_from_the_history(small, range_key, monkeypatch):
    """A range longer than the weeks after the history boundary shows the history's own
    points: once this worker has them, a click and the page after it compute only the
    days since the boundary, as the 30-day range does."""
    client = client_for(small)
    client.get(dashboard_url(small, range_key))
    computed = []
    compute_timeline = scoring.compute_timeline

    def spy(**arguments):
        computed.append(arguments["since"])
        return compute_timeline(**arguments)

    monkeypatch.setattr(scoring, "compute_timeline", spy)
    click_in_range(client, open_promise(small), range_key)
    after = client.get(dashboard_url(small, range_key))
    assert after.context.get("score") is not None  # computed and rendered again
    assert len(computed) == 2
    assert all(since is not None for since in computed)
    monkeypatch.undo()
    assert_shows_the_whole_track_record(after, small, range_key)


def click(client, promise, action="status"):
    data = {"status": "kept", "from": "dashboard", "range": "30"}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"/journal/promises/{promise.pk}/{action}/", data, HTTP_HX_REQUEST="true"
        )
    assert b"hx-swap-oob" in response.content
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT")]


def kept_state(relationship):
    """The recent state the relationship's row holds now, parsed as a worker that did not
    write it parses it, and what reading it gives."""
    relationship.refresh_from_db()
    boundary = history_boundary(timezone.localdate())
    RECENTS.clear()
    stored = stored_recent(relationship, relationship.score_version, boundary)
    return stored, _read_recent(relationship, boundary)


@pytest.mark.parametrize("action", ["status", "undo"])
def test_the_worker_that_wrote_the_recent_state_reads_back_what_parsing_it_gives(small, action):
    """The writer keeps the Recent it wrote (RECENTS), so its next click does not parse the
    row's text: it must be what any other worker parses, field for field and type for type."""
    client = client_for(small)
    client.get(dashboard_url(small))
    promise = small.promises.get(text="Walk") if action == "undo" else open_promise(small)
    click(client, promise, action)
    small.refresh_from_db()
    boundary = history_boundary(timezone.localdate())
    kept = stored_recent(small, small.score_version, boundary)
    assert RECENTS.get((small.recent_state, content_version()))[1] is kept
    parsed, _fresh = kept_state(small)

    def typed(recent):
        return [(value, type(value)) for p in recent.promises + recent.breaches for value in p]

    assert kept is not parsed
    assert typed(kept) == typed(parsed)


@pytest.mark.parametrize("action", ["status", "undo"])
def test_a_click_carries_the_recent_promises_over_exactly(small, action):
    """What a Kept / Undo click keeps for the next click instead of reading it again is what
    reading it gives."""
    promise = small.promises.get(text="Walk")  # kept three days ago, with a change to undo
    if action == "status":
        promise = open_promise(small)
    client = client_for(small)
    client.get(dashboard_url(small))
    reads = click(client, promise, action)
    # The session, the user, the promise locked (for Undo, with its latest change).
    assert len(reads) == 3
    read = {table for sql in reads for table in re.findall(r'FROM "(\w+)"', sql)}
    assert read == {"django_session", "auth_user", "journal_promise"} | (
        {"journal_statuschange"} if action == "undo" else set()
    )
    stored, fresh = kept_state(small)
    assert stored == fresh
    assert promise.pk in {p.pk for p in stored.promises}
    assert any(p.lesson_slug for p in stored.promises)  # with the lessons' links


@pytest.mark.parametrize("action", ["status", "undo"])
@pytest.mark.parametrize("htmx", [True, False], ids=["row", "no script"])
def test_a_click_on_the_journal_page_keeps_the_recent_state_too(small, action, htmx):
    """A Kept / Undo on the journal page (its row swapped in, or without JavaScript a form
    and a redirect) carries the recent promises over as a click on the dashboard does: the
    dashboard opened after it reads none of them again."""
    client = client_for(small)
    client.get(dashboard_url(small))
    promise = small.promises.get(text="Walk") if action == "undo" else open_promise(small)
    url = f"/journal/promises/{promise.pk}/{action}/"
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(url, {"status": "kept"}, **headers)
    assert response.status_code == (HTTPStatus.OK if htmx else HTTPStatus.FOUND)
    assert b"hx-swap-oob" not in response.content  # the row alone, not the dashboard's cards
    small.refresh_from_db()
    boundary = history_boundary(timezone.localdate())
    assert stored_recent(small, small.score_version, boundary) == _read_recent(small, boundary)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(dashboard_url(small))
    assert response.context.get("score") is not None  # rendered again, not from the page cache
    read = " ".join(q["sql"] for q in queries)
    assert "journal_promise" not in read
    assert "journal_breach" not in read


def test_a_journal_page_click_on_a_promise_months_old_keeps_the_state_exact(small):
    """A promise kept months ago is not among the recent promises a click carries over:
    reopened from the journal page, the recent state is read again, and what the row keeps
    is still what reading gives; so after the promise is kept again."""
    old = Promise.objects.create(relationship=small, text="Old", due_date=days_ago(99))
    old.set_status(Status.KEPT, by=small.owner, on=days_ago(98))
    client = client_for(small)
    client.get(dashboard_url(small))
    boundary = history_boundary(timezone.localdate())
    assert old.pk not in {p.pk for p in _read_recent(small, boundary).promises}
    for action in ("undo", "status"):
        url = f"/journal/promises/{old.pk}/{action}/"
        response = client.post(url, {"status": "kept"}, HTTP_HX_REQUEST="true")
        assert response.status_code == HTTPStatus.OK
        small.refresh_from_db()
        stored = stored_recent(small, small.score_version, boundary)
        assert stored == _read_recent(small, boundary)
        assert old.pk in {p.pk for p in stored.promises}  # reopened, then kept today


def test_a_click_goes_on_from_the_state_another_workers_click_kept(small):
    """Each gunicorn worker has its own cache, so a click often follows one made in the other
    worker: it goes on from the recent state that click kept in the relationship's row, read
    with the promise it locks, and reads nothing else again."""
    client = client_for(small)
    client.get(dashboard_url(small))
    first, second = small.promises.filter(status=Status.OPEN).order_by("due_date", "pk")[:2]
    click(client, first)
    small.refresh_from_db()
    boundary = history_boundary(timezone.localdate())
    for version in range(small.score_version + 1):  # none in this worker's cache
        cache.delete(_recent_key(small, version, boundary))

    reads = click(client, second)

    assert len(reads) == 3
    assert "journal_breach" not in " ".join(reads)
    stored, fresh = kept_state(small)
    assert stored == fresh
    assert {first.pk, second.pk} <= {p.pk for p in stored.promises if p.status == Status.KEPT}


def test_a_click_after_a_change_it_did_not_see_reads_the_recent_state_again(small):
    """Any other change to a promise or breach moves score_version past the kept state's
    stamp: the next click reads the recent state again, and keeps it for the click after."""
    client = client_for(small)
    client.get(dashboard_url(small))
    first, second = small.promises.filter(status=Status.OPEN).order_by("due_date", "pk")[:2]
    click(client, first)
    second.set_status(Status.BROKEN, by=small.owner)  # on the journal page, say
    Breach.objects.create(relationship=small, date=days_ago(1), cause="lie")
    forget_cached()  # and in the other worker
    catalogue()  # (the lessons: read once per content version and process, for everyone)

    assert "journal_breach" in " ".join(click(client, first, "undo"))
    stored, fresh = kept_state(small)
    assert stored == fresh
    assert len(stored.breaches) == 2
    assert "journal_breach" not in " ".join(click(client, first))
    stored, fresh = kept_state(small)
    assert stored == fresh


def test_the_kept_state_is_only_that_of_its_version_breach_date_and_boundary(small):
    client = client_for(small)
    client.get(dashboard_url(small))
    click(client, open_promise(small))
    small.refresh_from_db()
    boundary = history_boundary(timezone.localdate())
    version = small.score_version
    assert stored_recent(small, version, boundary) == _read_recent(small, boundary)
    assert stored_recent(small, version - 1, boundary) is None
    assert stored_recent(small, version + 1, boundary) is None
    assert stored_recent(small, version, boundary - timedelta(days=16)) is None
    small.breach_date -= timedelta(days=1)
    assert stored_recent(small, version, boundary) is None


def test_saving_a_relationship_leaves_its_kept_state_alone(small):
    """An edit form's instance, read before a click, must not write back its older state."""
    stale = Relationship.objects.get(pk=small.pk)
    client = client_for(small)
    client.get(dashboard_url(small))
    click(client, open_promise(small))
    stale.name = "Sam R."
    stale.save()
    stored, fresh = kept_state(small)
    assert stored == fresh
    assert small.name == "Sam R."


def test_a_new_day_in_the_users_time_zone_is_a_new_track_record(small, monkeypatch):
    day = timezone.now().astimezone(UTC).date()
    moment = datetime(day.year, day.month, day.day, 11, 30, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    Promise.objects.create(relationship=small, text="Call", due_date=day)
    client = client_for(small)
    before = client.get(dashboard_url(small))
    assert before.context["today"] == day

    Profile.objects.filter(user=small.owner).update(time_zone="Pacific/Kiritimati")  # UTC+14
    after = client_for(small).get(dashboard_url(small))

    assert after.context["today"] == day + timedelta(days=1)
    assert after.context["shown_points"][-1].day == day + timedelta(days=1)
    assert after.context["score"] < before.context["score"]  # "Call" is overdue there
    assert_fresh(client_for(small), after, small)


def test_deleting_a_relationship_does_not_refresh_it_per_promise(heavy):
    with CaptureQueriesContext(connection) as queries:
        heavy.delete()
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "journal_relationship"')]
    assert len(updates) == 1  # the owner's other dashboards, which list it
    assert "owner_id" in updates[0]
    assert not Promise.objects.exists()


# seed_demo: the benchmark's data and a newcomer's first look.


def snapshot(email):
    relationships = Relationship.objects.filter(owner__email=email).order_by("name")
    return {
        "relationships": list(relationships.values_list("name", "kind", "starting_trust")),
        "promises": list(
            Promise.objects.filter(relationship__in=relationships)
            .order_by("relationship__name", "due_date", "pk")
            .values_list("text", "due_date", "size", "status", "resolved_on")
        ),
        "reflections": Reflection.objects.filter(relationship__in=relationships).count(),
        "check_ins": CheckIn.objects.filter(relationship__in=relationships).count(),
    }


def test_seed_demo_small_is_the_same_every_time(lessons, capsys):
    call_command("seed_demo", "--scale", "small", "--password", "demo-password-1")
    first = snapshot("demo@example.com")
    call_command("seed_demo", "--scale", "small", "--password", "demo-password-2")
    assert snapshot("demo@example.com") == first
    assert Relationship.objects.count() == 2  # recreated, not added to
    output = capsys.readouterr().out
    assert "demo@example.com with password demo-password-2" in output
    assert Client().login(username="demo@example.com", password="demo-password-2")


def test_seed_demo_heavy_is_five_years_of_daily_use(lessons):
    call_command("seed_demo", "--scale", "heavy", "--email", "heavy@example.com")
    relationships = Relationship.objects.filter(owner__email="heavy@example.com")
    promises = Promise.objects.filter(relationship__in=relationships)
    assert relationships.count() == 3
    assert promises.count() == 2000
    assert Reflection.objects.filter(relationship__in=relationships).count() == 1000
    assert CheckIn.objects.filter(relationship__in=relationships).count() == 250
    assert LessonProgress.objects.filter(user__email="heavy@example.com").count() == (
        Lesson.objects.count()
    )
    assert min(r.breach_date for r in relationships) <= days_ago(5 * 365)
    assert set(promises.values_list("size", flat=True)) == {"small", "medium", "large"}
    resolved = promises.exclude(status=Status.OPEN)
    assert resolved.filter(status=Status.BROKEN).count() > 100
    assert Change.objects.filter(promise__in=resolved).count() == resolved.count()
    texts = "".join(promises.values_list("text", flat=True)[:300])
    assert re.search(r"[a-z]", texts)
    assert re.search(r"[\u3040-\u30ff]", texts)  # Japanese too


def test_seed_demo_needs_the_lessons(db):
    with pytest.raises(CommandError, match="loaddata"):
        call_command("seed_demo", "--scale", "small")


def test_a_click_renders_the_row_it_resolves_even_in_a_state_shown_before(small):
    """Only the clicked promise's row is rendered; a Kept after Kept / Undo renders it anew,
    as any user's click does, and Undo finds the open row shown before."""
    client = client_for(small)
    client.get(dashboard_url(small))
    promise = open_promise(small)
    data = {"status": "kept", "from": "dashboard", "range": "30"}

    def rows_rendered(url):
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == HTTPStatus.OK
        return [t.name for t in response.templates].count("journal/promise_row.html")

    status_url = f"/journal/promises/{promise.pk}/status/"
    undo_url = f"/journal/promises/{promise.pk}/undo/"
    assert rows_rendered(status_url) == 1
    assert rows_rendered(undo_url) == 0
    assert rows_rendered(status_url) == 1


def test_the_cards_words_are_kept_per_language(small):
    """The chart's headings, range links, legend and table heads are cached apart from its
    data, per range and language: a click in Japanese after English pages shows Japanese."""
    client = client_for(small)
    english = client.get(dashboard_url(small), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Over time" in english and "Show the data as a table" in english
    data = {"status": "kept", "from": "dashboard", "range": "30"}
    response = client.post(
        f"/journal/promises/{open_promise(small).pk}/status/",
        data,
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    chart = response.content.decode().split('id="chart-card"')[1].split("</section>")[0]
    assert "推移" in chart
    for english_words in ("Over time", "30 days", "Show the data as a table", "Score"):
        assert english_words not in chart


def test_a_state_that_cannot_be_read_is_read_again(small):
    client = client_for(small)
    client.get(dashboard_url(small))
    click(client, open_promise(small))
    Relationship.objects.filter(pk=small.pk).update(recent_state='{"stamp": [1')
    forget_cached()

    assert "journal_breach" in " ".join(click(client, small.promises.get(text="Walk"), "undo"))
    stored, fresh = kept_state(small)
    assert stored == fresh
