"""A project's audit trail for its History page: the audit rows of the project, its
developments and its status changes, newest first, each with what changed, before and after."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from simple_history.utils import get_m2m_reverse_field_name

from projects.audit import editor_label, is_plan_import, tracked_m2m_fields
from projects.dates import format_partial_date
from projects.models import DatePrecision, Development, Project, StatusChange

# Fields left out of the trail: keys, and timestamps every save moves.
# A status change's date precision shows in its date ("2024年3月").
SKIPPED_FIELDS = {"id", "project", "created", "updated", "recorded_at", "recorded_by", "effective_precision"}


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class AuditEntry:
    when: datetime
    user: object  # the history row's user, None for a row written without one
    subject: str
    action: str
    changes: list[Change] = field(default_factory=list)
    history_id: int = 0
    model: type | None = None  # Project, Development or StatusChange
    plan_import: bool = False  # the row the plan's fixture left (projects.audit.is_plan_import)

    @property
    def editor(self) -> str:
        return editor_label(self.user, plan_import=self.plan_import)


def project_audit_trail(project_id) -> list[AuditEntry]:
    """Every audit row about the project, newest first."""
    entries = [
        *_entries(Project, Project.history.filter(id=project_id), lambda record: gettext("Project")),
        *_entries(
            Development,
            Development.history.filter(project_id=project_id),
            lambda record: gettext("Development %(number)s") % {"number": record.sequence},
        ),
        *_entries(
            StatusChange,
            StatusChange.history.filter(project_id=project_id),
            lambda record: gettext("Status change %(number)s") % {"number": record.sequence},
        ),
    ]
    entries.sort(key=lambda entry: (entry.when, entry.history_id), reverse=True)
    return entries


def tracked_fields(model) -> list[models.Field]:
    history_model = model.history.model
    names = {f.name for f in history_model.tracked_fields} | {f.name for f in tracked_m2m_fields(model)}
    return [f for f in model._meta.get_fields() if f.name in names and f.name not in SKIPPED_FIELDS]


def _entries(model, records, subject) -> list[AuditEntry]:
    fields = tracked_fields(model)
    editable = [f.name for f in fields if f.editable]
    by_name = {f.name: f for f in fields}
    actions = {"+": gettext("Added"), "~": gettext("Changed"), "-": gettext("Deleted")}

    previous = {}
    entries = []
    for record in records.select_related("history_user").order_by("history_date", "history_id"):
        before = previous.get(record.id)
        if record.history_type == "~" and before is not None:
            delta = record.diff_against(before, included_fields=editable, foreign_keys_are_objs=True)
            pairs = [(by_name[c.field], c.old, c.new) for c in delta.changes]
            # diff_against() skips fields that are not editable in forms, such as the status.
            pairs += [
                (f, getattr(before, f.attname), getattr(record, f.attname))
                for f in fields
                if f.name not in editable and getattr(before, f.attname) != getattr(record, f.attname)
            ]
            changes = [
                Change(field_label(f), field_display(f, old, before), field_display(f, new, record))
                for f, old, new in pairs
            ]
        else:
            changes = row_values(fields, record)
        previous[record.id] = record
        entries.append(
            AuditEntry(
                when=record.history_date,
                user=record.history_user,
                subject=subject(record),
                action=_action(record, before, actions),
                changes=changes,
                history_id=record.history_id,
                model=model,
                plan_import=is_plan_import(record, first=before is None),
            )
        )
    return entries


def _action(record, before, actions) -> str:
    if record.history_user_id is None and record.history_type != "-":
        # Written by loading data: the plan's first load (loaddata saves a row it creates as a
        # change, "~"), or a later load over it.
        return gettext("Imported") if before is None else gettext("Imported (update)")
    return actions.get(record.history_type, record.history_type)


def row_values(fields, record, value_of=None) -> list[Change]:
    """A new or deleted row's values as they were: each an "after" (added) or a "before"
    (deleted). `value_of(f, record)` reads a value (field_value by default; the change log
    passes one that reads many-to-many values it fetched in bulk)."""
    value_of = value_of or field_value
    new = record.history_type != "-"
    changes = []
    for f in fields:
        shown = field_display(f, value_of(f, record), record)
        if shown:
            changes.append(Change(field_label(f), "" if new else shown, shown if new else ""))
    return changes


def field_label(f) -> str:
    return str(f.verbose_name)


def field_value(f, record):
    if f.many_to_many:
        reverse = get_m2m_reverse_field_name(f)
        return [{reverse: getattr(row, reverse)} for row in getattr(record, f.name).all()]
    if f.is_relation:
        try:
            return getattr(record, f.name)
        except f.related_model.DoesNotExist:
            return None
    return getattr(record, f.attname)


def field_display(f, value, record) -> str:
    """A value as a desk officer reads it: labels, not codes; names, not ids."""
    if value is None or value == "" or value == []:
        return ""
    if f.many_to_many:
        reverse = get_m2m_reverse_field_name(f)
        return "、".join(str(row[reverse]) for row in value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if (
        isinstance(value, date)
        and f.name in ("date", "date_end")
        and isinstance(record, Development.history.model)
    ):
        precision = record.date_precision or DatePrecision.NONE
        return format_partial_date(value, precision) or value.isoformat()
    if isinstance(value, date) and isinstance(record, StatusChange.history.model):
        precision = record.effective_precision or DatePrecision.DAY
        return format_partial_date(value, precision)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
