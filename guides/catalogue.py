"""The guides and lessons as this process last read them, once per content version.

Lesson content changes only through the admin and loaddata, and every such change replaces
guides.models.content_version(). Until it does, every page reads the same four guides and
36 lessons, with their prompts and suggested promises: read with the ORM on each request,
they cost the guides list two queries that brought every lesson's text (most of its time), and
a lesson page four. Kept here as objects (trustrepair.memo), a page finds them by the
version's name in the cache. Reading them takes two queries (the lessons with their guides,
then every prompt and suggestion), so that a dashboard rendered while its worker also computes
a history stays within its query budget (tests/test_performance.py).

The objects are shared by every request this process serves: read them, never change them
(a view that needs more per lesson, such as the user's progress, keeps it beside them).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, CharField, IntegerField, Value

from guides.models import Lesson, ReflectionPrompt, SuggestedPromise, content_version
from trustrepair.memo import Memo

_COLUMNS = ("id", "lesson_id", "position", "text_en", "text_ja", "size", "due_in_days")


@dataclass(frozen=True)
class Catalogue:
    guides: tuple  # Guides in course order (those with at least one lesson)
    lessons: tuple  # Lessons in course order, each with its guide
    # What a link to each lesson shows, by id: (slug, title_en, title_ja, guide's slug).
    links: dict = field(repr=False)
    _by_slugs: dict = field(repr=False)
    _by_id: dict = field(repr=False)
    _prompts: dict = field(repr=False)  # lesson id -> its ReflectionPrompts, in order
    _suggestions: dict = field(repr=False)  # lesson id -> its SuggestedPromises, in order

    @classmethod
    def read(cls):
        lessons = tuple(Lesson.objects.select_related("guide"))
        guides = {}
        for lesson in lessons:  # the same Guide object for all of a guide's lessons
            lesson.guide = guides.setdefault(lesson.guide_id, lesson.guide)
        links = {
            lesson.pk: (lesson.slug, lesson.title_en, lesson.title_ja, lesson.guide.slug)
            for lesson in lessons
        }
        by_slugs = {(lesson.guide.slug, lesson.slug): lesson for lesson in lessons}
        by_id = {lesson.pk: lesson for lesson in lessons}
        prompts, suggestions = _read_parts()
        return cls(tuple(guides.values()), lessons, links, by_slugs, by_id, prompts, suggestions)

    def lesson(self, guide_slug, lesson_slug):
        """The lesson at /guides/<guide_slug>/<lesson_slug>/, or None."""
        return self._by_slugs.get((guide_slug, lesson_slug))

    def lesson_by_id(self, pk):
        """The lesson with this id (with its guide), or None."""
        return self._by_id.get(pk)

    def guide(self, slug):
        return next((guide for guide in self.guides if guide.slug == slug), None)

    def lessons_of(self, guide):
        return [lesson for lesson in self.lessons if lesson.guide_id == guide.pk]

    def neighbours(self, lesson):
        """The lessons before and after `lesson` in course order (None at either end)."""
        index = self.lessons.index(lesson)
        before = self.lessons[index - 1] if index > 0 else None
        after = self.lessons[index + 1] if index + 1 < len(self.lessons) else None
        return before, after

    def prompts_of(self, lesson):
        return self._prompts.get(lesson.pk, ())

    def suggestions_of(self, lesson):
        return self._suggestions.get(lesson.pk, ())


def _read_parts():
    """Every lesson's prompts and suggested promises, in one query (a UNION ALL of the two
    tables), as {lesson id: (parts in position order)} for each."""
    prompts = ReflectionPrompt.objects.annotate(
        size=Value("", CharField()),
        due_in_days=Value(0, IntegerField()),
        suggestion=Value(False, BooleanField()),
    )
    suggestions = SuggestedPromise.objects.annotate(suggestion=Value(True, BooleanField()))
    columns = (*_COLUMNS, "suggestion")
    rows = (
        prompts.order_by()
        .values_list(*columns)
        .union(suggestions.order_by().values_list(*columns), all=True)
        .order_by("lesson_id", "position")
    )
    parts = {False: defaultdict(list), True: defaultdict(list)}
    for *values, suggestion in rows:
        model = SuggestedPromise if suggestion else ReflectionPrompt
        given = dict(zip(_COLUMNS, values, strict=True))
        names = [f.attname for f in model._meta.concrete_fields]  # the order from_db reads
        part = model.from_db(rows.db, names, [given[name] for name in names])
        parts[suggestion][part.lesson_id].append(part)
    return (
        {pk: tuple(items) for pk, items in parts[False].items()},
        {pk: tuple(items) for pk, items in parts[True].items()},
    )


# Two versions at most (the one in use, and the one before it while requests still hold it),
# each for ten minutes: the most a process that missed a change of content (a cache of its
# own, such as LocMem per gunicorn worker) goes on showing the old content.
_catalogues = Memo(size=2, seconds=600)


def catalogue():
    return _catalogues.get_or_set(content_version(), Catalogue.read)
