from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from guides.catalogue import catalogue
from guides.models import ReflectionPrompt, SuggestedPromise
from guides.progress import recommended_first_lesson
from journal.calendar import build_feed
from journal.compiled import CompiledQuery, NotWritten, writes_only_if, written_together
from journal.forms import (
    BreachForm,
    CheckInForm,
    DeleteAccountForm,
    ImportForm,
    ProfileForm,
    PromiseForm,
    ReflectionForm,
    RelationshipForm,
    TrustNowForm,
    WhatHappenedForm,
    WhoForm,
    promise_initial_from_suggestion,
)
from journal.middleware import remember_time_zone
from journal.models import (
    CheckIn,
    Profile,
    Promise,
    Reflection,
    Relationship,
    Status,
    validate_time_zone,
)
from journal.pagecache import cached_html, page_key
from journal.portability import ImportRefused, export_zip, import_data, read_export

PAGE_SIZE = 20


def _is_id(value):
    """Query-string digits that can name a row: "²" passes isdigit() but breaks int()."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def _get_relationship_for_user(user, pk):
    return get_object_or_404(Relationship, pk=pk, owner=user)


def _owned(promises):
    """`promises` read one at a time by pk and owner, the SQL built once (journal.compiled):
    Django building the click's locked read took ten times as long as running it (Undo's,
    with its subqueries, 1.0 ms against 0.1)."""
    return CompiledQuery(
        lambda pk, owner: promises.filter(pk=pk, relationship__owner=owner), "pk", "owner"
    )


LOCKED_PROMISE = _owned(Promise.objects.locked())
LOCKED_PROMISE_WITH_LAST_CHANGE = _owned(Promise.objects.locked().with_last_change())
READ_PROMISE = _owned(Promise.objects.select_related("relationship"))
READ_PROMISE_WITH_LAST_CHANGE = _owned(
    Promise.objects.select_related("relationship").with_last_change()
)


def _get_promise_for_user(user, pk, *, locked=False, last_change=False):
    """With `locked`, in a transaction: locked until it ends (Promise.objects.locked), and
    without its lesson, which only the journal page's row shows; with `last_change`, with
    what Undo reads (PromiseQuerySet.with_last_change)."""
    if locked:
        query = LOCKED_PROMISE_WITH_LAST_CHANGE if last_change else LOCKED_PROMISE
        promise = query.first(pk=pk, owner=user.pk)
        if promise is None:
            raise Http404
        return promise
    promises = Promise.objects.select_related("relationship", "lesson__guide")
    return get_object_or_404(promises, pk=pk, relationship__owner=user)


def _get_reflection_for_user(user, pk):
    return get_object_or_404(
        Reflection.objects.select_related("relationship", "prompt"),
        pk=pk,
        relationship__owner=user,
    )


def _get_checkin_for_user(user, pk):
    return get_object_or_404(CheckIn, pk=pk, relationship__owner=user)


def _render_form(request, template, context):
    """Full page normally; only the form partial for htmx, 422 when it has errors."""
    form = context["form"]
    status = 422 if form.is_bound and form.errors else 200
    if request.htmx:
        return render(request, f"{template}#form", context, status=status)
    return render(request, template, context, status=status)


def _next_or(request, default):
    """The page the form came from when it names one on this site, else `default`."""
    next_url = request.POST.get("next", "")
    # Only a path: redirect() would take a bare word ("settings") for a view name and fail.
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default


def _redirect_after_save(request, url):
    url = _next_or(request, url)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@require_GET
@login_required
def index(request):
    relationships = request.user.relationships.all()
    if not relationships:
        return redirect("journal:onboarding")
    return render(request, "journal/index.html", {"nav": "journal", "relationships": relationships})


@require_http_methods(["GET", "POST"])
@login_required
def relationship_new(request):
    form = RelationshipForm(request.POST or None)
    if form.is_valid():
        form.instance.owner = request.user
        relationship = form.save()
        messages.success(request, _("Added. This is where your journal with them begins."))
        return _redirect_after_save(request, relationship.get_absolute_url())
    return _render_form(request, "journal/relationship_form.html", {"form": form, "nav": "journal"})


@require_http_methods(["GET", "POST"])
@login_required
def relationship_edit(request, pk):
    relationship = _get_relationship_for_user(request.user, pk)
    form = RelationshipForm(request.POST or None, instance=relationship)
    if form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return _redirect_after_save(request, relationship.get_absolute_url())
    context = {"form": form, "relationship": relationship, "nav": "journal"}
    return _render_form(request, "journal/relationship_form.html", context)


@require_POST
@login_required
def relationship_archive(request, pk):
    relationship = _get_relationship_for_user(request.user, pk)
    relationship.archived = not relationship.archived
    relationship.save(update_fields=["archived"])
    if relationship.archived:
        messages.success(request, _("Archived. Its journal is kept; you can bring it back."))
    else:
        messages.success(request, _("Restored."))
    return redirect(relationship.get_absolute_url())


def _confirm_delete(request, obj, back_url, done_message, after_url=None):
    """GET asks "delete for good?"; POST deletes and goes back with a message."""
    if request.method == "POST":
        obj.delete()
        messages.success(request, done_message)
        return redirect(after_url or back_url)
    context = {"object": obj, "nav": "journal", "cancel_url": back_url}
    return render(request, "journal/confirm_delete.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def relationship_delete(request, pk):
    relationship = _get_relationship_for_user(request.user, pk)
    return _confirm_delete(
        request,
        relationship,
        relationship.get_absolute_url(),
        _("Deleted, with all its promises, reflections and check-ins."),
        after_url=reverse("journal:index"),
    )


def _open_first(promises):
    """Open promises by due date, then the resolved ones, most recent first."""
    return promises.annotate(
        is_open=Case(
            When(status=Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        open_due=Case(When(status=Status.OPEN, then=F("due_date"))),
    ).order_by("is_open", "open_due", "-resolved_on", "-pk")


PAGED_SECTIONS = ("promises", "reflections", "checkins")


@require_GET
@login_required
def relationship_detail(request, pk):
    """The relationship's journal: its promises, reflections and check-ins, a page of each.
    Rendered once per version of its data (journal.pagecache), as the dashboard is; an htmx
    request for another page of one section gets that section alone."""
    relationship = _get_relationship_for_user(request.user, pk)
    section = request.GET.get("section")
    alone = request.htmx and section in PAGED_SECTIONS
    template = "journal/relationship_body.html"
    if alone:
        template += f"#{section}"

    def render_body(csrf_token):
        # Without their lessons: joined here, every promise's lesson was read and sorted with
        # it (five years: 1,100 rows for a page of 20). The rows that are rendered take them
        # from guides.catalogue (journal.rows).
        promises = _open_first(relationship.promises.all())
        pages = {
            "promises": Paginator(promises, PAGE_SIZE).get_page(request.GET.get("promises")),
            "reflections": Paginator(
                relationship.reflections.select_related("prompt", "promise"), PAGE_SIZE
            ).get_page(request.GET.get("reflections")),
            "checkins": Paginator(relationship.checkins.all(), PAGE_SIZE).get_page(
                request.GET.get("checkins")
            ),
        }
        context = {
            "relationship": relationship,
            "pages": pages,
            "page": pages.get(section),  # the section's partial, alone
            "breaches": relationship.breaches.all(),
            "checkin_form": CheckInForm(),
            "today": timezone.localdate(),
            "csrf_token": csrf_token,
        }
        return render_to_string(template, context, request)

    body = cached_html(request, page_key(template, request, relationship), render_body)
    if alone:
        return HttpResponse(body)
    context = {"nav": "journal", "relationship": relationship, "body": body}
    return render(request, "journal/relationship_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def breach_new(request, pk):
    relationship = _get_relationship_for_user(request.user, pk)
    form = BreachForm(request.POST or None)
    if form.is_valid():
        form.instance.relationship = relationship
        form.save()
        messages.success(request, _("Recorded. Being honest about it is part of repairing it."))
        return _redirect_after_save(request, relationship.get_absolute_url())
    context = {"form": form, "relationship": relationship, "nav": "journal"}
    return _render_form(request, "journal/breach_form.html", context)


def _relationship_initial(request):
    """?relationship=<id> pre-selects one of the user's relationships (a stranger's: 404)."""
    relationship_id = request.GET.get("relationship", "")
    if _is_id(relationship_id):
        return {"relationship": _get_relationship_for_user(request.user, relationship_id).pk}
    return {}


def _promise_form_initial(request):
    initial = {"due_date": timezone.localdate()}
    suggestion_id = request.GET.get("suggestion", "")
    if _is_id(suggestion_id):
        suggestion = get_object_or_404(SuggestedPromise, pk=suggestion_id)
        initial.update(promise_initial_from_suggestion(suggestion))
    initial.update(_relationship_initial(request))
    return initial


@require_http_methods(["GET", "POST"])
@login_required
def promise_new(request):
    if not request.user.relationships.filter(archived=False).exists():
        messages.info(request, _("First, tell us who the promise is to."))
        return redirect("journal:onboarding")
    form = PromiseForm(
        request.POST or None, user=request.user, initial=_promise_form_initial(request)
    )
    if form.is_valid():
        promise = form.save()
        messages.success(request, _("Promise made. Keep it small, keep it honest."))
        return _redirect_after_save(request, promise.relationship.get_absolute_url())
    return _render_form(request, "journal/promise_form.html", {"form": form, "nav": "journal"})


@require_http_methods(["GET", "POST"])
@login_required
def promise_edit(request, pk):
    promise = _get_promise_for_user(request.user, pk)
    form = PromiseForm(request.POST or None, instance=promise, user=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return _redirect_after_save(request, promise.relationship.get_absolute_url())
    context = {"form": form, "promise": promise, "nav": "journal"}
    return _render_form(request, "journal/promise_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def promise_delete(request, pk):
    promise = _get_promise_for_user(request.user, pk)
    back = promise.relationship.get_absolute_url()
    return _confirm_delete(request, promise, back, _("Promise deleted."))


def _from_dashboard(request):
    return request.htmx and request.POST.get("from") == "dashboard"


def _carry(promise):
    """The click's journal.dashboard.Carry: the dashboard's recent state carried over from
    the one before, kept in the relationship's row for the next page or click (and, for a
    click on the dashboard, used by its response). A click on the journal page carries it
    too: the dashboard opened after it would read the recent promises again (about 1.8 ms in
    process for the heavy user), where carrying them costs the click about 0.2 ms."""
    from journal.dashboard import Carry

    return Carry(promise, timezone.localdate())


def _respond_to_status_change(request, promise, recent):
    if _from_dashboard(request):
        from journal.dashboard import render_after_status_change

        return render_after_status_change(request, promise, recent)
    if request.htmx:
        context = {"promise": promise, "today": timezone.localdate(), "announce": True}
        return render(request, "journal/promise_row.html", context)
    return redirect(_next_or(request, promise.relationship.get_absolute_url()))


def _change_promise(request, pk, change, *, last_change=False):
    """`change(promise, carry)` made to the user's promise `pk` (404 for anyone else's) as
    one click; returns the promise and the click's Carry.

    Two clicks at once (two tabs, a double submit) must not both record a change from the
    same old status. On PostgreSQL the promise is read without a lock, and its writes go out
    as one statement that makes them only if the promise, read again under a lock, is still
    in a relationship at the page_version read, which every change to a relationship's
    promises, breaches and entries moves: no transaction, no BEGIN and COMMIT to wait for,
    and the rows locked only while that statement runs. If another change came first, or the
    click needs more than that statement, nothing is written and the click is made again the
    locked way, as it always is elsewhere: in a transaction, read under a lock."""
    owner = request.user.pk
    if writes_only_if():
        read = READ_PROMISE_WITH_LAST_CHANGE if last_change else READ_PROMISE
        promise = read.first(pk=pk, owner=owner)
        if promise is None:
            raise Http404
        sql, params = LOCKED_PROMISE.statement(pk=pk, owner=owner)
        still = f"SELECT 1 FROM ({sql}) AS read_again WHERE read_again.page_version = %s"
        try:
            with written_together(only_if=(still, [*params, promise.relationship.page_version])):
                carry = _carry(promise)
                change(promise, carry)
            return promise, carry
        except NotWritten:
            pass
    with transaction.atomic():  # the ownership check and the lock in one query
        promise = _get_promise_for_user(request.user, pk, locked=True, last_change=last_change)
        carry = _carry(promise)
        change(promise, carry)
    return promise, carry


@require_POST
@login_required
def promise_status(request, pk):
    status = request.POST.get("status")
    if status not in Status.values:
        _get_promise_for_user(request.user, pk)  # (a stranger's promise is not found first)
        return HttpResponseBadRequest(_("Unknown status."))

    def change(promise, carry):
        promise.set_status(status, by=request.user, locked=True, also=carry)

    promise, carry = _change_promise(request, pk, change)
    return _respond_to_status_change(request, promise, carry.recent)


@require_POST
@login_required
def promise_undo(request, pk):
    def change(promise, carry):
        promise.undo_last_change(by=request.user, locked=True, also=carry)

    promise, carry = _change_promise(request, pk, change, last_change=True)
    return _respond_to_status_change(request, promise, carry.recent)


def _reflection_form_initial(request):
    initial = {}
    prompt_id = request.GET.get("prompt", "")
    if _is_id(prompt_id):
        initial["prompt"] = get_object_or_404(ReflectionPrompt, pk=prompt_id)
    promise_id = request.GET.get("promise", "")
    if _is_id(promise_id):
        promise = _get_promise_for_user(request.user, promise_id)
        initial.update(promise=promise, relationship=promise.relationship_id)
    initial.update(_relationship_initial(request))
    return initial


@require_http_methods(["GET", "POST"])
@login_required
def reflection_new(request):
    if not request.user.relationships.exists():
        messages.info(request, _("First, tell us who you are reflecting about."))
        return redirect("journal:onboarding")
    initial = _reflection_form_initial(request)
    form = ReflectionForm(request.POST or None, user=request.user, initial=initial)
    if form.is_valid():
        reflection = form.save()
        messages.success(request, _("Reflection saved."))
        return _redirect_after_save(request, reflection.relationship.get_absolute_url())
    prompt = form.cleaned_data.get("prompt") if form.is_bound else initial.get("prompt")
    context = {"form": form, "prompt": prompt, "nav": "journal"}
    return _render_form(request, "journal/reflection_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def reflection_edit(request, pk):
    reflection = _get_reflection_for_user(request.user, pk)
    form = ReflectionForm(request.POST or None, instance=reflection, user=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return _redirect_after_save(request, reflection.relationship.get_absolute_url())
    context = {
        "form": form,
        "reflection": reflection,
        "prompt": reflection.prompt,
        "nav": "journal",
    }
    return _render_form(request, "journal/reflection_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def reflection_delete(request, pk):
    reflection = _get_reflection_for_user(request.user, pk)
    back = reflection.relationship.get_absolute_url()
    return _confirm_delete(request, reflection, back, _("Reflection deleted."))


@require_POST
@login_required
def checkin_new(request, pk):
    relationship = _get_relationship_for_user(request.user, pk)
    form = CheckInForm(request.POST)
    if form.is_valid():
        form.instance.relationship = relationship
        form.instance.date = timezone.localdate()
        form.save()
        if not request.htmx:
            messages.success(request, _("Check-in saved."))
    if request.htmx:
        context = {"relationship": relationship, "checkin_form": form, "saved": form.is_valid()}
        return render(
            request, "journal/checkin_form.html", context, status=200 if form.is_valid() else 422
        )
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(_next_or(request, relationship.get_absolute_url()))


@require_POST
@login_required
def checkin_delete(request, pk):
    checkin = _get_checkin_for_user(request.user, pk)
    checkin.delete()
    messages.success(request, _("Check-in deleted."))
    return redirect(checkin.relationship.get_absolute_url())


@require_http_methods(["GET", "POST"])
@login_required
def settings_view(request):
    profile = Profile.for_user(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if form.is_valid():
        form.save()
        remember_time_zone(request, profile.time_zone)
        messages.success(request, _("Settings saved."))
        return redirect("journal:settings")
    feed_path = reverse("journal:calendar_feed", args=[profile.calendar_token])
    context = {
        "form": form,
        "feed_url": request.build_absolute_uri(feed_path),
        "webcal_url": f"webcal://{request.get_host()}{feed_path}",
    }
    status = 422 if form.errors else 200
    return render(request, "journal/settings.html", context, status=status)


@require_POST
@login_required
def calendar_renew(request):
    Profile.for_user(request.user).renew_calendar_token()
    messages.success(request, _("New calendar link made. The old one no longer works."))
    return redirect("journal:settings")


@require_GET
@login_required
def export_view(request):
    response = HttpResponse(export_zip(request.user), content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="trust-repair-{stamp}.zip"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def import_view(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        try:
            profile = import_data(request.user, read_export(form.cleaned_data["file"]))
        except ImportRefused as refusal:
            form.add_error("file", str(refusal))
        else:
            remember_time_zone(request, profile.time_zone)
            messages.success(request, _("Imported. Welcome back to your journal."))
            return redirect("dashboard")
    status = 422 if form.errors else 200
    return render(request, "journal/import.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if form.is_valid():
        user = request.user
        logout(request)
        user.delete()
        messages.success(request, _("Your account and everything in it have been deleted."))
        return redirect("home")
    status = 422 if form.errors else 200
    return render(request, "journal/delete_account.html", {"form": form}, status=status)


@require_GET
def calendar_feed(request, token):
    """No login: calendar apps can't log in, so the unguessable token is the key."""
    profile = get_object_or_404(Profile.objects.select_related("user"), calendar_token=token)
    promises = Promise.objects.filter(
        relationship__owner=profile.user, relationship__archived=False, status=Status.OPEN
    ).select_related("relationship")
    relationship_id = request.GET.get("relationship", "")
    if relationship_id:
        if not _is_id(relationship_id):
            raise Http404
        promises = promises.filter(
            relationship=_get_relationship_for_user(profile.user, relationship_id)
        )
    body = build_feed(profile, promises.order_by("due_date", "pk"), request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="trust-repair.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


@require_POST
@login_required
def set_timezone(request):
    """Called once by the browser to pre-fill the time zone; never overrides a choice."""
    profile = Profile.for_user(request.user)
    if profile.time_zone:
        return HttpResponse(status=204)
    zone = request.POST.get("time_zone", "")
    try:
        validate_time_zone(zone)
    except ValidationError:
        return HttpResponseBadRequest(_("Unknown time zone."))
    profile.time_zone = zone
    profile.save(update_fields=["time_zone"])
    remember_time_zone(request, zone)
    return HttpResponse(status=204)


ONBOARDING_STEPS = {"who": WhoForm, "what": WhatHappenedForm, "trust": TrustNowForm}
ONBOARDING_SESSION_KEY = "onboarding"


def _onboarding_step(request, draft):
    """The step asked for (only one already reached), else the first not yet answered."""
    first_missing = next((name for name in ONBOARDING_STEPS if name not in draft), None)
    asked = request.GET.get("step")
    if asked in ONBOARDING_STEPS and (asked in draft or asked == first_missing):
        return asked
    return first_missing


@require_http_methods(["GET", "POST"])
@login_required
def onboarding(request):
    """Three short questions that create the first relationship, then a first lesson.

    Answers wait in the session, so leaving half-way and coming back resumes.
    """
    relationship = request.user.relationships.first()
    if relationship is not None:
        return _onboarding_first_promise(request, relationship)
    draft = request.session.get(ONBOARDING_SESSION_KEY, {})
    step = _onboarding_step(request, draft)
    form = ONBOARDING_STEPS[step](request.POST or None, initial=draft.get(step))
    if form.is_valid():
        draft[step] = {name: request.POST.get(name, "") for name in form.fields}
        request.session[ONBOARDING_SESSION_KEY] = draft
        if all(name in draft for name in ONBOARDING_STEPS):
            return _finish_onboarding_draft(request, draft)
        return _redirect_after_save(request, reverse("journal:onboarding"))
    steps = list(ONBOARDING_STEPS)
    context = {"form": form, "step": step, "steps": steps, "number": steps.index(step) + 1}
    return _render_form(request, "journal/onboarding.html", context)


def _finish_onboarding_draft(request, draft):
    data = {name: value for answers in draft.values() for name, value in answers.items()}
    form = RelationshipForm(data)
    if not form.is_valid():
        # A step's answer went stale (e.g. a date now out of range): ask again.
        del request.session[ONBOARDING_SESSION_KEY]
        messages.error(request, _("Something in your answers needs another look."))
        return redirect("journal:onboarding")
    form.instance.owner = request.user
    form.save()
    del request.session[ONBOARDING_SESSION_KEY]
    return _redirect_after_save(request, reverse("journal:onboarding"))


def _onboarding_first_promise(request, relationship):
    content = catalogue()
    lesson = recommended_first_lesson(relationship.kind, content.lessons)
    context = {
        "relationship": relationship,
        "lesson": lesson,
        "suggestions": content.suggestions_of(lesson) if lesson else (),
        "steps": list(ONBOARDING_STEPS),
    }
    return render(request, "journal/onboarding_lesson.html", context)


@require_POST
@login_required
def onboarding_skip(request):
    profile = Profile.for_user(request.user)
    profile.onboarding_finished = True
    profile.save(update_fields=["onboarding_finished"])
    request.session.pop(ONBOARDING_SESSION_KEY, None)
    return redirect("dashboard")
