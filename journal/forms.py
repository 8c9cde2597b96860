import functools
import zoneinfo
from datetime import timedelta

from django import forms
from django.conf import settings
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guides.models import Lesson, ReflectionPrompt
from journal.models import (
    Breach,
    CheckIn,
    Profile,
    Promise,
    Reflection,
    Relationship,
    Status,
    validate_not_future,
    validate_sane_date,
)

TRUST_CHOICES = [(n, str(n)) for n in range(11)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TrustScaleSelect(forms.RadioSelect):
    """Eleven radio buttons, 0 to 10, laid out as one row."""

    template_name = "journal/widgets/trust_scale.html"


@functools.cache
def time_zone_choices():
    """Every zone the system knows (some 600), read from disk once per process; a callable,
    so that each form's copy of its field shares the list rather than copying it."""
    return tuple((name, name) for name in sorted(zoneinfo.available_timezones()))


@functools.cache
def _time_zone_options():
    """Each zone's <option>, and the same option chosen, written once per process."""
    return {
        name: (
            format_html('<option value="{}">{}</option>', name, label),
            format_html('<option value="{}" selected>{}</option>', name, label),
        )
        for name, label in time_zone_choices()
    }


class TimeZoneSelect(forms.Select):
    """The time-zone select, its options written once per process and only the chosen one
    marked per form. Through Django's option templates, 600 options took most of the
    settings page: 45 ms in process, and under gunicorn 43 ms even with a template of its
    own, where each option's render crossed one of CPython 3.11's frame-stack chunks and
    mapped and unmapped memory (docs/benchmarks.md)."""

    template_name = "journal/widgets/time_zone_select.html"

    def get_context(self, name, value, attrs):
        context = forms.Widget.get_context(self, name, value, attrs)  # not the optgroups
        chosen = set(context["widget"]["value"])
        options = _time_zone_options()
        context["widget"]["options"] = mark_safe(
            "\n".join(pair[zone in chosen] for zone, pair in options.items())  # (plain, chosen)
        )
        return context

    def use_required_attribute(self, initial):
        # Select marks itself required only with an empty first option (a placeholder),
        # which no zone is; its own check builds the whole list to see the first.
        return False


def starting_trust_field():
    return forms.TypedChoiceField(
        label=_("Right after it happened, how much did they trust you? (0–10)"),
        choices=TRUST_CHOICES,
        coerce=int,
        widget=TrustScaleSelect,
        help_text=_("0 = not at all, 10 = completely. Your honest guess is enough."),
    )


RELATIONSHIP_WIDGETS = {
    "breach_date": DateInput(),
    "breach_description": forms.Textarea(attrs={"rows": 3}),
}
RELATIONSHIP_HELP = {
    "name": _("Only you will see this. A first name or a nickname is enough."),
}


class ChooseFirst:
    """Drop-downs start on "Choose…" instead of Django's row of dashes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            choices = list(getattr(field, "choices", []))
            if choices and choices[0][0] == "":
                field.choices = [("", _("Choose…")), *choices[1:]]


class RelationshipForm(ChooseFirst, forms.ModelForm):
    starting_trust = starting_trust_field()

    class Meta:
        model = Relationship
        fields = [
            "name",
            "kind",
            "breach_cause",
            "breach_date",
            "breach_description",
            "starting_trust",
        ]
        widgets = RELATIONSHIP_WIDGETS
        help_texts = RELATIONSHIP_HELP


# Onboarding asks the same questions as RelationshipForm, a few at a time.
class WhoForm(ChooseFirst, forms.ModelForm):
    class Meta:
        model = Relationship
        fields = ["name", "kind"]
        help_texts = RELATIONSHIP_HELP


class WhatHappenedForm(ChooseFirst, forms.ModelForm):
    class Meta:
        model = Relationship
        fields = ["breach_cause", "breach_date", "breach_description"]
        widgets = RELATIONSHIP_WIDGETS


class TrustNowForm(forms.ModelForm):
    starting_trust = starting_trust_field()

    class Meta:
        model = Relationship
        fields = ["starting_trust"]


class BreachForm(ChooseFirst, forms.ModelForm):
    class Meta:
        model = Breach
        fields = ["date", "cause", "description"]
        widgets = {"date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}


class OwnedRelationshipField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class PromiseForm(forms.ModelForm):
    """Relationship choices are limited to the user's own: a smuggled id is an invalid choice."""

    relationship = OwnedRelationshipField(
        label=_("To"), queryset=Relationship.objects.none(), empty_label=None
    )
    lesson = forms.ModelChoiceField(
        queryset=Lesson.objects.all(), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Promise
        fields = ["relationship", "text", "due_date", "size", "note", "lesson"]
        widgets = {
            "text": forms.TextInput(attrs={"autocomplete": "off"}),
            "due_date": DateInput(),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"text": _("I promise to…"), "due_date": _("Due by")}
        help_texts = {"text": _("Something small and concrete you can tick off as kept or not.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relationship"].queryset = user.relationships.filter(archived=False)
        if self.instance.pk:
            self.fields["relationship"].queryset = user.relationships.all()
        if self.instance.pk and self.instance.status != "open":
            self.fields["resolved_on"] = forms.DateField(
                label=_("Resolved on"),
                widget=DateInput(),
                initial=self.instance.resolved_on,
                validators=[validate_sane_date, validate_not_future],
            )

    def save(self, commit=True):
        if "resolved_on" in self.cleaned_data:
            self.instance.resolved_on = self.cleaned_data["resolved_on"]
        return super().save(commit)


def promise_initial_from_suggestion(suggestion):
    return {
        "text": suggestion.text,
        "size": suggestion.size,
        "due_date": timezone.localdate() + timedelta(days=suggestion.due_in_days),
        "lesson": suggestion.lesson_id,
    }


# What a reflection's promise list offers: the promises due in the last RECENT_PROMISE_DAYS days
# or later, those resolved in them, and the open ones, the latest due first, PROMISES_OFFERED at
# most. Five years of daily promises were 2,000 options: 170 kB and most of a second to render.
RECENT_PROMISE_DAYS = 30
PROMISES_OFFERED = 100


class PromiseChoiceField(forms.ModelChoiceField):
    """Any promise of its queryset (the user's) is a valid answer; `offer()` sets the list
    shown."""

    def offer(self, promises):
        """List `promises` (with their relationships), grouped by relationship when there
        are several, in the order of the relationship list."""
        by_relationship = {}
        for promise in sorted(promises, key=lambda p: (p.due_date, p.pk), reverse=True):
            by_relationship.setdefault(promise.relationship, []).append(
                (promise.pk, self.label_from_instance(promise))
            )
        groups = sorted(by_relationship.items(), key=lambda item: _listed_order(item[0]))
        if len(groups) == 1:
            choices = groups[0][1]
        else:
            choices = [(relationship.name, options) for relationship, options in groups]
        self.choices = [("", self.empty_label), *choices]

    def label_from_instance(self, promise):
        due = gettext("due %(date)s") % {"date": date_format(promise.due_date, "DATE_FORMAT")}
        return f"{promise.text} · {due}"


def _listed_order(relationship):
    """Relationship.Meta.ordering: the archived last, the newest first."""
    return (relationship.archived, -relationship.created_at.timestamp(), -relationship.pk)


class ReflectionForm(forms.ModelForm):
    relationship = OwnedRelationshipField(
        label=_("Who is it about?"), queryset=Relationship.objects.none(), empty_label=None
    )
    prompt = forms.ModelChoiceField(
        queryset=ReflectionPrompt.objects.all(), required=False, widget=forms.HiddenInput
    )
    promise = PromiseChoiceField(
        label=_("About the promise (optional)"), queryset=Promise.objects.none(), required=False
    )

    class Meta:
        model = Reflection
        fields = ["relationship", "date", "text", "prompt", "promise"]
        widgets = {"date": DateInput(), "text": forms.Textarea(attrs={"rows": 8})}
        labels = {"text": _("Your reflection")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relationship"].queryset = user.relationships.all()
        owned = Promise.objects.filter(relationship__owner=user)
        self.fields["promise"].queryset = owned
        self.fields["promise"].offer(self._promises_offered(owned))
        self.fields["date"].initial = timezone.localdate

    def _promises_offered(self, owned):
        """The recent and open promises, and the one chosen (asked for in the link, sent
        back with an error, or the reflection's), whatever its age."""
        if self.is_bound:
            chosen = str(self.data.get(self.add_prefix("promise")))
        else:
            chosen = self.initial.get("promise")
            chosen = str(chosen.pk if isinstance(chosen, Promise) else chosen)
        # (digits that can name a row: "²" is a digit to isdigit(), 10**30 too big for a key)
        names_a_row = chosen.isascii() and chosen.isdigit() and len(chosen) <= 18
        chosen = int(chosen) if names_a_row else None
        since = timezone.localdate() - timedelta(days=RECENT_PROMISE_DAYS)
        recent = Q(due_date__gte=since) | Q(resolved_on__gte=since) | Q(status=Status.OPEN)
        first = Case(When(pk=chosen, then=Value(0)), default=Value(1))
        return (
            owned.filter(recent | Q(pk=chosen))
            .select_related("relationship")
            .order_by(first, "-due_date", "-pk")[:PROMISES_OFFERED]
        )

    def clean(self):
        cleaned = super().clean()
        promise, relationship = cleaned.get("promise"), cleaned.get("relationship")
        if promise and relationship and promise.relationship_id != relationship.pk:
            self.add_error("promise", _("That promise belongs to another relationship."))
        return cleaned


class CheckInForm(forms.ModelForm):
    felt_trust = forms.TypedChoiceField(
        label=_("How much do they seem to trust you now? (0–10)"),
        choices=TRUST_CHOICES,
        coerce=int,
        error_messages={
            "required": _("Please choose a number from 0 to 10."),
            "invalid_choice": _("Please choose a number from 0 to 10."),
        },
    )

    class Meta:
        model = CheckIn
        fields = ["felt_trust", "note"]
        labels = {"note": _("Note (optional)")}


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Same as the browser")), *settings.LANGUAGES],
        required=False,
        help_text=_("Used for e-mails; the page follows the switcher at the top."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=time_zone_choices, widget=TimeZoneSelect
    )

    class Meta:
        model = Profile
        fields = Profile.SETTINGS
        widgets = {"reminder_hour": forms.Select(choices=[(h, f"{h:02d}:00") for h in range(24)])}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export file"),
        help_text=_("The .zip (or its export.json) downloaded from “Export my data”."),
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password
