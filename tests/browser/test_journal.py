"""A new user's first steps: onboarding, a promise from a lesson, its status, a reflection."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guides.models import Lesson
from guides.progress import recommended_first_lesson
from journal.models import Promise, Reflection, Status
from tests.browser.support import assert_not_reloaded, set_marker

pytestmark = pytest.mark.browser


def test_it_walks_a_new_user_from_onboarding_to_a_kept_promise_and_a_reflection(
    page, live_server, content, user_factory, log_in
):
    user = user_factory("erin@example.com")
    lesson = recommended_first_lesson("partner", list(Lesson.objects.select_related("guide")))
    suggestion = lesson.suggested_promises.first()
    prompt = lesson.prompts.first()
    log_in(user)

    page.goto("/journal/welcome/")
    page.get_by_label("Name or nickname").fill("Sam")
    page.get_by_label("Kind").select_option("partner")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="What happened?")).to_be_visible()
    page.get_by_label("What broke the trust").select_option("lie")
    page.get_by_label("When it happened").fill(timezone.localdate().isoformat())
    page.get_by_label("What happened, in a few words").fill("I said I was at work.")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="How much do they trust you now?")).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(11)
    page.get_by_role("radio", name="3", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="A first step with Sam")).to_be_visible()
    expect(page.get_by_role("link", name=lesson.title_en, exact=True)).to_be_visible()
    page.get_by_role("link", name="Read the lesson").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title_en)
    suggestions = page.locator("li.suggestion", has_text=suggestion.text_en)
    suggestions.get_by_role("link", name="Make this a promise").click()

    expect(page.get_by_label("I promise to")).to_have_value(suggestion.text_en)
    recipient = page.get_by_role("combobox", name=re.compile(r"^To\b"))
    expect(recipient.locator("option:checked")).to_have_text("Sam")
    page.get_by_role("button", name="Make this promise").click()

    expect(page).to_have_url(re.compile(r"/journal/relationships/\d+/$"))
    promise = Promise.objects.get(relationship__owner=user)
    assert promise.lesson == lesson
    journal_url = f"{live_server.url}{promise.relationship.get_absolute_url()}"
    assert page.url == journal_url
    row = page.locator(f"#promise-{promise.pk}")
    expect(row).to_contain_text(suggestion.text_en)
    set_marker(page)

    row.get_by_role("button", name="Kept").click()
    expect(row).to_have_class(re.compile(r"\bpromise-kept\b"))
    expect(row.get_by_role("button", name="Broken")).to_have_count(0)
    assert_not_reloaded(page, journal_url)

    row.get_by_role("button", name="Undo").click()
    expect(row).to_have_class(re.compile(r"\bpromise-open\b"))
    assert_not_reloaded(page, journal_url)

    row.get_by_role("button", name="Broken").click()
    expect(row).to_have_class(re.compile(r"\bpromise-broken\b"))
    expect(row.get_by_role("button", name="Undo")).to_be_visible()
    assert_not_reloaded(page, journal_url)
    promise.refresh_from_db()
    assert promise.status == Status.BROKEN

    # The row links back to the lesson the promise came from.
    row.get_by_role("link", name=lesson.title_en).click()
    prompts = page.locator("li.suggestion", has_text=prompt.text_en)
    prompts.get_by_role("link", name="Reflect on this").click()

    quoted_prompt = page.locator("blockquote", has_text=prompt.text_en)
    box = page.get_by_label("Your reflection")
    expect(quoted_prompt).to_be_visible()
    assert quoted_prompt.bounding_box()["y"] < box.bounding_box()["y"]
    box.fill("I hid where I was because I was ashamed.")
    page.get_by_role("button", name="Save reflection").click()

    expect(page).to_have_url(journal_url)
    reflections = page.locator("#reflections-section")
    expect(reflections).to_contain_text("I hid where I was because I was ashamed.")
    expect(reflections).to_contain_text(prompt.text_en)
    assert Reflection.objects.get(relationship=promise.relationship).prompt == prompt
