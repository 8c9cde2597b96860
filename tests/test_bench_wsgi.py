"""The benchmark's application (bench/wsgi.py) is the app's, with its server time in a header."""

import re
from http import HTTPStatus

from django.test import RequestFactory

from bench.wsgi import application
from trustrepair.wsgi import application as served


def without_per_request_values(body):
    """The CSP nonces and CSRF tokens, new in every response."""
    fresh = rb'(nonce=|name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"'
    return re.sub(fresh, rb'\1""', body)


def call(app, environ):
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=dict(headers))

    body = b"".join(app(dict(environ), start_response))
    return started["status"], started["headers"], body


def test_the_page_is_the_apps_with_its_server_time_added(db):
    environ = RequestFactory().get("/").environ
    status, headers, body = call(application, environ)
    plain_status, plain_headers, plain_body = call(served, environ)
    assert status == plain_status
    assert status.startswith(str(HTTPStatus.OK.value))
    assert without_per_request_values(body) == without_per_request_values(plain_body)
    assert 0 < float(headers.pop("X-Server-Time")) < 60
    assert headers.keys() == plain_headers.keys()
