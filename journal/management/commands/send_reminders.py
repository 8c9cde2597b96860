"""E-mail each opted-in user, once a day at their chosen local hour, what is due.

Run it every 15 minutes from cron or a scheduler (see README). Running it twice
sends nothing twice: a user's day is claimed in the database before sending, and
released again if sending fails, so the next run retries that user.
"""

import logging
import zoneinfo

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from journal.models import Profile, Promise, Status

logger = logging.getLogger(__name__)


def due_promises(user, today):
    return list(
        Promise.objects.filter(
            relationship__owner=user,
            relationship__archived=False,
            status=Status.OPEN,
            due_date__lte=today,
        )
        .select_related("relationship")
        .order_by("due_date", "pk")
    )


def send_reminder(profile, today):
    promises = due_promises(profile.user, today)
    if not promises:
        return False
    with translation.override(profile.language or settings.LANGUAGE_CODE):
        context = {"promises": promises, "today": today, "user": profile.user}
        subject = render_to_string("journal/email/reminder_subject.txt", context).strip()
        body = render_to_string("journal/email/reminder_body.txt", context)
    send_mail(subject, body, None, [profile.user.email])
    return True


class Command(BaseCommand):
    help = "E-mail today's and overdue promises to users who asked for a daily reminder."

    def handle(self, *args, **options):
        now = timezone.now()
        sent = failed = 0
        profiles = Profile.objects.filter(reminders_enabled=True).select_related("user")
        for profile in profiles.exclude(user__email=""):
            local_now = now.astimezone(zoneinfo.ZoneInfo(profile.time_zone or settings.TIME_ZONE))
            today = local_now.date()
            if local_now.hour < profile.reminder_hour:
                continue
            claimed = (
                Profile.objects.filter(pk=profile.pk)
                .filter(Q(last_reminder_on__isnull=True) | Q(last_reminder_on__lt=today))
                .update(last_reminder_on=today)
            )
            if not claimed:
                continue
            try:
                sent += send_reminder(profile, today)
            except Exception:
                logger.exception("Reminder to user %s failed; will retry next run", profile.user_id)
                Profile.objects.filter(pk=profile.pk).update(
                    last_reminder_on=profile.last_reminder_on
                )
                failed += 1
        self.stdout.write(f"reminders sent: {sent}, failed: {failed}")
