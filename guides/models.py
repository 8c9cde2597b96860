import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """Who the trust was broken with; lessons say which of these they suit."""

    PARTNER = "partner", _("Partner")
    SPOUSE = "spouse", _("Spouse")
    WORK = "work", _("Work")
    FRIEND = "friend", _("Friend")
    FAMILY = "family", _("Family")
    MYSELF = "myself", _("Myself")


EVERYONE = "everyone"


class Size(models.TextChoices):
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class Translated:
    """Read `<name>_ja` when Japanese is active, else `<name>_en`.

    Content is authored in both languages side by side in the fixtures, so a
    lesson is one row and the admin edits both at once.
    """

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        language = (get_language() or "en")[:2]
        value = getattr(instance, f"{self.name}_{language}", "")
        return value or getattr(instance, f"{self.name}_en")


def lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


class GuideManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Guide(models.Model):
    slug = models.SlugField(unique=True)
    position = models.PositiveSmallIntegerField(unique=True)
    source_file = models.CharField(max_length=100)
    audience = models.JSONField(default=list, help_text="Relationship kinds, or 'everyone'.")
    title_en = models.CharField(max_length=200)
    title_ja = models.CharField(max_length=200)
    summary_en = models.TextField()
    summary_ja = models.TextField()

    title = Translated()
    summary = Translated()

    objects = GuideManager()

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.title_en

    def natural_key(self):
        return (self.slug,)

    def suits(self, kind):
        return not kind or EVERYONE in self.audience or kind in self.audience

    def audience_labels(self):
        labels = {**dict(Kind.choices), EVERYONE: _("Everyone")}
        return [labels.get(kind, kind) for kind in self.audience]


class LessonManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Lesson(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(unique=True)
    position = models.PositiveSmallIntegerField()
    kinds = models.JSONField(default=list, help_text="Relationship kinds, or 'everyone'.")
    starts_path_for = models.JSONField(
        default=list, blank=True, help_text="Kinds for which this is the recommended first lesson."
    )
    source_refs = models.JSONField(default=list, help_text="e.g. ['001#7', '001#8']")
    title_en = models.CharField(max_length=200)
    title_ja = models.CharField(max_length=200)
    summary_en = models.TextField()
    summary_ja = models.TextField()
    key_points_en = models.TextField(help_text="One point per line.")
    key_points_ja = models.TextField(help_text="One point per line.")
    why_en = models.TextField()
    why_ja = models.TextField()
    dos_en = models.TextField(help_text="One item per line.")
    dos_ja = models.TextField(help_text="One item per line.")
    donts_en = models.TextField(help_text="One item per line.")
    donts_ja = models.TextField(help_text="One item per line.")

    title = Translated()
    summary = Translated()
    key_points = Translated()
    why = Translated()
    dos = Translated()
    donts = Translated()

    objects = LessonManager()

    class Meta:
        ordering = ["guide__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "position"], name="lesson_position_unique"),
        ]

    def __str__(self):
        return self.title_en

    def natural_key(self):
        return (self.slug,)

    def suits(self, kind):
        return not kind or EVERYONE in self.kinds or kind in self.kinds

    def key_point_list(self):
        return lines(self.key_points)

    def do_list(self):
        return lines(self.dos)

    def dont_list(self):
        return lines(self.donts)


class LessonPartManager(models.Manager):
    def get_by_natural_key(self, lesson_slug, position):
        return self.get(lesson__slug=lesson_slug, position=position)


class LessonPart(models.Model):
    """A numbered, bilingual line belonging to a lesson."""

    position = models.PositiveSmallIntegerField()
    text_en = models.CharField(max_length=300)
    text_ja = models.CharField(max_length=300)

    text = Translated()

    objects = LessonPartManager()

    class Meta:
        abstract = True
        ordering = ["lesson", "position"]

    def __str__(self):
        return self.text_en

    def natural_key(self):
        return (self.lesson.slug, self.position)

    natural_key.dependencies = ["guides.lesson"]


class ReflectionPrompt(LessonPart):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="prompts")

    class Meta(LessonPart.Meta):
        constraints = [
            models.UniqueConstraint(fields=["lesson", "position"], name="prompt_position_unique"),
        ]


class SuggestedPromise(LessonPart):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="suggested_promises")
    size = models.CharField(max_length=6, choices=Size.choices, default=Size.SMALL)
    due_in_days = models.PositiveSmallIntegerField(
        default=0, help_text="0 = today, 1 = tomorrow, 7 = within a week."
    )

    class Meta(LessonPart.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "position"], name="suggested_promise_position_unique"
            ),
        ]


class Progress(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class LessonProgress(models.Model):
    """No row means not started."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(max_length=12, choices=Progress.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="progress_unique_per_user"),
            models.CheckConstraint(
                condition=models.Q(status__in=Progress.values), name="progress_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.lesson} · {self.status}"


# Pages that show lesson content (the dashboard's next lesson, promise rows' lesson links) are
# cached under this version, which changes whenever the content does: the admin, loaddata.
CONTENT_VERSION_KEY = "guides:content-version"


def content_version():
    """A random token, so a version lost from the cache (culled, restarted) is never reused."""
    return cache.get_or_set(CONTENT_VERSION_KEY, secrets.token_hex, timeout=None)


@receiver([post_save, post_delete], sender=Guide)
@receiver([post_save, post_delete], sender=Lesson)
@receiver([post_save, post_delete], sender=ReflectionPrompt)
@receiver([post_save, post_delete], sender=SuggestedPromise)
def content_changed(sender, **kwargs):
    cache.set(CONTENT_VERSION_KEY, secrets.token_hex(), timeout=None)
