"""Rendered HTML kept in the cache, with the CSRF token put in for each response.

The token is the one part of a signed-in page that must differ per response: Django masks
it afresh each time (against BREACH). So a page is rendered with a placeholder where the
token goes, cached, and every response gets the placeholder replaced by a freshly masked
token. The placeholder contains "<", which escaped text (everything a user typed) can never
contain, so nothing a user wrote can be turned into a token.

The caller names, in `key_parts`, everything the HTML depends on: whose it is, the version of
their data, the path, the day and the language (page_key, for a relationship's pages). A part
left out is a page shown stale.
"""

import hashlib

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from guides.models import content_version

CSRF_PLACEHOLDER = SafeString("<csrf-token>")
PAGE_CACHE_SECONDS = 60 * 60


def cached_html(request, key_parts, render):
    """The HTML `render(csrf_token)` returns, from the cache when `key_parts` are the same."""
    digest = hashlib.sha256(repr(key_parts).encode()).hexdigest()
    key = f"page:{digest}"
    html = cache.get(key)
    if html is None:
        html = str(render(CSRF_PLACEHOLDER))
        cache.set(key, html, PAGE_CACHE_SECONDS)
    return with_csrf_token(request, html)


def with_csrf_token(request, html):
    """`html`, rendered with CSRF_PLACEHOLDER as its token, with this response's token."""
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))


def page_key(name, request, relationship):
    """Everything the rendered page `name` of `relationship` depends on: its page_version
    covers its own data (promises, breaches, reflections, check-ins), its owner's other
    relationships and lesson progress; content_version the lessons' titles and prompts; the
    day which promises are due or overdue."""
    return (
        name,
        relationship.pk,
        relationship.page_version,
        request.get_full_path(),
        timezone.localdate(),
        timezone.get_current_timezone_name(),
        get_language(),
        content_version(),
    )
