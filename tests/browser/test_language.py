"""Switching the interface to Japanese with the header's language picker."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_it_switches_to_japanese(page, live_server, content):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # The picker submits itself on change (app.js): no button click.
    page.get_by_label("Language").select_option("ja")

    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("combobox")).to_have_value("ja")
    guides_link = page.get_by_role("banner").get_by_role("navigation").get_by_role("link")
    expect(guides_link).to_have_text("ガイド")

    # The choice sticks on the next page.
    guides_link.click()
    expect(page).to_have_url(f"{live_server.url}/guides/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("ガイド")
