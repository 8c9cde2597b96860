from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from journal.models import Profile


@require_GET
def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "home.html")


@require_POST
def switch_language(request):
    """Django's set_language, remembering the choice on the profile for e-mails."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response


@require_GET
@login_required
def floor(request):
    """The benchmark's baseline (routed only with BENCH=1): the base template, logged in,
    behind the same middleware as every page, so a page's ratio to it is what the page adds.
    """
    return render(request, "base.html")
