"""The private ICS feed of a user's open promises, one all-day event each."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from icalendar import Alarm, Calendar, Event

from journal.models import CalendarAlarm, CalendarDetail

ALARM_TRIGGERS = {
    CalendarAlarm.MORNING: timedelta(hours=9),
    CalendarAlarm.HOUR: timedelta(hours=-1),
    CalendarAlarm.DAY: timedelta(days=-1),
}


def promise_summary(promise, detail):
    if detail == CalendarDetail.TEXT_AND_NAME:
        return f"{promise.relationship.name}: {promise.text}"
    if detail == CalendarDetail.TEXT:
        return promise.text
    return _("A promise is due (Trust Repair)")


def build_feed(profile, promises, host):
    """ICS bytes for `promises` (open ones), with the user's alarm and privacy choices."""
    with override(profile.language or None):
        calendar = Calendar()
        calendar.add("prodid", "-//Trust Repair//Promises//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", _("Trust Repair promises"))
        if profile.time_zone:
            calendar.add("x-wr-timezone", profile.time_zone)
        stamp = timezone.now()
        for promise in promises:
            event = Event()
            event.add("uid", f"promise-{promise.pk}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", promise.due_date)
            event.add("dtend", promise.due_date + timedelta(days=1))
            event.add("summary", promise_summary(promise, profile.calendar_detail))
            event.add("transp", "TRANSPARENT")
            trigger = ALARM_TRIGGERS.get(profile.calendar_alarm)
            if trigger is not None:
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", _("A promise is due today"))
                alarm.add("trigger", trigger, parameters={"RELATED": "START"})
                event.add_component(alarm)
            calendar.add_component(event)
        return calendar.to_ical()
