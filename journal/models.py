import secrets
import zoneinfo
from contextlib import nullcontext
from datetime import UTC, date, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Length
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guides.models import Kind, Lesson, LessonProgress, ReflectionPrompt, Size
from journal.compiled import insert, update_row, written_only_if, written_together
from journal.scoring import history_boundary

MIN_DATE = date(1900, 1, 1)
MAX_YEARS_AHEAD = 5
PROMISE_MAX_LENGTH = 300
NOTE_MAX_LENGTH = 2000
REFLECTION_MAX_LENGTH = 20_000
TRUST_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


def latest_allowed_date():
    today = timezone.localdate()
    if (today.month, today.day) == (2, 29):  # five years on is never a leap year
        today -= timedelta(days=1)
    return today.replace(year=today.year + MAX_YEARS_AHEAD)


def validate_sane_date(value):
    if value < MIN_DATE:
        raise ValidationError(_("Please enter a date in 1900 or later."))
    if value > latest_allowed_date():
        raise ValidationError(_("Please enter a date at most five years from today."))


def validate_not_future(value):
    if value > timezone.localdate():
        raise ValidationError(_("Please choose a date that isn’t in the future."))


def choices_constraint(field, choices, name):
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


def range_constraint(field, name, low=0, high=10):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": low, f"{field}__lte": high}), name=name
    )


def not_blank_constraint(field, name):
    return models.CheckConstraint(condition=Q(**{f"{field}__length__gt": 0}), name=name)


models.CharField.register_lookup(Length)
models.TextField.register_lookup(Length)


class CalendarAlarm(models.TextChoices):
    NONE = "none", _("No alarm")
    MORNING = "morning", _("At 9:00 on the day")
    HOUR = "hour", _("1 hour before the day starts")
    DAY = "day", _("1 day before")


class CalendarDetail(models.TextChoices):
    NEUTRAL = "neutral", _("Neutral: “A promise is due” (nothing personal)")
    TEXT = "text", _("The promise’s text")
    TEXT_AND_NAME = "text_and_name", _("The promise’s text and who it is to")


def new_calendar_token():
    return secrets.token_urlsafe(32)


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    onboarding_finished = models.BooleanField(default=False)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    calendar_alarm = models.CharField(
        _("calendar alarm"),
        max_length=8,
        choices=CalendarAlarm.choices,
        default=CalendarAlarm.MORNING,
    )
    calendar_detail = models.CharField(
        _("what the calendar shows"),
        max_length=16,
        choices=CalendarDetail.choices,
        default=CalendarDetail.NEUTRAL,
        help_text=_(
            "A phone calendar may be seen by others, so the default shows nothing personal."
        ),
    )
    reminders_enabled = models.BooleanField(_("e-mail me a daily reminder"), default=False)
    reminder_hour = models.PositiveSmallIntegerField(
        _("at this hour (your time)"), default=8, validators=[MaxValueValidator(23)]
    )
    last_reminder_on = models.DateField(null=True, blank=True)

    # What the user chooses on the settings page (and what an export carries over).
    SETTINGS = [
        "time_zone",
        "language",
        "reminders_enabled",
        "reminder_hour",
        "calendar_alarm",
        "calendar_detail",
    ]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_hour__lte=23), name="profile_reminder_hour_valid"
            ),
            choices_constraint("calendar_alarm", CalendarAlarm, "profile_alarm_valid"),
            choices_constraint("calendar_detail", CalendarDetail, "profile_detail_valid"),
        ]

    def __str__(self):
        return f"Profile of {self.user}"

    def renew_calendar_token(self):
        """The old feed address stops working at once."""
        self.calendar_token = new_calendar_token()
        self.save(update_fields=["calendar_token"])

    @classmethod
    def for_user(cls, user):
        profile, _created = cls.objects.get_or_create(user=user)
        return profile


class BreachCause(models.TextChoices):
    CHEATING = "cheating", _("Cheating")
    BROKEN_PROMISE = "broken_promise", _("A broken promise")
    LIE = "lie", _("A lie")
    HARSH_WORDS = "harsh_words", _("Harsh words")
    CARELESS_TREATMENT = "careless", _("Careless treatment")
    WORK_MISTAKE = "work_mistake", _("A mistake at work")
    OTHER = "other", _("Something else")


class Relationship(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="relationships"
    )
    name = models.CharField(_("name or nickname"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    breach_cause = models.CharField(
        _("what broke the trust"), max_length=20, choices=BreachCause.choices
    )
    breach_date = models.DateField(
        _("when it happened"), validators=[validate_sane_date, validate_not_future]
    )
    breach_description = models.TextField(
        _("what happened, in a few words"), max_length=NOTE_MAX_LENGTH, blank=True
    )
    starting_trust = models.PositiveSmallIntegerField(
        _("trust right after it happened (0–10)"), validators=TRUST_VALIDATORS
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived = models.BooleanField(_("archived"), default=False)
    # Cache keys (journal.dashboard), bumped by the signals at the end of this module.
    # score_version: the computed track record; whenever one of its promises or breaches is
    # saved or deleted. page_version: the rendered dashboard; whenever anything it shows
    # changes (also reflections, check-ins, the owner's relationships and lesson progress).
    # Code writing those in bulk (bulk_create, QuerySet.update) bypasses the signals and
    # must call bump_versions.
    score_version = models.PositiveIntegerField(default=0, editable=False)
    page_version = models.PositiveIntegerField(default=0, editable=False)
    # history_version: the track record up to history_boundary(); whenever a change touches
    # a day that old (editing, deleting or resolving an old promise or breach).
    history_version = models.PositiveIntegerField(default=0, editable=False)
    # The dashboard's recent promises and breaches as of a score_version, stamped with it
    # (journal.dashboard.Carry): a Kept click writes them here for the next click,
    # which any worker then reads with the promise it locks instead of querying them again.
    recent_state = models.TextField(default="", editable=False)

    class Meta:
        ordering = ["archived", "-created_at"]
        constraints = [
            range_constraint("starting_trust", "relationship_starting_trust_0_10"),
            choices_constraint("kind", Kind, "relationship_kind_valid"),
            choices_constraint("breach_cause", BreachCause, "relationship_cause_valid"),
            not_blank_constraint("name", "relationship_name_not_blank"),
        ]

    def __str__(self):
        return self.name

    VERSIONS = ("score_version", "page_version", "history_version")
    CACHE_FIELDS = (*VERSIONS, "recent_state")

    def save(self, *args, **kwargs):
        """Saving never writes the versions nor the recent state: this instance's may be
        stale (the signals bump the versions with F() updates), and writing an older one back
        would bring back a cache key already used for other content."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.CACHE_FIELDS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("journal:relationship", args=[self.pk])

    @property
    def entries_version(self):
        """Moves whenever page_version moves without score_version (bump_versions bumps
        page_version with every score_version): with a check-in, a reflection, a change to
        the owner's relationships or lesson progress, never with a promise or a breach. What
        the dashboard keeps its check-ins under, so that a Kept click leaves them cached."""
        return self.page_version - self.score_version

    @classmethod
    def bump_versions(
        cls, queryset, *, score, history=False, in_memory=(), locked=False, also=None
    ):
        """Mark the cached dashboards of `queryset` stale; with `score`, their track
        records too, and with `history` their histories. One UPDATE. The relationships
        `in_memory` (of the queryset) get the same increments.

        With `locked`, the relationship is the one `in_memory` (`queryset` is not used),
        read under a lock in the transaction this runs in (Promise.objects.locked), or in a
        block whose one statement writes only if it is unchanged (written_together's
        only_if), so that its versions are exact: they are written as values, by its pk
        (update_row), rather than computed by the database (Django took longer to build F()
        expressions and the queryset's UPDATE than the UPDATE took to run), with what `also`
        gives, if given: a function of the relationship that returns more of its fields to
        write in the same UPDATE."""
        names = ["page_version", *(["score_version"] if score else [])]
        names += ["history_version"] if history else []
        for relationship in in_memory:
            for name in names:
                setattr(relationship, name, getattr(relationship, name) + 1)
        if not locked:
            queryset.update(**{name: F(name) + 1 for name in names})
            return
        (relationship,) = in_memory
        values = {name: getattr(relationship, name) for name in names}
        update_row(cls, relationship.pk, **values, **(also(relationship) if also else {}))


class Breach(models.Model):
    """A new breach after the first one (which lives on the relationship)."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="breaches"
    )
    date = models.DateField(
        _("when it happened"), validators=[validate_sane_date, validate_not_future]
    )
    cause = models.CharField(_("what broke the trust"), max_length=20, choices=BreachCause.choices)
    description = models.TextField(
        _("what happened, in a few words"), max_length=NOTE_MAX_LENGTH, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [choices_constraint("cause", BreachCause, "breach_cause_valid")]

    def __str__(self):
        return f"{self.get_cause_display()} ({self.date})"

    @classmethod
    def from_db(cls, db, field_names, values):
        breach = super().from_db(db, field_names, values)
        breach.saved_days = breach.event_days()  # see Promise.from_db
        return breach

    def event_days(self):
        return (self.__dict__.get("date", date.min),)


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")


class PromiseQuerySet(models.QuerySet):
    def locked(self):
        """In a transaction: the promises read are locked until it ends, with their
        relationships.

        Two clicks at once (two tabs, a double submit) must not both record a change
        from the same old status: the second waits, then sees the first one's result.
        The relationship is read and locked with it, so that its versions, which the
        signals below keep up to date in memory, are exact until the transaction ends
        (what the dashboard's caches are keyed by).
        """
        return self.select_for_update(of=("self", "relationship")).select_related("relationship")

    def with_last_change(self):
        """With the statuses of each promise's latest change (`last_change_from`,
        `last_change_to`), which Undo reads: in the same query as the promise and its lock."""
        latest = StatusChange.objects.filter(promise=OuterRef("pk")).order_by("-at", "-pk")
        return self.annotate(
            last_change_from=Subquery(latest.values("from_status")[:1]),
            last_change_to=Subquery(latest.values("to_status")[:1]),
        )


def remembered_reverse(viewname, *args):
    """reverse(), remembered for the URL configuration and script prefix in use: Django works
    a URL out afresh each time (a sixth of a promise row's rendering each), and a list of
    promises asks for two or three per row."""
    return _reverse(viewname, args, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=8192)
def _reverse(viewname, args, urlconf, _script_prefix):
    # (the prefix is only part of the key: reverse() reads the one in use itself)
    return reverse(viewname, args=args, urlconf=urlconf)


class Promise(models.Model):
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="promises"
    )
    text = models.CharField(_("promise"), max_length=PROMISE_MAX_LENGTH)
    due_date = models.DateField(_("due"), validators=[validate_sane_date])
    size = models.CharField(_("size"), max_length=6, choices=Size.choices, default=Size.SMALL)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    resolved_on = models.DateField(
        _("resolved on"),
        null=True,
        blank=True,
        validators=[validate_sane_date, validate_not_future],
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PromiseQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["relationship", "status", "due_date"])]
        constraints = [
            choices_constraint("status", Status, "promise_status_valid"),
            choices_constraint("size", Size, "promise_size_valid"),
            not_blank_constraint("text", "promise_text_not_blank"),
            models.CheckConstraint(
                condition=Q(status=Status.OPEN, resolved_on__isnull=True)
                | (~Q(status=Status.OPEN) & Q(resolved_on__isnull=False)),
                name="promise_resolved_on_matches_status",
            ),
        ]

    def __str__(self):
        return self.text

    # Each row shows both labels. Django's get_FOO_display builds a dictionary of the
    # choices, hashing every translated label, at each call (a sixth of a row's rendering).
    _STATUS_LABELS, _SIZE_LABELS = dict(Status.choices), dict(Size.choices)

    def get_status_display(self):
        return self._STATUS_LABELS.get(self.status, self.status)

    def get_size_display(self):
        return self._SIZE_LABELS.get(self.size, self.size)

    @classmethod
    def from_db(cls, db, field_names, values):
        promise = super().from_db(db, field_names, values)
        # Remembered so that moving it to another relationship refreshes both timelines,
        # and so that a change knows which days it took its events away from.
        promise.saved_relationship_id = promise.__dict__.get("relationship_id")
        promise.saved_days = promise.event_days()
        return promise

    def event_days(self):
        """The days its events can fall on (due, the day after for the overdue fee, resolved),
        as far as they are loaded; a field not loaded counts as a day of any age."""
        fields = self.__dict__
        return (fields.get("due_date", date.min), fields.get("resolved_on"))

    def get_status_url(self):
        return remembered_reverse("journal:promise_status", self.pk)

    def get_undo_url(self):
        return remembered_reverse("journal:promise_undo", self.pk)

    def get_edit_url(self):
        return remembered_reverse("journal:promise_edit", self.pk)

    def is_overdue(self, today=None):
        return self.status == Status.OPEN and self.due_date < (today or timezone.localdate())

    def set_status(self, status, *, by, on=None, locked=False, also=None):
        """Move to `status`, recording who did it, so a mis-click can be undone.

        Setting the status it already has does nothing (double submits are harmless). The
        row is read again under a lock first, unless `locked`: the caller read it with
        Promise.objects.locked() in the transaction it is in, or writes only if it is still
        as read (journal.compiled.written_together's only_if). `also`: more to write with
        the relationship's versions (Relationship.bump_versions).
        """
        with _all_or_nothing(locked):
            if not locked:
                self._refresh_status_locked()
            return self._record_status(status, by=by, on=on, also=also)

    def undo_last_change(self, *, by, locked=False, also=None):
        """Back to the status before the latest change, if that change is still in effect.
        A `locked` caller may have read the latest change with the promise
        (Promise.objects.locked().with_last_change()); it is used once. `locked` and `also`:
        as for set_status."""
        with _all_or_nothing(locked):
            if not locked:
                self._refresh_status_locked()
            if locked and "last_change_to" in self.__dict__:
                from_status = self.__dict__.pop("last_change_from")
                to_status = self.__dict__.pop("last_change_to")
            else:
                latest = self.changes.order_by("-at", "-pk")
                statuses = latest.values_list("from_status", "to_status").first()
                from_status, to_status = statuses or (None, None)
            if to_status != self.status:  # None: no change yet
                return None
            return self._record_status(from_status, by=by, also=also)

    def _refresh_status_locked(self):
        locked = Promise.objects.locked().get(pk=self.pk)
        self.status, self.resolved_on = locked.status, locked.resolved_on
        self.resolved_at = locked.resolved_at
        self.relationship = locked.relationship
        self.saved_days = (*getattr(self, "saved_days", ()), *self.event_days())

    def _record_status(self, status, *, by, on=None, also=None):
        if status == self.status:
            return None
        # One statement on PostgreSQL, where each is a wait on the server.
        with written_together():
            change = insert(
                StatusChange(promise=self, actor=by, from_status=self.status, to_status=status)
            )
            self.status = status
            if status == Status.OPEN:
                self.resolved_on = self.resolved_at = None
            else:
                self.resolved_on = on or timezone.localdate()
                self.resolved_at = timezone.now()
            # What save(update_fields=...) and its signal would do, with `also` written in the
            # same UPDATE as the versions: a status change is the app's most frequent write.
            update_row(
                Promise,
                self.pk,
                status=self.status,
                resolved_on=self.resolved_on,
                resolved_at=self.resolved_at,
            )
            _track_record_changed(self, locked=True, also=also)
        return change


def _all_or_nothing(locked):
    """What makes a status change all or nothing: a transaction, or, for a caller holding
    the lock, the caller's (no savepoint); for a caller writing only if the promise is as it
    read it, the one statement its writes are sent in."""
    if locked and written_only_if():
        return nullcontext()
    return transaction.atomic(savepoint=not locked)


class StatusChange(models.Model):
    # Indexed with the time below: undo reads a promise's latest change without sorting them all.
    promise = models.ForeignKey(
        Promise, on_delete=models.CASCADE, related_name="changes", db_index=False
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=6, choices=Status.choices)
    to_status = models.CharField(max_length=6, choices=Status.choices)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["promise", "at", "id"], name="change_promise_at")]
        constraints = [
            choices_constraint("from_status", Status, "change_from_valid"),
            choices_constraint("to_status", Status, "change_to_valid"),
        ]

    def __str__(self):
        return f"{self.promise_id}: {self.from_status} → {self.to_status}"


class Reflection(models.Model):
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="reflections"
    )
    date = models.DateField(_("date"), validators=[validate_sane_date, validate_not_future])
    text = models.TextField(_("reflection"), max_length=REFLECTION_MAX_LENGTH)
    prompt = models.ForeignKey(
        ReflectionPrompt, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    promise = models.ForeignKey(
        Promise, on_delete=models.SET_NULL, null=True, blank=True, related_name="reflections"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["relationship", "-date"])]
        constraints = [not_blank_constraint("text", "reflection_text_not_blank")]

    def __str__(self):
        return self.text[:60]


class CheckIn(models.Model):
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="checkins"
    )
    date = models.DateField(_("date"), validators=[validate_sane_date, validate_not_future])
    felt_trust = models.PositiveSmallIntegerField(
        _("how much do they seem to trust you now?"), validators=TRUST_VALIDATORS
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["relationship", "-date"])]
        constraints = [range_constraint("felt_trust", "checkin_felt_trust_0_10")]

    def __str__(self):
        return f"{self.date}: {self.felt_trust}"


def _touches_history(days):
    """Whether events on `days` belong to someone's cached history: no one's today is more
    than a day ahead of UTC's."""
    boundary = history_boundary(timezone.now().astimezone(UTC).date() + timedelta(days=1))
    return any(day is not None and day <= boundary for day in days)


def _cascading(instance, origin):
    """Deleted along with something else (its relationship, its owner): whatever caches that
    thing had go with it, so there is nothing to refresh row by row."""
    return isinstance(origin, models.Model) and origin is not instance


@receiver([post_save, post_delete], sender=Promise)
@receiver([post_save, post_delete], sender=Breach)
def track_record_changed(sender, instance, origin=None, **kwargs):
    """The relationship's track record and dashboard are stale (both relationships' when a
    promise moved)."""
    if _cascading(instance, origin):
        return
    _track_record_changed(instance)


def _track_record_changed(instance, locked=False, also=None):
    moved_from = getattr(instance, "saved_relationship_id", None)
    pks = {instance.relationship_id, moved_from} - {None}
    days = (*getattr(instance, "saved_days", ()), *instance.event_days())
    in_memory = type(instance).relationship.is_cached(instance)
    Relationship.bump_versions(
        None if locked else Relationship.objects.filter(pk__in=pks),
        score=True,
        history=_touches_history(days),
        in_memory=[instance.relationship] if in_memory else [],
        locked=locked,
        also=also,
    )
    instance.saved_relationship_id = instance.relationship_id
    instance.saved_days = instance.event_days()


@receiver([post_save, post_delete], sender=Reflection)
@receiver([post_save, post_delete], sender=CheckIn)
def journal_entry_changed(sender, instance, origin=None, **kwargs):
    if _cascading(instance, origin):
        return
    relationships = Relationship.objects.filter(pk=instance.relationship_id)
    Relationship.bump_versions(relationships, score=False)


@receiver([post_save, post_delete], sender=Relationship)
def relationship_changed(sender, instance, origin=None, **kwargs):
    """Each dashboard lists the owner's other relationships."""
    if _cascading(instance, origin):
        return
    Relationship.bump_versions(Relationship.objects.filter(owner=instance.owner_id), score=False)


@receiver([post_save, post_delete], sender=LessonProgress)
def progress_changed(sender, instance, origin=None, **kwargs):
    """Each dashboard suggests the next lesson."""
    if _cascading(instance, origin):
        return
    Relationship.bump_versions(Relationship.objects.filter(owner=instance.user_id), score=False)
