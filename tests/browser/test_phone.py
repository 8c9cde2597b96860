"""On a small phone the pages fit the screen: no sideways scrolling."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def assert_no_horizontal_scroll(page):
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"{page.url} is {scroll_width}px wide on a 360px screen"


def test_home_and_dashboard_fit_a_phone(page, content, alice, log_in, relationship_factory):
    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_horizontal_scroll(page)

    relationship = relationship_factory(alice, name="Samantha-Alexandra")
    today = timezone.localdate()
    for days, status in [(-3, "kept"), (-1, "broken"), (0, "open"), (1, "open"), (-2, "open")]:
        promise = relationship.promises.create(
            text=f"Tell them where I am when I go out, day {days}",
            due_date=today + timedelta(days=days),
        )
        if status != "open":
            promise.set_status(status, by=alice, on=today + timedelta(days=days))
    relationship.checkins.create(date=today, felt_trust=2, note="Still wary")
    relationship.reflections.create(date=today, text="Mostly I was afraid of the conversation.")
    log_in(alice)

    page.goto(f"/dashboard/{relationship.pk}/")
    expect(page.get_by_test_id("score")).to_be_visible()
    assert_no_horizontal_scroll(page)
