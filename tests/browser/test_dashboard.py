"""Keeping a promise on the dashboard updates the score, chart, lists and streak in place."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from journal.models import Status
from tests.browser.support import assert_not_reloaded, set_marker

pytestmark = pytest.mark.browser


def test_kept_updates_the_dashboard_in_place(
    page, live_server, content, alice, log_in, relationship_factory
):
    relationship = relationship_factory(alice, starting_trust=4)
    promise = relationship.promises.create(
        text="Call when I'm late", due_date=timezone.localdate(), size="medium"
    )
    log_in(alice)
    url = f"{live_server.url}/dashboard/{relationship.pk}/"
    page.goto(url)

    score = page.get_by_test_id("score")
    line = page.get_by_test_id("chart").locator("polyline")
    streak = page.locator(".streak-value")
    promises = page.locator("#promises-card")
    expect(score).to_have_text("4.0")
    old_line = line.get_attribute("points")
    old_streak = streak.inner_text()
    expect(promises.get_by_role("heading", name="Due today")).to_be_visible()
    set_marker(page)

    promises.locator(f"#promise-{promise.pk}").get_by_role("button", name="Kept").click()

    expect(score).not_to_have_text("4.0")
    assert float(score.inner_text()) > 4.0
    expect(line).not_to_have_attribute("points", old_line)
    expect(streak).not_to_have_text(old_streak)
    expect(streak).to_have_text("1")
    expect(promises.get_by_role("heading", name="Due today")).to_have_count(0)
    # It moved to "Marked today", where a mis-click can be undone in place.
    expect(promises.get_by_role("heading", name="Marked today")).to_be_visible()
    assert_not_reloaded(page, url)
    promise.refresh_from_db()
    assert promise.status == Status.KEPT

    promises.get_by_role("button", name="Undo").click()
    expect(promises.get_by_role("heading", name="Due today")).to_be_visible()
    expect(score).to_have_text("4.0")
    assert_not_reloaded(page, url)
    promise.refresh_from_db()
    assert promise.status == Status.OPEN
