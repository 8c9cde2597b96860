"""Small assertions shared by the journal's view tests."""

import re
from http import HTTPStatus

# A form's CSRF token in a page (a cached page gets one of its own in every response).
CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def main_of(response):
    """A page's <main> without its messages: for a cached page, all that comes from the cache."""
    main = re.search(rb"<main.*</main>", response.content, re.DOTALL).group()
    return re.sub(rb'<div class="messages".*?</div>', b"", main, flags=re.DOTALL)


def assert_login_redirect(response, url):
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/accounts/login/?next=")
    assert url.split("?")[0] in response.url


def assert_partial(response):
    """An htmx response carries a fragment, never a whole page."""
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.UNPROCESSABLE_ENTITY)
    assert b"<html" not in response.content
    assert b"<body" not in response.content


def assert_full_page(response):
    assert b"<html" in response.content


def form_value(value):
    """Parametrized form values: a timedelta means that many days from the user's today."""
    from datetime import timedelta

    from django.utils import timezone

    if isinstance(value, timedelta):
        return (timezone.localdate() + value).isoformat()
    return value


def settings_data(client, **changes):
    """What the settings form would post unchanged, with `changes` applied.

    Read from the form itself so these tests don't break when settings gain a field.
    """
    form = client.get("/journal/settings/").context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    data.update(changes)
    return data


def forget_cached():
    """As a worker that has seen nothing yet: the cache emptied, and this process's memos
    (trustrepair.memo), which would otherwise still hold what the cache held."""
    from django.core.cache import cache

    from trustrepair import memo

    cache.clear()
    memo.clear_all()
