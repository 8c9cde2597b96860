import os
import shutil

import pytest
from django.test import Client

# Playwright's sync API runs an event loop in the test thread; Django refuses
# ORM calls from there unless told the thread is safe (it is: one test at a time).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_MISSING = "Chromium is not installed: run `apt-get install -y chromium` (as root)."


def pytest_configure(config):
    if CHROMIUM is None and os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.exit(CHROMIUM_MISSING + " REQUIRE_BROWSER=1 forbids skipping browser tests.", 1)


def pytest_collection_modifyitems(config, items):
    if CHROMIUM is not None:
        return
    skip = pytest.mark.skip(reason=CHROMIUM_MISSING)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


PASSWORD = "a-long-test-password-42"


@pytest.fixture
def user_factory(django_user_model):
    def create(email):
        user = django_user_model.objects.create_user(
            username=email.split("@")[0], email=email, password=PASSWORD
        )
        user.emailaddress_set.create(email=email, primary=True, verified=True)
        return user

    return create


@pytest.fixture
def alice(user_factory):
    return user_factory("alice@example.com")


@pytest.fixture
def charlie(user_factory):
    """A stranger: must never see or change alice's data."""
    return user_factory("charlie@example.com")


@pytest.fixture
def auth_client(alice):
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def stranger_client(charlie):
    client = Client()
    client.force_login(charlie)
    return client


@pytest.fixture
def lessons(db):
    from django.core.management import call_command

    call_command("loaddata", *sorted(str(p) for p in _fixture_files()), verbosity=0)


def _fixture_files():
    from django.conf import settings

    return (settings.BASE_DIR / "fixtures").glob("*.json")


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} ({database['NAME']})"


@pytest.fixture(autouse=True)
def fresh_cache():
    """allauth keeps its rate-limit counters in the cache: start every test from zero (and
    with nothing kept in this process's memos, which would outlive the cache)."""
    from django.core.cache import cache

    from trustrepair import memo

    cache.clear()
    memo.clear_all()
