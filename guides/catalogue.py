"""The guides and lessons as this process last read them, once per content version.

Lesson content changes only through the admin and loaddata, and every such change replaces
guides.models.content_version(). Until it does, every page reads the same four guides and
36 lessons, with their prompts and suggested promises: read with the ORM on each request,
they cost the guides list two queries that brought every lesson's text (most of its time), and
a lesson page four. Kept here as objects (trustrepair.memo), a page finds them by the
version's name in the cache.

The objects are shared by every request this process serves: read them, never change them
(a view that needs more per lesson, such as the user's progress, keeps it beside them).
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from guides.models import Guide, Lesson, ReflectionPrompt, SuggestedPromise, content_version
from trustrepair.memo import Memo


@dataclass(frozen=True)
class Catalogue:
    guides: tuple[Guide, ...]  # in course order
    lessons: tuple[Lesson, ...]  # in course order, each with its guide, prompts and suggestions
    # What a link to each lesson shows, by id: (slug, title_en, title_ja, guide's slug).
    links: dict[int, tuple[str, str, str, str]] = field(repr=False)
    _by_slugs: dict = field(repr=False)

    @classmethod
    def read(cls):
        guides = {guide.pk: guide for guide in Guide.objects.all()}
        lessons = tuple(
            Lesson.objects.prefetch_related(
                Prefetch("prompts", ReflectionPrompt.objects.order_by("position")),
                Prefetch("suggested_promises", SuggestedPromise.objects.order_by("position")),
            )
        )
        for lesson in lessons:  # the same Guide object for all of a guide's lessons
            lesson.guide = guides[lesson.guide_id]
        links = {
            lesson.pk: (lesson.slug, lesson.title_en, lesson.title_ja, lesson.guide.slug)
            for lesson in lessons
        }
        by_slugs = {(lesson.guide.slug, lesson.slug): lesson for lesson in lessons}
        return cls(tuple(guides.values()), lessons, links, by_slugs)

    def lesson(self, guide_slug, lesson_slug):
        """The lesson at /guides/<guide_slug>/<lesson_slug>/, or None."""
        return self._by_slugs.get((guide_slug, lesson_slug))

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


# Two versions at most (the one in use, and the one before it while requests still hold it),
# each for ten minutes: the most a process that missed a change of content (a cache of its
# own, such as LocMem per gunicorn worker) goes on showing the old content.
_catalogues = Memo(size=2, seconds=600)


def catalogue():
    return _catalogues.get_or_set(content_version(), Catalogue.read)
