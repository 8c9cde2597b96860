"""The user's data is the user's: export everything, import it into an empty account.

The JSON document is the complete record (and what import reads); the CSV files
are the same rows flattened, one per table, for a spreadsheet.
"""

import csv
import io
import json
import zipfile
import zlib
import zoneinfo
from contextlib import nullcontext

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from guides.catalogue import catalogue
from guides.models import LessonProgress
from journal.models import (
    Breach,
    CheckIn,
    Profile,
    Promise,
    Reflection,
    Relationship,
    Status,
    StatusChange,
)

FORMAT = "trust-repair-export"
# A heavy user's five years export to about 2 MB; anything far bigger is not ours.
MAX_IMPORT_BYTES = 50 * 1024 * 1024
VERSION = 1
RELATIONSHIP_FIELDS = [
    "name",
    "kind",
    "breach_cause",
    "breach_date",
    "breach_description",
    "starting_trust",
    "archived",
]
BREACH_FIELDS = ["date", "cause", "description"]
PROMISE_FIELDS = ["text", "due_date", "size", "status", "resolved_on", "note"]
REFLECTION_FIELDS = ["date", "text"]
CHECKIN_FIELDS = ["date", "felt_trust", "note"]
# Exported in the order they were written, whatever the models' display ordering.
ROW_SETS = [
    ("breaches", Breach),
    ("promises", Promise),
    ("promises__changes", StatusChange),
    ("reflections", Reflection),
    ("checkins", CheckIn),
]


def _values(obj, fields):
    row = {}
    for field in fields:
        value = getattr(obj, field)
        row[field] = value.isoformat() if hasattr(value, "isoformat") else value
    return row


def export_data(user):
    profile = Profile.for_user(user)
    relationships = user.relationships.order_by("pk").prefetch_related(
        *(Prefetch(name, queryset=model.objects.order_by("pk")) for name, model in ROW_SETS),
        "promises__lesson",
        "reflections__prompt__lesson",
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "account": {"email": user.email, "date_joined": user.date_joined.isoformat()},
        "profile": _values(profile, Profile.SETTINGS),
        "relationships": [_export_relationship(r) for r in relationships],
        "lesson_progress": [
            {
                "lesson": progress.lesson.slug,
                "status": progress.status,
                "completed_at": progress.completed_at and progress.completed_at.isoformat(),
            }
            for progress in user.lesson_progress.select_related("lesson").order_by("lesson__slug")
        ],
    }


def _export_relationship(relationship):
    return {
        **_values(relationship, RELATIONSHIP_FIELDS),
        "id": relationship.pk,
        "breaches": [_values(b, BREACH_FIELDS) for b in relationship.breaches.all()],
        "promises": [
            {
                **_values(p, PROMISE_FIELDS),
                "id": p.pk,
                "lesson": p.lesson.slug if p.lesson else None,
                "changes": [
                    {"at": c.at.isoformat(), "from": c.from_status, "to": c.to_status}
                    for c in p.changes.all()
                ],
            }
            for p in relationship.promises.all()
        ],
        "reflections": [
            {
                **_values(r, REFLECTION_FIELDS),
                "prompt": [r.prompt.lesson.slug, r.prompt.position] if r.prompt else None,
                "promise": r.promise_id,
            }
            for r in relationship.reflections.all()
        ],
        "checkins": [_values(c, CHECKIN_FIELDS) for c in relationship.checkins.all()],
    }


CSV_TABLES = {
    "relationships.csv": (["id", *RELATIONSHIP_FIELDS], lambda r: [r]),
    "breaches.csv": (["relationship", *BREACH_FIELDS], lambda r: r["breaches"]),
    "promises.csv": (["relationship", "id", *PROMISE_FIELDS, "lesson"], lambda r: r["promises"]),
    "reflections.csv": (
        ["relationship", *REFLECTION_FIELDS, "promise"],
        lambda r: r["reflections"],
    ),
    "checkins.csv": (["relationship", *CHECKIN_FIELDS], lambda r: r["checkins"]),
}


def export_zip(user):
    """Bytes of a zip: export.json plus a CSV per table."""
    data = export_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", json.dumps(data, ensure_ascii=False, indent=1))
        for name, (columns, rows_of) in CSV_TABLES.items():
            archive.writestr(name, _csv(columns, _table(data, rows_of)))
        archive.writestr(
            "lesson_progress.csv",
            _csv(["lesson", "status", "completed_at"], data["lesson_progress"]),
        )
    return buffer.getvalue()


def _table(data, rows_of):
    for relationship in data["relationships"]:
        for row in rows_of(relationship):
            yield {"relationship": relationship["id"], **row}


def _csv(columns, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    # A BOM so spreadsheet apps read the Japanese text as UTF-8.
    return "\ufeff" + out.getvalue()


class ImportRefused(Exception):
    """The file can't be imported; the message says why, for the user."""


def read_export(uploaded):
    """The export document from an uploaded .json or the .zip made by export_zip."""
    if uploaded.size > MAX_IMPORT_BYTES:
        raise ImportRefused(_("This file is too large to be a Trust Repair export."))
    raw = uploaded.read()
    if zipfile.is_zipfile(io.BytesIO(raw)):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                if archive.getinfo("export.json").file_size > MAX_IMPORT_BYTES:
                    raise ImportRefused(_("This file is too large to be a Trust Repair export."))
                raw = archive.read("export.json")
        except (KeyError, zipfile.BadZipFile):
            raise ImportRefused(_("This zip file has no export.json inside.")) from None
        # Encrypted, compressed in a way Python can't read, or damaged.
        except (RuntimeError, NotImplementedError, EOFError, zlib.error):
            raise ImportRefused(_("This is not a Trust Repair export file.")) from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    # ValueError: bad JSON, bad UTF-8, or a number too long to read; RecursionError: deep nesting.
    except (ValueError, RecursionError):
        raise ImportRefused(_("This is not a Trust Repair export file.")) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused(_("This is not a Trust Repair export file."))
    if type(data.get("version")) is not int or data["version"] != VERSION:
        raise ImportRefused(_("This export comes from a version we can't read."))
    return data


def import_data(user, data):
    """Load an export into the user's account, which must be empty. All or nothing.

    Each row is checked as a form would check it (types, then full_clean), in the time zone
    the export was made in (what "today" was for its dates), and written in bulk: a heavy
    user's five years are some 6,000 rows, and an INSERT, a version bump and a query per
    foreign key and constraint for each took longer than a request may (over 9,000
    statements and 30 s on PostgreSQL). The rows bypass the signals, so the new
    relationships' cache versions are bumped once at the end."""
    if user.relationships.exists() or user.lesson_progress.exists():
        raise ImportRefused(_("Import only works into an empty account: this one has data."))
    try:
        with transaction.atomic():
            profile = _import_profile(user, data.get("profile") or {})
            zone = profile.time_zone and zoneinfo.ZoneInfo(profile.time_zone)
            with timezone.override(zone) if zone else nullcontext():
                rows = _Rows(user)
                for relationship in data.get("relationships") or []:
                    rows.add_relationship(relationship)
                for progress in data.get("lesson_progress") or []:
                    rows.add(
                        LessonProgress(
                            user=user,
                            lesson=rows.lesson(progress.get("lesson")),
                            status=progress.get("status"),
                            completed_at=progress.get("completed_at"),
                        ),
                        exclude=["user", "lesson"],
                    )
                rows.write()
            Relationship.bump_versions(user.relationships.all(), score=True, history=True)
    except ValidationError as error:
        raise ImportRefused(
            _("Nothing was imported: the file has a value we can't accept (%(detail)s).")
            % {"detail": "; ".join(error.messages)[:300]}
        ) from None
    # Wrong types and shapes (a list for a number, infinity, a null in a required column)
    # fail deep in the ORM or the database; the atomic block has rolled everything back.
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError, DatabaseError):
        raise ImportRefused(_("Nothing was imported: the file is damaged or incomplete.")) from None
    return profile


def _save(obj, exclude=()):
    _checked(obj, exclude)
    obj.save()
    return obj


def _checked(obj, exclude=()):
    """`obj` validated as the forms would, its values converted to their Python types. A
    field in `exclude` is converted but not validated: a relation set here to an object
    already checked (its relationship, its lesson), or a date that is history. The table's
    constraints are left to the database, which checks them as the rows go in (full_clean
    asks it a query per constraint and row): a row that breaks one refuses the file."""
    _check_types(obj)
    for name in exclude:
        field = obj._meta.get_field(name)
        if not field.is_relation:
            setattr(obj, field.attname, field.to_python(getattr(obj, field.attname)))
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    return obj


class _Rows:
    """An account's rows, checked one by one and written table by table with bulk_create
    (which sets each new row's id, so that the rows after it can point to it)."""

    def __init__(self, user):
        self.user = user
        self.tables = {}  # model -> [rows], in the order they are added
        content = catalogue()  # (shared objects: rows point to them, never change them)
        self.lessons = {lesson.slug: lesson for lesson in content.lessons}
        self.prompts = {
            (lesson.slug, prompt.position): prompt
            for lesson in content.lessons
            for prompt in content.prompts_of(lesson)
        }

    def add(self, obj, exclude=()):
        self.tables.setdefault(type(obj), []).append(_checked(obj, exclude))
        return obj

    def lesson(self, slug):
        if slug is None:
            return None
        if slug not in self.lessons:
            raise ValidationError(_("unknown lesson “%(slug)s”"), params={"slug": slug})
        return self.lessons[slug]

    def add_relationship(self, row):
        fields = _given(row, RELATIONSHIP_FIELDS)
        relationship = _save(Relationship(owner=self.user, **fields))
        mine = ["relationship"]
        for breach in row.get("breaches") or []:
            fields = _given(breach, BREACH_FIELDS)
            self.add(Breach(relationship=relationship, **fields), exclude=mine)
        promise_ids = {}
        for item in row.get("promises") or []:
            promise = self.add_promise(relationship, item)
            promise_ids[item.get("id")] = promise
        for item in row.get("reflections") or []:
            prompt = item.get("prompt")
            reflection = Reflection(
                relationship=relationship,
                prompt=self.prompts.get(tuple(prompt)) if prompt else None,
                promise=promise_ids.get(item.get("promise")),
                **_given(item, REFLECTION_FIELDS),
            )
            self.add(reflection, exclude=[*mine, "prompt", "promise"])
        for item in row.get("checkins") or []:
            fields = _given(item, CHECKIN_FIELDS)
            self.add(CheckIn(relationship=relationship, **fields), exclude=mine)

    def add_promise(self, relationship, item):
        promise = Promise(
            relationship=relationship,
            lesson=self.lesson(item.get("lesson")),
            **_given(item, PROMISE_FIELDS),
        )
        # Dates are history here: a resolved-on date that was "today" at export is valid.
        self.add(promise, exclude=["relationship", "lesson", "resolved_on"])
        changes = [
            self.add(
                StatusChange(
                    promise=promise,
                    actor=self.user,
                    at=change.get("at"),
                    from_status=change.get("from"),
                    to_status=change.get("to"),
                ),
                exclude=["promise", "actor"],
            )
            for change in item.get("changes") or []
        ]
        # The moment it was resolved (which orders a day's promises in a streak) is the
        # moment of the change that resolved it.
        if changes and promise.status != Status.OPEN and changes[-1].to_status == promise.status:
            promise.resolved_at = changes[-1].at
        return promise

    def write(self):
        # (bulk_create takes the id of a row written since it was set on a row pointing to it)
        for model in (Breach, Promise, StatusChange, Reflection, CheckIn, LessonProgress):
            model.objects.bulk_create(self.tables.get(model, []))


def _given(row, fields):
    """The fields `row` gives (the others keep the model's defaults: a note left out is
    empty, a relationship not archived)."""
    return {field: row[field] for field in fields if field in row}


def _check_types(obj):
    """JSON types must match the columns: text is text (trimmed, as forms do), flags are
    true/false, numbers are numbers — so `[]` never becomes the name "[]"."""
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if value is None or field.is_relation:
            continue
        if isinstance(field, models.CharField | models.TextField):
            if not isinstance(value, str):
                raise ValidationError(_("%(field)s must be text"), params={"field": field.name})
            setattr(obj, field.attname, value.strip())
        elif isinstance(field, models.BooleanField) and not isinstance(value, bool):
            raise ValidationError(
                _("%(field)s must be true or false"), params={"field": field.name}
            )
        elif isinstance(field, models.IntegerField) and (
            isinstance(value, bool) or not isinstance(value, int)
        ):
            raise ValidationError(_("%(field)s must be a number"), params={"field": field.name})


def _import_profile(user, row):
    profile = Profile.for_user(user)
    for field in Profile.SETTINGS:
        if field in row:
            setattr(profile, field, row[field])
    return _save(profile, exclude=["calendar_token"])
