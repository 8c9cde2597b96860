import zoneinfo

from django.utils import timezone

SESSION_KEY = "time_zone"


def remember_time_zone(request, name):
    request.session[SESSION_KEY] = name


class UserTimezoneMiddleware:
    """Activate the signed-in user's time zone, so "today" is their today.

    The zone is kept in the session (it is read on every request anyway) to
    spare a profile query per request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = None
        if request.user.is_authenticated:
            name = request.session.get(SESSION_KEY)
            if name is None:
                from journal.models import Profile

                name = Profile.for_user(request.user).time_zone
                remember_time_zone(request, name)
        if name:
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        return self.get_response(request)
