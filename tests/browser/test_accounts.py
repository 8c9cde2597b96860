"""Sign up, log out through the account menu, log back in: all through the real forms."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

EMAIL = "dana@example.com"


def account_menu(page):
    return page.locator("details", has=page.locator("summary", has_text="Account"))


def fill_password(page, password):
    page.get_by_label(re.compile(r"^Password:?$")).fill(password)


def test_it_signs_up_logs_out_and_logs_back_in(page, live_server, content):
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill(EMAIL)
    fill_password(page, PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    expect(page).to_have_url(f"{live_server.url}/journal/welcome/")
    expect(
        page.get_by_role("heading", name="Who would you like to rebuild trust with?")
    ).to_be_visible()

    account_menu(page).locator("summary").click()
    expect(account_menu(page).get_by_text(EMAIL, exact=True)).to_be_visible()
    account_menu(page).get_by_role("button", name="Log out").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(account_menu(page)).to_have_count(0)

    page.get_by_role("link", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email").fill(EMAIL)
    fill_password(page, PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/(journal/welcome|dashboard)/"))
    account_menu(page).locator("summary").click()
    expect(account_menu(page).get_by_text(EMAIL, exact=True)).to_be_visible()
