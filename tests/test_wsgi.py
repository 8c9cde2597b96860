"""The WSGI application runs each request in a frame-stack chunk of its own
(trustrepair/wsgi.py), so that no loop in a page maps and unmaps memory per call, however
deep the server calls it. Counted as the process's minor page faults: each chunk CPython
maps anew is faulted in again, thousands of times a page where a loop crosses a chunk's
edge. And what the process loads at start is left out of the collector's rounds."""

import os
import resource
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

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


def test_what_the_app_loads_at_start_is_left_out_of_garbage_collection():
    """Loading the application freezes every object made so far (Django, the apps, their
    modules): they live as long as the process, and a full collection would go through all
    of them again each time. In a fresh interpreter, as a server loads it."""
    script = "import gc, trustrepair.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    frozen, still_collected = map(int, out.stdout.split())
    # Tens of thousands frozen; what the collector still sees is what was made after.
    assert frozen > 20_000
    assert still_collected < frozen / 20
