"""What a form field must make of a value: the app's rules, restated for the tests.

Each rule takes the raw value and the test's environment and returns what must be
stored, or raises ValidationError when the app must refuse the value.
"""

from django import forms
from django.core.exceptions import ValidationError

from journal.models import validate_time_zone


def last(value):
    """What Django reads from a field sent as this value (the last of repeated values)."""
    if isinstance(value, list):
        return last(value[-1]) if value else ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def model_field(model, attr):
    return model._meta.get_field(attr)


def text_rule(model, attr):
    """Free text is stripped, then kept exactly, if it fits, has no NUL and is there if required."""
    column = model_field(model, attr)

    def parse(raw, env):
        value = raw.strip()
        if not value and not column.blank:
            raise ValidationError("required")
        if column.max_length is not None and len(value) > column.max_length:
            raise ValidationError("too long")
        if "\x00" in value:
            raise ValidationError("NUL")
        return value

    return parse


def date_rule(model, attr):
    column = model_field(model, attr)

    def parse(raw, env):
        value = forms.DateField().clean(raw)
        column.run_validators(value)
        return value

    return parse


def form_rule(form_class, name, model=None):
    """The form field's own parsing, then the model's validators (what full_clean adds)."""

    def parse(raw, env):
        value = form_class.base_fields[name].clean(raw)
        if model is not None:
            model_field(model, name).run_validators(value)
        return value

    return parse


def one_of(values):
    def parse(raw, env):
        if raw not in values:
            raise ValidationError("unknown")
        return raw

    return parse


def id_rule(allowed, required=True):
    """A choice of row by id: only the ids in allowed(env) are valid."""

    def parse(raw, env):
        if raw == "":
            if required:
                raise ValidationError("required")
            return None
        try:
            pk = int(raw)
        except ValueError:
            raise ValidationError("not an id") from None
        if pk not in allowed(env):
            raise ValidationError("not yours")
        return pk

    return parse


def checkbox_rule(raw, env):
    return forms.CheckboxInput().value_from_datadict({"f": raw}, {}, "f")


def time_zone_rule(raw, env):
    validate_time_zone(raw)
    return raw
