"""The user's data is the user's: export everything, import it into an empty account.

The JSON document is the complete record (and what import reads); the CSV files
are the same rows flattened, one per table, for a spreadsheet.
"""

import csv
import io
import json
import zipfile
import zlib

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from guides.models import Lesson, LessonProgress, ReflectionPrompt
from journal.models import (
    Breach,
    CheckIn,
    Profile,
    Promise,
    Reflection,
    Relationship,
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
    """Load an export into the user's account, which must be empty. All or nothing."""
    if user.relationships.exists() or user.lesson_progress.exists():
        raise ImportRefused(_("Import only works into an empty account: this one has data."))
    try:
        with transaction.atomic():
            _import_profile(user, data.get("profile") or {})
            for relationship in data.get("relationships") or []:
                _import_relationship(user, relationship)
            for progress in data.get("lesson_progress") or []:
                _save(
                    LessonProgress(
                        user=user,
                        lesson=_lesson(progress.get("lesson")),
                        status=progress.get("status"),
                        completed_at=progress.get("completed_at"),
                    )
                )
    except ValidationError as error:
        raise ImportRefused(
            _("Nothing was imported: the file has a value we can't accept (%(detail)s).")
            % {"detail": "; ".join(error.messages)[:300]}
        ) from None
    # Wrong types and shapes (a list for a number, infinity, a null in a required column)
    # fail deep in the ORM or the database; the atomic block has rolled everything back.
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError, DatabaseError):
        raise ImportRefused(_("Nothing was imported: the file is damaged or incomplete.")) from None


def _save(obj, exclude=()):
    _check_types(obj)
    obj.full_clean(exclude=exclude, validate_unique=False)
    obj.save()
    return obj


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


def _lesson(slug):
    if slug is None:
        return None
    lesson = Lesson.objects.filter(slug=slug).first()
    if lesson is None:
        raise ValidationError(_("unknown lesson “%(slug)s”"), params={"slug": slug})
    return lesson


def _import_profile(user, row):
    profile = Profile.for_user(user)
    for field in Profile.SETTINGS:
        if field in row:
            setattr(profile, field, row[field])
    _save(profile, exclude=["calendar_token"])


def _import_relationship(user, row):
    relationship = _save(Relationship(owner=user, **{f: row.get(f) for f in RELATIONSHIP_FIELDS}))
    for breach in row.get("breaches") or []:
        _save(Breach(relationship=relationship, **{f: breach.get(f) for f in BREACH_FIELDS}))
    promise_ids = {}
    for item in row.get("promises") or []:
        promise = _save(
            Promise(
                relationship=relationship,
                lesson=_lesson(item.get("lesson")),
                **{f: item.get(f) for f in PROMISE_FIELDS},
            ),
            # Dates are history here: a resolved-on date that was "today" at export is valid.
            exclude=["resolved_on"],
        )
        promise_ids[item.get("id")] = promise
        for change in item.get("changes") or []:
            _save(
                StatusChange(
                    promise=promise,
                    actor=user,
                    at=change.get("at"),
                    from_status=change.get("from"),
                    to_status=change.get("to"),
                )
            )
    for item in row.get("reflections") or []:
        prompt = item.get("prompt")
        _save(
            Reflection(
                relationship=relationship,
                prompt=ReflectionPrompt.objects.filter(
                    lesson__slug=prompt[0], position=prompt[1]
                ).first()
                if prompt
                else None,
                promise=promise_ids.get(item.get("promise")),
                **{f: item.get(f) for f in REFLECTION_FIELDS},
            ),
        )
    for item in row.get("checkins") or []:
        _save(CheckIn(relationship=relationship, **{f: item.get(f) for f in CHECKIN_FIELDS}))
