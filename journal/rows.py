"""Promise rows (journal/promise_row.html), each rendered once for what it shows.

The dashboard lists a few dozen promises and a relationship's journal twenty a page; after a
click or an edit, all but one of them show what they showed before. Each row's HTML is kept,
in this process (ROWS, trustrepair.memo) and in the cache, under a value that names all the
row shows: the promise's fields and the rest of its context (the day, the language, the page
its forms come back to, the lessons' content version). Rows are rendered with the CSRF
placeholder where the token goes, so a page that lists them must go out through
journal.pagecache.with_csrf_token, as the cached pages do.
"""

import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from guides.catalogue import catalogue
from guides.models import content_version
from journal.pagecache import CSRF_PLACEHOLDER
from trustrepair.memo import Memo

ROW_CACHE_SECONDS = 60 * 60 * 24  # promise texts: no longer than a day
ROWS = Memo(size=2048, seconds=10 * 60)
ROW_FIELDS = ("pk", "text", "size", "due_date", "status", "resolved_on", "lesson_id")
# What a row is kept under, of the promise: what it shows, and the moment it was resolved,
# which it does not show. A row a click resolves is new, as a user's click makes it, even when
# the same promise was kept, undone and kept again (the benchmark's Kept / Undo pairs would
# otherwise find it rendered); an Undo goes back to the open row shown before.
KEPT_UNDER = (*ROW_FIELDS, "resolved_at")


def rendered_rows(shown, context, promise_of):
    """{pk: the row's HTML} for each promise in `shown`, which maps its pk to the value its
    row is kept under (all the row shows, KEPT_UNDER and `context` included). A row kept
    neither here nor in the cache is rendered with `context`, the CSRF placeholder as its
    token, and `promise_of(pk)`: the Promise, with its lesson."""
    rows = {pk: ROWS.get(what) for pk, what in shown.items()}
    missing = {pk: what for pk, what in shown.items() if rows[pk] is None}
    if missing:
        keys = {
            pk: "row:" + hashlib.sha256(repr(what).encode()).hexdigest()
            for pk, what in missing.items()
        }
        cached = cache.get_many(keys.values())
        context = {**context, "csrf_token": CSRF_PLACEHOLDER}
        rendered = {
            keys[pk]: render_to_string(
                "journal/promise_row.html", {**context, "promise": promise_of(pk)}
            )
            for pk in missing
            if keys[pk] not in cached
        }
        cache.set_many(rendered, ROW_CACHE_SECONDS)
        cached.update(rendered)
        for pk, what in missing.items():
            rows[pk] = mark_safe(cached[keys[pk]])
            ROWS.set(what, rows[pk])
    return rows


def journal_rows(promises, path, today):
    """The rows of a relationship's journal page (`promises`, Promises without their lessons
    read: the rows that are rendered take them from guides.catalogue), one after the other,
    their forms coming back to `path`."""
    shared = ("journal", today, get_language(), path, content_version())
    listed = {promise.pk: promise for promise in promises}
    shown = {
        pk: (tuple(getattr(promise, name) for name in KEPT_UNDER), shared)
        for pk, promise in listed.items()
    }

    def promise_of(pk):
        promise = listed[pk]
        if promise.lesson_id is not None:
            promise.lesson = catalogue().lesson_by_id(promise.lesson_id)
        return promise

    rows = rendered_rows(shown, {"today": today, "next": path}, promise_of)
    return mark_safe("".join(rows[pk] for pk in listed))
