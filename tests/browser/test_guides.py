"""Reading a lesson in Japanese and marking it done in place."""

import re

import pytest
from playwright.sync_api import expect

from guides.models import Lesson, LessonProgress, Progress
from tests.browser.support import assert_not_reloaded, set_marker

pytestmark = pytest.mark.browser


def test_it_marks_a_lesson_done_without_reloading(page, content, alice, log_in):
    lesson = Lesson.objects.select_related("guide").first()
    log_in(alice)

    page.goto("/guides/")
    page.get_by_role("heading", name=lesson.guide.title_en).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lesson.guide.title_en)
    page.get_by_role("link", name=lesson.title_en, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title_en)

    page.get_by_label("Language").select_option("ja")
    expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title_ja)

    progress = page.locator("#lesson-progress")
    badge = progress.locator(".badge")
    expect(badge).to_have_class(re.compile(r"\bin_progress\b"))  # opening it started it
    url = page.url
    set_marker(page)
    progress.get_by_role("button").click()

    expect(badge).to_have_class(re.compile(r"\bdone\b"))
    assert_not_reloaded(page, url)
    expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title_ja)

    page.reload()
    expect(badge).to_have_class(re.compile(r"\bdone\b"))
    # The button now offers to undo it.
    expect(progress.locator("input[name=status]")).to_have_value(Progress.IN_PROGRESS)
    assert LessonProgress.objects.get(user=alice, lesson=lesson).status == Progress.DONE
