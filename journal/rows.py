"""Promise rows (journal/promise_row.html), reflections and check-ins, each rendered once for
what it shows.

The dashboard lists a few dozen promises and a relationship's journal twenty a page of each;
after a click or an edit, all but one of them show what they showed before. Each entry's HTML
is kept, in this process (ROWS, trustrepair.memo) and in the cache, under a value that names
all it shows: its fields and the rest of its context (the day, the language, the page its
forms come back to, the lessons' content version). Entries are rendered with the CSRF
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


def rendered(template_name, name, shown, context, item_of):
    """{pk: the entry's HTML} for each entry in `shown`, which maps its pk to the value its
    HTML is kept under: all it shows, its pk (in its links) and `context` included. One kept
    neither here nor in the cache is rendered from `template_name` with `context`, the CSRF
    placeholder as its token, and `item_of(pk)` as `name`."""
    shown = {pk: (template_name, what) for pk, what in shown.items()}
    entries = {pk: ROWS.get(what) for pk, what in shown.items()}
    missing = {pk: what for pk, what in shown.items() if entries[pk] is None}
    if missing:
        keys = {
            pk: "row:" + hashlib.sha256(repr(what).encode()).hexdigest()
            for pk, what in missing.items()
        }
        cached = cache.get_many(keys.values())
        context = {**context, "csrf_token": CSRF_PLACEHOLDER}
        fresh = {
            keys[pk]: render_to_string(template_name, {**context, name: item_of(pk)})
            for pk in missing
            if keys[pk] not in cached
        }
        cache.set_many(fresh, ROW_CACHE_SECONDS)
        cached.update(fresh)
        for pk, what in missing.items():
            entries[pk] = mark_safe(cached[keys[pk]])
            ROWS.set(what, entries[pk])
    return entries


def rendered_rows(shown, context, promise_of):
    """rendered() for promise rows: `promise_of(pk)` gives the Promise, with its lesson."""
    return rendered("journal/promise_row.html", "promise", shown, context, promise_of)


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


def reflection_items(reflections):
    """A relationship's journal page of reflections (read with their prompts and promises),
    one after the other."""
    shared = (get_language(), content_version())  # the prompts' texts are lesson content
    listed = {reflection.pk: reflection for reflection in reflections}
    shown = {
        pk: (
            pk,
            reflection.date,
            reflection.text,
            reflection.prompt_id,
            reflection.promise and reflection.promise.text,
            shared,
        )
        for pk, reflection in listed.items()
    }
    items = rendered("journal/reflection_item.html", "reflection", shown, {}, listed.get)
    return mark_safe("".join(items[pk] for pk in listed))


def checkin_items(checkins):
    """A relationship's journal page of check-ins, one after the other."""
    language = get_language()
    listed = {checkin.pk: checkin for checkin in checkins}
    shown = {
        pk: (pk, checkin.date, checkin.felt_trust, checkin.note, language)
        for pk, checkin in listed.items()
    }
    items = rendered("journal/checkin_item.html", "checkin", shown, {}, listed.get)
    return mark_safe("".join(items[pk] for pk in listed))
