"""Settings come from the environment, and bad values stop the app with a clear message."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection


def run_manage(*args, **env):
    """manage.py in a fresh process, with only the given settings variables set."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_check(**env):
    return run_manage("check", "--fail-level", "ERROR", **env)


def databases_setting(**env):
    code = "from django.conf import settings; print(settings.DATABASES)"
    return run_manage("shell", "-c", code, DEBUG="1", **env)


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
    result = databases_setting(DATABASE_URL="postgres://someone@db.example:5433/trust")
    assert "'ENGINE': 'django.db.backends.postgresql'" in result.stdout, result.stderr
    assert "'PORT': 5433" in result.stdout


def test_postgresql_prepares_the_queries_it_runs_often():
    url = "postgres://someone@db.example:5433/trust"
    result = databases_setting(DATABASE_URL=url)
    assert "'server_side_binding': True" in result.stdout, result.stderr
    assert "'prepare_threshold': 5" in result.stdout
    result = databases_setting(DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="0")
    assert "'ENGINE': 'django.db.backends.postgresql'" in result.stdout, result.stderr
    assert "server_side_binding" not in result.stdout
    assert "prepare_threshold" not in result.stdout
    assert "server_side_binding" not in databases_setting().stdout  # SQLite


def test_sqlite_waits_for_writers_instead_of_failing():
    result = databases_setting()
    assert "'transaction_mode': 'IMMEDIATE'" in result.stdout, result.stderr
    assert "PRAGMA journal_mode=WAL" in result.stdout
    assert "'timeout': 20" in result.stdout


def test_htmx_middleware_comes_after_csrf():
    middleware = settings.MIDDLEWARE
    assert middleware.index("django_htmx.middleware.HtmxMiddleware") > middleware.index(
        "django.middleware.csrf.CsrfViewMiddleware"
    )


@pytest.mark.django_db
def test_postgresql_plans_a_query_run_often_once():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (this suite runs on it in CI)")
    for _ in range(6):
        list(get_user_model().objects.filter(pk=1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any('FROM "auth_user"' in statement for statement in prepared), prepared
