"""Security headers on every response, and a production configuration Django approves of."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.parametrize("url", ["/", "/guides/", "/accounts/login/"])
def test_every_page_sends_the_security_headers(client, db, url):
    response = client.get(url)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_content_security_policy_allows_only_this_site(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "http" not in policy


def test_pages_have_no_inline_script_or_style(auth_client, lessons):
    for url in ["/", "/guides/", "/journal/welcome/", "/journal/settings/"]:
        page = auth_client.get(url, follow=True).content.decode()
        assert "<script>" not in page
        assert "<script " not in page.replace('<script src="', "")
        assert " style=" not in page
        assert "<style" not in page


def test_htmx_is_told_not_to_inject_styles_or_eval(client, db):
    page = client.get("/").content.decode()
    assert '"includeIndicatorStyles": false' in page
    assert '"allowEval": false' in page


def test_session_and_csrf_cookies_are_http_only_or_secure_in_production():
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_check_deploy_is_clean_with_production_settings():
    environment = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        },
        "DJANGO_SETTINGS_MODULE": "trustrepair.settings",
        "DEBUG": "0",
        "SECRET_KEY": "production-like-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "trust.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
