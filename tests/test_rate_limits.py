"""allauth rate limits (login, sign-up, password reset); sessions after a password change."""

from http import HTTPStatus

from django.test import Client

from tests.conftest import PASSWORD

TOO_MANY = "Too many failed login attempts. Try again later."


def failed_login(client, email="alice@example.com"):
    return client.post("/accounts/login/", {"login": email, "password": "wrong-password"})


def test_the_sixth_failed_login_for_an_account_is_refused(client, alice):
    for _ in range(5):
        response = failed_login(client)
        assert TOO_MANY not in response.content.decode()
    response = failed_login(client)
    assert TOO_MANY in response.content.decode()
    # Even the right password is refused while the limit lasts.
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert response.status_code == HTTPStatus.OK
    assert TOO_MANY in response.content.decode()


def test_failed_logins_for_one_account_do_not_block_another(client, alice, charlie):
    for _ in range(6):
        failed_login(client)
    response = client.post(
        "/accounts/login/", {"login": "charlie@example.com", "password": PASSWORD}
    )
    assert response.status_code == HTTPStatus.FOUND


def test_password_reset_is_rate_limited(client, alice):
    statuses = [
        client.post("/accounts/password/reset/", {"email": "alice@example.com"}).status_code
        for _ in range(8)
    ]
    assert HTTPStatus.TOO_MANY_REQUESTS in statuses
    assert statuses[0] == HTTPStatus.FOUND


def test_sign_up_is_rate_limited(client, db):
    statuses = []
    for n in range(25):
        response = Client(REMOTE_ADDR="10.9.8.7").post(
            "/accounts/signup/",
            {"email": f"person{n}@example.com", "password1": PASSWORD, "password2": PASSWORD},
            REMOTE_ADDR="10.9.8.7",
        )
        statuses.append(response.status_code)
    assert HTTPStatus.TOO_MANY_REQUESTS in statuses


def test_changing_the_password_logs_out_every_other_session(alice):
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        assert (
            client.post(
                "/accounts/login/", {"login": "alice@example.com", "password": PASSWORD}
            ).status_code
            == HTTPStatus.FOUND
        )
    here.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-pass-99",
            "password2": "a-new-long-pass-99",
        },
    )
    assert here.get("/journal/settings/").status_code == HTTPStatus.OK
    response = elsewhere.get("/journal/settings/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")
