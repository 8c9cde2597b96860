"""Settings come from the environment, and bad values stop the app with a clear message."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

CHECK = [sys.executable, "manage.py", "check", "--fail-level", "ERROR"]


def run_check(**env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(env)
    return subprocess.run(
        CHECK, cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=60
    )


def test_it_starts_in_debug_without_a_secret_key():
    result = run_check(DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_it_refuses_the_dev_key_when_debug_is_off():
    result = run_check(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_starts_in_production_with_a_secret_key():
    result = run_check(DEBUG="false", SECRET_KEY="x" * 60, ALLOWED_HOSTS="example.com")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_it_rejects_a_bad_debug_value(value):
    result = run_check(DEBUG=value)
    assert result.returncode != 0
    assert f"DEBUG={value!r} is not a boolean" in result.stderr


def test_it_rejects_a_bad_number():
    result = run_check(DEBUG="1", CONN_MAX_AGE="forever")
    assert result.returncode != 0
    assert "CONN_MAX_AGE='forever' is not a whole number" in result.stderr


def test_it_reads_database_url():
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DATABASES)"],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "trustrepair.settings",
            "DEBUG": "1",
            "DATABASE_URL": "postgres://someone@db.example:5433/trust",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "'ENGINE': 'django.db.backends.postgresql'" in result.stdout, result.stderr
    assert "'PORT': 5433" in result.stdout


def test_sqlite_waits_for_writers_instead_of_failing():
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DATABASES)"],
        cwd=settings.BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "DJANGO_SETTINGS_MODULE": "trustrepair.settings",
            "DEBUG": "1",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "'transaction_mode': 'IMMEDIATE'" in result.stdout, result.stderr
    assert "PRAGMA journal_mode=WAL" in result.stdout
    assert "'timeout': 20" in result.stdout


def test_htmx_middleware_comes_after_csrf():
    middleware = settings.MIDDLEWARE
    assert middleware.index("django_htmx.middleware.HtmxMiddleware") > middleware.index(
        "django.middleware.csrf.CsrfViewMiddleware"
    )
