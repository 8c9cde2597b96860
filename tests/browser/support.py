"""Helpers shared by the browser journeys."""


def set_marker(page):
    """Mark the window: a page load (full navigation) would lose the mark."""
    page.evaluate("window.__marker = 1")


def assert_not_reloaded(page, url):
    assert page.evaluate("window.__marker") == 1
    assert page.url == url
