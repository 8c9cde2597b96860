from http import HTTPStatus


def test_it_shows_visitors_what_the_app_is(client, db):
    response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    assert b"Start your private journal" in response.content
    assert b'href="/accounts/signup/"' in response.content
    assert b"not professional, medical or legal advice" in response.content


def test_it_sends_users_to_their_dashboard(auth_client):
    response = auth_client.get("/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/dashboard/"


def test_it_rejects_post(client, db):
    assert client.post("/").status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_htmx_is_served_by_the_app_itself(client, db):
    content = client.get("/").content.decode()
    assert '<script src="/static/django_htmx/htmx-2.min.js"' in content or (
        "django_htmx/htmx-2.min.js" in content
    )
    assert "https://" not in content.split("<body")[0]
    assert "hx-headers" in content and "X-CSRFToken" in content


def test_the_page_asks_no_other_host(client, db):
    content = client.get("/").content.decode()
    for attribute in ('src="http', 'href="http', 'src="//', 'href="//'):
        assert attribute not in content
