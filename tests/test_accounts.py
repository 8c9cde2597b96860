"""Accounts through allauth: e-mail + password, verification, reset, change."""

from http import HTTPStatus

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from tests.conftest import PASSWORD


def sign_up(client, email="new@example.com", password=PASSWORD):
    return client.post(
        "/accounts/signup/", {"email": email, "password1": password, "password2": password}
    )


def test_sign_up_needs_only_email_and_password(client, db):
    page = client.get("/accounts/signup/").content.decode()
    assert 'name="email"' in page
    assert 'name="username"' not in page
    response = sign_up(client)
    assert response.status_code == HTTPStatus.FOUND
    assert get_user_model().objects.filter(email="new@example.com").exists()


def test_sign_up_sends_a_verification_email_and_the_app_is_usable_before(client, db):
    sign_up(client)
    assert len(mail.outbox) == 1
    assert "new@example.com" in mail.outbox[0].to
    assert not EmailAddress.objects.get(email="new@example.com").verified
    assert client.get("/journal/welcome/").status_code == HTTPStatus.OK


def test_sign_up_refuses_a_weak_password_and_keeps_the_email(client, db):
    response = sign_up(client, password="password")
    assert response.status_code == HTTPStatus.OK
    assert "This password is too common." in response.content.decode()
    assert 'value="new@example.com"' in response.content.decode()
    assert not get_user_model().objects.exists()


def test_log_in_and_out(client, alice):
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/dashboard/"
    response = client.post("/accounts/logout/")
    assert response.status_code == HTTPStatus.FOUND
    assert client.get("/journal/").status_code == HTTPStatus.FOUND


def test_a_wrong_password_is_refused_with_a_message(client, alice):
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": "nope"})
    assert response.status_code == HTTPStatus.OK
    assert "not correct" in response.content.decode()


def test_password_reset_sends_a_link(client, alice):
    response = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert response.status_code == HTTPStatus.FOUND
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_password_change(auth_client, alice):
    response = auth_client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "another-long-pass-77",
            "password2": "another-long-pass-77",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    alice.refresh_from_db()
    assert alice.check_password("another-long-pass-77")


def test_account_pages_use_the_site_layout(auth_client):
    page = auth_client.get("/accounts/password/change/").content.decode()
    assert 'class="site-header"' in page
    assert "not professional, medical or legal advice" in page


def test_rate_limits_are_on():
    assert settings.ACCOUNT_RATE_LIMITS_ENABLED is True
