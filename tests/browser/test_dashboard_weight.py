"""A heavy user's first dashboard load is light: at most 60 KB over the wire, all of it from
this server.

How it is measured: every response the browser receives for the first load (the redirect,
the page, its CSS, JavaScript and icon, and the time-zone call app.js makes) is counted at
its size over the wire in production. The page (HTML) counts as the browser received it:
the app does not compress pages. Static files count at their gzip size: in production
whitenoise serves the gzip files collectstatic made (Chromium accepts gzip), while the test
server sends them as they are, so the test compresses what it received the same way
(level 9) and counts that, or the raw size where gzip would not save anything.
"""

import gzip
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.browser

LIMIT = 60 * 1024
HEAVY = "heavy@example.com"


def size_over_the_wire(response):
    sizes = response.request.sizes()
    encoded = response.headers.get("content-encoding")
    if encoded or not urlsplit(response.url).path.startswith(settings.STATIC_URL):
        return sizes["responseBodySize"]
    body = response.body()
    return min(len(body), len(gzip.compress(body, 9, mtime=0)))


def test_the_first_load_of_a_heavy_dashboard_is_light(page, live_server, content, log_in):
    call_command("seed_demo", "--scale", "heavy", "--email", HEAVY, verbosity=0)
    log_in(get_user_model().objects.get(email=HEAVY))
    responses = []
    page.on("response", lambda response: responses.append(response))

    page.goto(f"{live_server.url}/dashboard/", wait_until="networkidle")

    assert "/dashboard/" in page.url and page.get_by_test_id("score").is_visible()
    assert all(r.url.startswith(live_server.url) for r in responses)
    kinds = {r.request.resource_type for r in responses}
    assert {"document", "stylesheet", "script"} <= kinds
    sizes = {r.url: size_over_the_wire(r) for r in responses}
    assert sum(sizes.values()) <= LIMIT, sizes
