import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.formats import date_format

from guides.catalogue import catalogue
from guides.models import Lesson
from journal import dashboard
from journal.models import CheckIn, Promise, StatusChange
from tests.journal.conftest import days_ago, today
from tests.journal.helpers import (
    CSRF_TOKEN,
    assert_login_redirect,
    assert_partial,
    forget_cached,
    main_of,
)


def url(relationship):
    return f"/dashboard/{relationship.pk}/"


def status_url(promise):
    return f"/journal/promises/{promise.pk}/status/"


def shown_score(response):
    match = re.search(rb'data-testid="score">([^<]*)<', response.content)
    return match.group(1).decode()


def test_dashboard_redirects_to_the_first_relationship(auth_client, relationship):
    response = auth_client.get("/dashboard/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == url(relationship)


def test_dashboard_skips_archived_relationships(auth_client, make_relationship):
    active = make_relationship(name="Active")
    make_relationship(name="Archived", archived=True)
    assert auth_client.get("/dashboard/").url == url(active)


def test_it_works(auth_client, relationship):
    response = auth_client.get(url(relationship))
    assert response.status_code == HTTPStatus.OK
    assert b"With <bdi>Sam</bdi>" in response.content
    assert shown_score(response) == "3.0"


def test_it_shows_the_score_to_one_decimal(auth_client, relationship, make_promise, alice):
    make_promise(size="large", due_date=days_ago(1)).set_status("kept", by=alice)
    response = auth_client.get(url(relationship))
    score = response.context["score"]
    assert score != round(score, 1)
    assert shown_score(response) == f"{score:.1f}"


def test_it_requires_login(client, relationship):
    assert_login_redirect(client.get(url(relationship)), url(relationship))
    assert_login_redirect(client.get("/dashboard/"), "/dashboard/")


def test_it_checks_ownership(stranger_client, relationship, make_promise):
    make_promise(text="Alice's private promise")
    response = stranger_client.get(url(relationship))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"Alice's private promise" not in response.content
    response = stranger_client.get(url(relationship) + "?part=chart", HTTP_HX_REQUEST="true")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_it_lists_only_the_users_relationships(
    auth_client, relationship, make_relationship, stranger_relationship
):
    make_relationship(name="Boss", kind="work")
    response = auth_client.get(url(relationship))
    assert b"Boss" in response.content
    assert b"Charlie&#x27;s friend" not in response.content


def test_it_rejects_wrong_method(auth_client, relationship):
    assert auth_client.post(url(relationship)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert auth_client.post("/dashboard/").status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize(
    "range_key, days", [("30", 30), ("90", 90), ("365", 365), ("all", 401), ("7", 30), ("", 30)]
)
def test_it_shows_a_range(auth_client, make_relationship, range_key, days):
    relationship = make_relationship(breach_date=days_ago(400))
    response = auth_client.get(f"{url(relationship)}?range={range_key}")
    assert response.status_code == HTTPStatus.OK
    shown = response.context["shown_points"]
    assert len(shown) == days
    assert shown[-1].day == today()
    assert response.context["range_key"] == (
        range_key if range_key in ("90", "365", "all") else "30"
    )


def test_a_range_longer_than_the_history_shows_all_of_it(auth_client, relationship):
    response = auth_client.get(f"{url(relationship)}?range=365")
    assert len(response.context["shown_points"]) == 21


def test_it_returns_the_chart_partial_for_htmx(auth_client, relationship):
    response = auth_client.get(f"{url(relationship)}?range=90&part=chart", HTTP_HX_REQUEST="true")
    assert_partial(response)
    assert b'id="chart-card"' in response.content
    assert b'id="score-card"' not in response.content
    assert b'id="promises-card"' not in response.content
    assert b"<svg" in response.content
    assert b"hx-swap-oob" not in response.content


def test_a_chart_shown_before_is_not_drawn_again(
    auth_client, make_relationship, make_checkin, monkeypatch
):
    """Its card is kept rendered (journal.dashboard.fragment_key): choosing the range again
    neither draws the chart nor tables the months."""
    long_ago = make_relationship(name="Long", breach_date=days_ago(500))
    make_checkin(to=long_ago, felt_trust=4, date=days_ago(30))
    chart_url = f"{url(long_ago)}?range=all&part=chart"
    first = auth_client.get(chart_url, HTTP_HX_REQUEST="true")
    drawn = []
    for name in ("build_chart", "months"):
        real = getattr(dashboard, name)
        monkeypatch.setattr(
            dashboard, name, lambda *args, _real=real: drawn.append(1) or _real(*args)
        )
    again = auth_client.get(chart_url, HTTP_HX_REQUEST="true")
    assert again.content == first.content
    assert drawn == []


def test_part_chart_without_htmx_is_the_whole_page(auth_client, relationship):
    response = auth_client.get(f"{url(relationship)}?part=chart")
    assert b"<html" in response.content


def test_it_sorts_promises_into_overdue_today_and_upcoming(auth_client, relationship, make_promise):
    make_promise(text="Late one", due_date=days_ago(2))
    make_promise(text="Today's one", due_date=today())
    make_promise(text="Next week's one", due_date=today() + timedelta(days=7))
    make_promise(text="Far away one", due_date=today() + timedelta(days=60))
    lists = auth_client.get(url(relationship)).context["lists"]
    assert [p.text for p in lists["overdue"]] == ["Late one"]
    assert [p.text for p in lists["due_today"]] == ["Today's one"]
    assert [p.text for p in lists["upcoming"]] == ["Next week's one"]


@pytest.mark.parametrize(
    "language, headings",
    [
        ("en", ["Overdue", "Due today", "Coming up", "Marked today"]),
        ("ja", ["期限切れ", "今日が期日", "今後の予定", "今日記録した約束"]),
    ],
)
def test_each_list_has_its_heading_in_order(
    auth_client, relationship, make_promise, alice, language, headings
):
    make_promise(text="Late one", due_date=days_ago(2))
    make_promise(text="Due now", due_date=today())
    make_promise(text="Next week", due_date=today() + timedelta(days=7))
    make_promise(text="Done one").set_status("kept", by=alice)
    auth_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    card = auth_client.get(url(relationship)).content.decode().split('id="promises-card"')[1]
    card = card.split("</section>")[0]
    assert re.findall(r"<h3>(.*?)</h3>", card) == headings
    assert card.index("Late one") < card.index("Due now") < card.index("Next week")
    assert card.index(headings[3]) < card.index("Done one")


def test_an_empty_list_has_no_heading(auth_client, relationship, make_promise):
    make_promise(text="Due now", due_date=today())
    card = auth_client.get(url(relationship)).content.decode().split('id="promises-card"')[1]
    assert re.findall(r"<h3>(.*?)</h3>", card.split("</section>")[0]) == ["Due today"]


def test_marking_kept_from_the_dashboard_updates_it_in_place(
    auth_client, relationship, make_promise
):
    promise = make_promise(text="Cook dinner on Friday", size="large")
    response = auth_client.post(
        status_url(promise),
        {"status": "kept", "from": "dashboard", "range": "90"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == HTTPStatus.OK
    assert_partial(response)
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="promises-card"')
    for card in ("score-card", "chart-card", "why-card", "streak-card"):
        assert re.search(rf'id="{card}"[^>]*hx-swap-oob="true"', content), card
    assert 'id="announcer" hx-swap-oob' in content
    assert 'role="status"' not in content  # the announcer speaks once, not each row
    # Without JavaScript, the rows' forms come back to the dashboard, not to this POST's URL.
    assert f'name="next" value="/dashboard/{relationship.pk}/?range=90"' in content
    assert shown_score(response) == "3.2"
    assert "Trust score now 3.2 out of 10." in content
    assert "Cook dinner on Friday" in content  # in "why did it move"
    assert re.search(r'class="streak-value">1<', content)
    assert response.context["range_key"] == "90"
    promise.refresh_from_db()
    assert promise.status == "kept"
    assert StatusChange.objects.count() == 1


def test_marking_kept_twice_from_the_dashboard_changes_nothing_more(
    auth_client, relationship, make_promise
):
    promise = make_promise(size="large")
    data = {"status": "kept", "from": "dashboard"}
    first = auth_client.post(status_url(promise), data, HTTP_HX_REQUEST="true")
    second = auth_client.post(status_url(promise), data, HTTP_HX_REQUEST="true")
    assert shown_score(first) == shown_score(second) == "3.2"
    assert StatusChange.objects.count() == 1
    promise.refresh_from_db()
    assert promise.status == "kept"


def test_undo_from_the_dashboard_restores_the_score(auth_client, relationship, make_promise):
    promise = make_promise(size="large")
    data = {"from": "dashboard"}
    auth_client.post(status_url(promise), {**data, "status": "kept"}, HTTP_HX_REQUEST="true")
    response = auth_client.post(
        f"/journal/promises/{promise.pk}/undo/", data, HTTP_HX_REQUEST="true"
    )
    assert b"hx-swap-oob" in response.content
    assert shown_score(response) == "3.0"


def test_a_bad_range_from_the_dashboard_falls_back(auth_client, relationship, promise):
    response = auth_client.post(
        status_url(promise),
        {"status": "broken", "from": "dashboard", "range": "forever"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == HTTPStatus.OK
    assert response.context["range_key"] == "30"


def test_a_stranger_cannot_mark_from_the_dashboard(stranger_client, relationship, promise):
    response = stranger_client.post(
        status_url(promise), {"status": "kept", "from": "dashboard"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    promise.refresh_from_db()
    assert promise.status == "open"


def test_the_why_list_names_the_promise(auth_client, relationship, make_promise, alice):
    make_promise(text="Phone when I'm late", due_date=days_ago(3)).set_status("broken", by=alice)
    response = auth_client.get(url(relationship))
    why = re.search(rb'id="why-card".*?</section>', response.content, re.S).group(0)
    assert b"broken \xe2\x80\x9cPhone when I&#x27;m late\xe2\x80\x9d" in why
    assert "\u2212".encode() in why


def test_the_why_list_explains_the_start_when_nothing_happened(auth_client, relationship):
    response = auth_client.get(url(relationship))
    assert b"starting point" in response.content


@pytest.mark.parametrize(
    "felt, diverges", [(5, True), (1, True), (10, True), (4, False), (2, False)]
)
def test_it_notes_when_feeling_and_record_diverge(
    auth_client, relationship, make_checkin, felt, diverges
):
    make_checkin(felt_trust=felt)
    response = auth_client.get(url(relationship))
    assert response.context["score"] == 3
    assert response.context["diverges"] is diverges
    assert (b'<p class="note">' in response.content) is diverges


def test_the_note_follows_the_latest_checkin(auth_client, relationship, make_checkin):
    make_checkin(felt_trust=9, date=days_ago(2))
    make_checkin(felt_trust=3, date=days_ago(1))
    assert auth_client.get(url(relationship)).context["diverges"] is False


def test_the_note_says_which_way_it_diverges(auth_client, relationship, make_checkin):
    make_checkin(felt_trust=8)
    assert (
        b"It feels better than your track record shows."
        in auth_client.get(url(relationship)).content
    )
    make_checkin(felt_trust=0)
    assert (
        b"Your track record is ahead of how it feels." in auth_client.get(url(relationship)).content
    )


def test_words_never_change_the_score(auth_client, relationship, make_promise, alice):
    promise = make_promise(due_date=days_ago(5))
    promise.set_status("kept", by=alice)
    make_promise(due_date=days_ago(2))
    before = auth_client.get(url(relationship) + "?range=all").context
    auth_client.post(
        "/journal/reflections/new/",
        {
            "relationship": relationship.pk,
            "date": days_ago(3).isoformat(),
            "text": "I will do better.",
            "promise": promise.pk,
        },
    )
    for felt in ("0", "10"):
        auth_client.post(
            f"/journal/relationships/{relationship.pk}/check-ins/new/", {"felt_trust": felt}
        )
    assert relationship.reflections.count() == 1
    assert relationship.checkins.count() == 2
    after = auth_client.get(url(relationship) + "?range=all").context
    assert after["score"] == before["score"]
    assert after["shown_points"] == before["shown_points"]


def test_the_empty_state_when_only_archived_relationships_remain(
    auth_client, alice, make_relationship
):
    make_relationship(archived=True)
    auth_client.post("/journal/welcome/skip/")
    response = auth_client.get("/dashboard/")
    assert response.status_code == HTTPStatus.OK
    assert b"Your dashboard" in response.content


def test_it_shows_recent_reflections_and_milestones(
    auth_client, relationship, make_promise, make_reflection, alice
):
    make_reflection(text="Listening is harder than talking.")
    make_promise(due_date=days_ago(1)).set_status("kept", by=alice)
    response = auth_client.get(url(relationship))
    assert b"Listening is harder than talking." in response.content
    assert b"First promise kept" in response.content


def test_it_suggests_the_next_lesson(auth_client, relationship, lessons):
    response = auth_client.get(url(relationship))
    assert response.context["lesson"].slug == "what-broke-their-trust"
    assert b"Make this a promise" in response.content


def seed(relationship, lessons_by_index, count):
    """`count` promises of every kind the dashboard shows: open, overdue, kept and broken."""
    statuses = ["open", "open", "kept", "broken"]
    Promise.objects.bulk_create(
        Promise(
            relationship=relationship,
            text=f"Promise {n}",
            due_date=today() + timedelta(days=n % 15 - 5),
            size=("small", "medium", "large")[n % 3],
            status=statuses[n % 4],
            resolved_on=None if statuses[n % 4] == "open" else days_ago(n % 10),
            lesson=lessons_by_index[n % len(lessons_by_index)],
        )
        for n in range(count)
    )


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    return len(queries)


def test_the_query_count_does_not_grow_with_promises(
    auth_client, make_relationship, make_reflection, make_checkin, lessons
):
    few = make_relationship(name="Few", breach_date=days_ago(60))
    many = make_relationship(name="Many", breach_date=days_ago(60))
    some_lessons = list(Lesson.objects.all()[:4])
    seed(few, some_lessons, 10)
    seed(many, some_lessons, 500)
    for relationship in (few, many):
        make_reflection(to=relationship)
        make_checkin(to=relationship)
    count_queries(auth_client, url(few))  # warm the session's time zone
    forget_cached()
    catalogue()  # the lessons: read once per content version and process, for everyone
    cold = [count_queries(auth_client, url(r)) for r in (few, many)]
    warm = [count_queries(auth_client, url(r)) for r in (few, many)]
    assert cold[0] == cold[1]
    assert warm[0] == warm[1]


def test_the_query_count_of_an_update_does_not_grow_with_promises(
    auth_client, make_relationship, lessons
):
    few = make_relationship(name="Few", breach_date=days_ago(60))
    many = make_relationship(name="Many", breach_date=days_ago(60))
    some_lessons = list(Lesson.objects.all()[:4])
    seed(few, some_lessons, 10)
    seed(many, some_lessons, 500)
    auth_client.get(url(few))  # warm the session's time zone

    def count(relationship, cold):
        if cold:
            forget_cached()
        else:
            auth_client.get(url(relationship))
        promise = relationship.promises.create(text="Call", due_date=days_ago(0))
        data = {"status": "kept", "from": "dashboard"}
        with CaptureQueriesContext(connection) as queries:
            response = auth_client.post(status_url(promise), data, HTTP_HX_REQUEST="true")
        assert b"hx-swap-oob" in response.content
        return len(queries)

    assert count(few, cold=True) == count(many, cold=True)
    assert count(few, cold=False) == count(many, cold=False)


def test_promises_marked_today_stay_with_an_undo_button(
    auth_client, relationship, make_promise, alice
):
    kept_today = make_promise(text="Kept just now")
    kept_today.set_status("kept", by=alice)
    make_promise(text="Kept last week", due_date=days_ago(7)).set_status(
        "kept", by=alice, on=days_ago(7)
    )
    page = auth_client.get(url(relationship)).content.decode()
    assert "Marked today" in page
    assert "Kept just now" in page
    assert f"/journal/promises/{kept_today.pk}/undo/" in page
    assert "Kept last week" not in page.split('id="promises-card"')[1].split("</section>")[0]


def test_a_long_range_is_tabled_a_month_a_row(
    auth_client, make_relationship, make_promise, make_checkin, alice
):
    """A year of days is a table no one can read: a year or more is listed by month."""
    long_ago = make_relationship(name="Long", breach_date=days_ago(500))
    make_checkin(to=long_ago, felt_trust=2, date=days_ago(300))
    make_checkin(to=long_ago, felt_trust=4, date=days_ago(300) + timedelta(days=1))
    kept_day, broken_day = days_ago(100), days_ago(40)
    for text in ("Walk the dog", "Call mum"):
        make_promise(to=long_ago, text=text, due_date=kept_day).set_status(
            "kept", by=alice, on=kept_day
        )
    make_promise(to=long_ago, text="Cook", due_date=broken_day).set_status(
        "broken", by=alice, on=broken_day
    )

    response = auth_client.get(f"{url(long_ago)}?range=all")

    months = response.context["table_months"]
    assert [m.first_day for m in months][:2] == [
        days_ago(500).replace(day=1),
        (days_ago(500).replace(day=28) + timedelta(days=4)).replace(day=1),
    ]
    assert months[-1].first_day == today().replace(day=1)
    assert months[-1].score == response.context["score"]
    assert sum(m.delta for m in months) == pytest.approx(response.context["score"] - 3)
    by_month = {m.first_day: dict(m.counts) for m in months}
    assert by_month[kept_day.replace(day=1)]["kept"] == 2
    assert by_month[broken_day.replace(day=1)]["broken"] == 1
    felt = {m.first_day: m.felt for m in months}
    assert felt[(days_ago(300) + timedelta(days=1)).replace(day=1)] == 4  # the month's last
    assert felt[today().replace(day=1)] is None
    page = response.content.decode()
    assert "Month by month" in page
    assert "2 kept" in page
    table = page.split('class="data-table"')[1].split("</details>")[0]
    assert "Walk the dog" not in table  # counted, not listed
    assert "Nothing changed" in page  # most months
    assert "Check-ins</caption>" not in page  # they are in the months' table
    kept_month = date_format(kept_day.replace(day=1), "YEAR_MONTH_FORMAT")
    assert re.search(
        rf"<tr><td>{kept_month}</td><td>\d+\.\d</td><td>\+\d\.\d</td>"
        r'<td><span class="count">2 kept</span>(, <span class="count">\d+ overdue</span>)?'
        r"</td><td></td></tr>",
        table,
    )
    felt_month = date_format(
        (days_ago(300) + timedelta(days=1)).replace(day=1), "YEAR_MONTH_FORMAT"
    )
    assert re.search(rf"<tr><td>{felt_month}</td>.*?<td>4/10</td></tr>", table)


def test_a_short_range_lists_each_day_that_changed(auth_client, make_relationship):
    long_ago = make_relationship(name="Long", breach_date=days_ago(500))
    response = auth_client.get(f"{url(long_ago)}?range=90")
    assert response.context["table_months"] is None
    assert b"Days on which something changed" in response.content


def test_the_month_table_is_in_japanese(auth_client, make_relationship, make_promise, alice):
    long_ago = make_relationship(name="Long", breach_date=days_ago(500))
    make_promise(to=long_ago, due_date=days_ago(30)).set_status("kept", by=alice, on=days_ago(30))
    auth_client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    page = auth_client.get(f"{url(long_ago)}?range=365").content.decode()
    assert "月ごとの推移" in page
    assert "守った約束 1件" in page
    assert "変化なし" in page


def test_a_listed_promise_begins_with_its_score_event():
    """timeline_for makes each listed promise's first fields a scoring.PromiseEvent."""
    from journal.dashboard import EVENT_FIELDS, ROW_FIELDS
    from journal.scoring import PromiseEvent

    names = {"pk": "id", "due_date": "due"}
    assert tuple(names.get(f, f) for f in ROW_FIELDS[:EVENT_FIELDS]) == PromiseEvent._fields


def test_a_listed_promise_begins_with_what_its_row_is_kept_under():
    """promise_rows keeps each row under a listed promise's first fields (journal.rows)."""
    from journal.dashboard import TIMELINE_FIELDS, RecentPromise
    from journal.rows import KEPT_UNDER

    assert TIMELINE_FIELDS == KEPT_UNDER
    assert RecentPromise._fields[: len(KEPT_UNDER)] == KEPT_UNDER


def chart_points(days, first=None):
    """One Point a day, with a cause now and then (of each kind), for build_chart."""
    from journal.scoring import Cause, Point

    first = first or today() - timedelta(days=days - 1)
    points = []
    for n in range(days):
        day = first + timedelta(days=n)
        kind = ("kept", "broken", "breach", "overdue", None)[n % 7 % 5]
        causes = (Cause(kind, n, "", day, 0.1, None),) if kind and n % 3 else ()
        points.append(Point(day, round(3 + (n % 50) / 10, 2), 0.1, causes))
    return points


@pytest.mark.parametrize("days", [1, 20, 400, 401, 799, 1826])
@pytest.mark.parametrize("settled_after", [-5, 0, 1, 7, 398, 399, 400, 1000, 1826, 3000])
def test_a_chart_with_settled_columns_is_the_chart_drawn_whole(days, settled_after):
    """The columns before the history boundary, kept from an earlier drawing, with the rest
    drawn anew, are the chart drawn whole: the first time and from the memo."""
    points = chart_points(days)
    checkins = [CheckIn(date=points[0].day + timedelta(days=n), felt_trust=n % 11) for n in (0, 9)]
    whole = dashboard.build_chart(points, checkins)
    boundary = points[0].day + timedelta(days=settled_after)
    settled = (("history", days, settled_after), boundary)
    first = dashboard.build_chart(points, checkins, settled)
    again = dashboard.build_chart(points, checkins, settled)
    assert first == whole
    assert again == whole


@pytest.mark.parametrize("days", [1, 31, 400, 1826])
@pytest.mark.parametrize("settled_after", [-5, 0, 1, 40, 399, 1000, 1826, 3000])
def test_months_with_settled_ones_are_the_months_tabled_whole(days, settled_after):
    """The months before the history boundary's month, kept from an earlier table, with the
    rest tabled anew, are the months tabled whole: the first time and from the memo (the
    check-ins' column filled in each time, as check-ins change without the history)."""
    points = chart_points(days, first=today() - timedelta(days=days + 17))
    checkins = [CheckIn(date=points[0].day + timedelta(days=n), felt_trust=n % 11) for n in (3, 90)]
    whole = dashboard.months(points, checkins)
    settled = (("history", days, settled_after), points[0].day + timedelta(days=settled_after))
    assert dashboard.months(points, checkins, settled) == whole
    assert dashboard.months(points, checkins, settled) == whole
    later = [*checkins, CheckIn(date=points[0].day, felt_trust=9)]
    assert dashboard.months(points, later, settled) == dashboard.months(points, later)


def test_a_kept_click_in_the_whole_timeline_draws_only_the_unsettled_days(
    auth_client, make_relationship, make_promise, monkeypatch
):
    """After the first drawing of a relationship's whole timeline, a click draws the chart's
    columns from the history boundary on, and tables the months from the boundary's month
    on; the rest come from the ones drawn before, and the page after it is the page drawn
    from nothing."""
    long_ago = make_relationship(name="Long", breach_date=days_ago(900))
    promise = make_promise(to=long_ago, due_date=today())
    auth_client.get(f"{url(long_ago)}?range=all")
    drawn = []
    real = dashboard._chart_columns
    monkeypatch.setattr(
        dashboard, "_chart_columns", lambda *args: drawn.append(args[3:]) or real(*args)
    )
    tabled = []
    real_months = dashboard._month_rows
    monkeypatch.setattr(
        dashboard,
        "_month_rows",
        lambda points: tabled.append(points[0].day) or real_months(points),
    )
    data = {"status": "kept", "from": "dashboard", "range": "all"}
    auth_client.post(f"/journal/promises/{promise.pk}/status/", data, HTTP_HX_REQUEST="true")
    after = auth_client.get(f"{url(long_ago)}?range=all")
    assert after.context.get("score") is not None  # rendered again
    step = -(-901 // dashboard.MAX_CHART_POINTS)
    settled = (dashboard.history_boundary(today()) - days_ago(900)).days // step
    assert drawn and all(start == settled > 0 for start, _stop in drawn)
    boundary_month = dashboard.history_boundary(today()).replace(day=1)
    assert tabled and all(first >= boundary_month for first in tabled)
    forget_cached()
    anew = auth_client.get(f"{url(long_ago)}?range=all")
    assert CSRF_TOKEN.sub(b"", main_of(anew)) == CSRF_TOKEN.sub(b"", main_of(after))
