"""Fixtures for browser journeys: the real app on pytest-django's live server, driven
by Chromium. Every test here uses a transactional database (the server runs in
another thread), so lesson content is loaded per test.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import _fixture_files


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture
def browser_context_args(browser_context_args):
    # The server's "today" and the browser's (sent as the user's time zone) must agree.
    return {**browser_context_args, "locale": "en-GB", "timezone_id": settings.TIME_ZONE}


@pytest.fixture
def page(page, live_server):
    """Playwright's page, failing the test if anything is fetched from another host."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    yield page
    offsite = [url for url in requested if not url.startswith((live_server.url, "data:"))]
    assert not offsite, f"requests to other hosts: {offsite}"


@pytest.fixture
def content(transactional_db):
    call_command("loaddata", *sorted(str(p) for p in _fixture_files()), verbosity=0)


@pytest.fixture
def log_in(page, live_server):
    """Give the browser the session of a user, as if they had logged in."""

    def log_in_as(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )

    return log_in_as


@pytest.fixture
def relationship_factory():
    def create(owner, **fields):
        from journal.models import Relationship

        defaults = {
            "name": "Sam",
            "kind": "partner",
            "breach_cause": "lie",
            "breach_date": timezone.localdate() - timedelta(days=10),
            "starting_trust": 4,
        }
        return Relationship.objects.create(owner=owner, **{**defaults, **fields})

    return create
