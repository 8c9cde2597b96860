"""The WSGI application runs each request in a frame-stack chunk of its own
(trustrepair/wsgi.py), so that no loop in a page maps and unmaps memory per call, however
deep the server calls it. Counted as the process's minor page faults: each chunk CPython
maps anew is faulted in again, thousands of times a page where a loop crosses a chunk's
edge."""

import resource
from http import HTTPStatus

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from trustrepair.wsgi import application

# Where the edge falls moves with the caller's depth: one frame of `deeper` is some 80
# bytes, so every offset within a 16 kB chunk is met twice over.
DEPTHS = range(0, 400, 2)
# A request's own faults, with no chunk mapped per call: a few dozen at most.
MAX_FAULTS = 100


@pytest.fixture
def keep_the_test_connection():
    """As Django's test client does: a request must not close the connection that holds
    the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def deeper(depth, call):
    return call() if depth == 0 else deeper(depth - 1, call)


def faults_at(depth, call):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    deeper(depth, call)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_a_page_maps_no_stack_chunk_per_call_at_any_depth(auth_client, keep_the_test_connection):
    """The settings page (600 time zones, a form's fields) at every depth: without the
    chunk of its own, some depths took 100 to 600 faults a page here."""
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in auth_client.cookies.items())
    environ = RequestFactory().get("/journal/settings/", HTTP_COOKIE=cookie).environ
    statuses = []

    def request():
        b"".join(application(dict(environ), lambda status, headers: statuses.append(status)))

    request()
    assert statuses[-1].startswith(str(HTTPStatus.OK.value))
    worst = {}
    for depth in DEPTHS:
        # The fewer of two: a page's first use of some memory is not the chunk's doing.
        worst[depth] = min(faults_at(depth, request) for _ in range(2))
    assert max(worst.values()) <= MAX_FAULTS, {d: n for d, n in worst.items() if n > MAX_FAULTS}
