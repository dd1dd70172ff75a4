"""Writes that span models. The admin, the API, imports and commands all go through these.

Each function locks the project row first, so concurrent writers to one project queue up,
the version check happens under the lock, and sequence numbers never collide.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

import readcache.version
from projects.audit import last_change, record_as, without_audit
from projects.models import (
    PROJECT_FIELDS,
    PROJECT_RELATIONS,
    DatePrecision,
    Development,
    Project,
    Status,
    StatusChange,
)
from tracker.errors import ApplicationError


@dataclass
class StaleVersion(ApplicationError):
    """The caller edited an older version of the project than the one stored.

    The API answers 412 with the project's current ETag, in the body and as the ETag header,
    so the client can read the project again and redo its change.
    """

    status = 412
    code = "stale_version"

    project: Project
    changed_by: str
    changed_at: datetime | None

    def body(self) -> dict:
        return {**super().body(), "etag": self.project.etag}

    def headers(self) -> dict[str, str]:
        return {"ETag": self.project.etag}

    def __str__(self):
        when = (
            formats.date_format(timezone.localtime(self.changed_at), "DATETIME_FORMAT")
            if self.changed_at
            else ""
        )
        return _(
            "This project was changed by %(user)s at %(time)s. Reload it and make your change again."
        ) % {
            "user": self.changed_by,
            "time": when,
        }


def acting_user(user):
    """The user to record as the author of a change: None for no user or an anonymous one."""
    return user if user is not None and user.is_authenticated else None


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def _check_version(locked: Project, expected_version: int | None) -> None:
    if expected_version is None or expected_version == locked.version:
        return
    last = last_change(locked)
    raise StaleVersion(project=locked, changed_by=last.editor, changed_at=last.when)


def _touch(project: Project) -> None:
    """Bump version and `updated`, and rebuild the search text, without an audit row of its own.

    The audited change is the development or status change that caused it.
    """
    now = timezone.now()
    Project.objects.filter(pk=project.pk).update(
        version=F("version") + 1, updated=now, search_text=project.build_search_text()
    )
    readcache.version.bump()  # update() sends no signal (readcache.signals)
    project.refresh_from_db(fields=["version", "updated", "search_text"])


def _next_sequence(project: Project, model) -> int:
    current = model.objects.filter(project=project).aggregate(m=Max("sequence"))["m"]
    return (current or 0) + 1


def _effective_precision(effective_on: date | None, precision: str | None) -> str:
    """A status change's date precision: none without a date, a day unless told otherwise."""
    if effective_on is None:
        return DatePrecision.NONE
    return precision or DatePrecision.DAY


@transaction.atomic
def project_change_status(
    *,
    project: Project,
    status: str,
    effective_on: date | None = None,
    effective_precision: str | None = None,
    note: str = "",
    user=None,
    expected_version: int | None = None,
) -> StatusChange:
    """Record a status change and make it the project's current status, in one transaction."""
    locked = _lock(project)
    _check_version(locked, expected_version)
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status: %(status)s") % {"status": status}})
    if status == locked.status:
        raise ValidationError({"status": _("The project already has this status.")})
    change = StatusChange(
        project=locked,
        sequence=_next_sequence(locked, StatusChange),
        status=status,
        previous_status=locked.status,
        effective_on=effective_on,
        effective_precision=_effective_precision(effective_on, effective_precision),
        note=note,
        recorded_by=acting_user(user),
        recorded_at=timezone.now(),
    )
    change.full_clean()
    record_as(change, change.recorded_by)
    change.save()
    locked.status = status
    locked.version += 1
    # The status change's row is the change log's entry; this one is folded into it.
    record_as(locked, change.recorded_by, folded=True)
    locked.save(update_fields=["status", "version", "updated"])
    project.status, project.version, project.updated = locked.status, locked.version, locked.updated
    return change


@transaction.atomic
def project_change_status_bulk(
    projects,
    *,
    status: str,
    effective_on: date | None = None,
    effective_precision: str | None = None,
    note: str = "",
    user=None,
) -> tuple[list[Project], list[Project]]:
    """Give several projects one new status, all in one transaction: all of them or none.

    A project that already has `status` (as the caller loaded it) is skipped rather than
    refused, so a selection that mixes them still changes the others. Each changed project
    gets its own status change and audit rows, as `project_change_status` writes them; no
    version is expected, as the caller chose the projects, not edited them.
    Returns (changed, skipped), in the order given.
    """
    changed, skipped = [], []
    for project in projects:
        if project.status == status:
            skipped.append(project)
            continue
        project_change_status(
            project=project,
            status=status,
            effective_on=effective_on,
            effective_precision=effective_precision,
            note=note,
            user=user,
        )
        changed.append(project)
    return changed, skipped


@transaction.atomic
def development_add(
    *,
    project: Project,
    kind: str,
    text: str,
    date: date | None = None,
    date_precision: str = DatePrecision.NONE,
    date_end: date | None = None,
    source: str = "",
    user=None,
    expected_version: int | None = None,
) -> Development:
    """Add a development at the end of the project's list."""
    locked = _lock(project)
    _check_version(locked, expected_version)
    if date is None:
        date_precision = DatePrecision.NONE
    development = Development(
        project=locked,
        sequence=_next_sequence(locked, Development),
        kind=kind,
        text=text,
        date=date,
        date_precision=date_precision,
        date_end=date_end,
        source=source,
        recorded_by=acting_user(user),
        recorded_at=timezone.now(),
    )
    development.full_clean()
    record_as(development, development.recorded_by)
    development.save()
    _touch(locked)
    project.version, project.updated = locked.version, locked.updated
    return development


@transaction.atomic
def development_update(*, development: Development, user=None, **changes) -> Development:
    """Change a development's fields (kind, text, date, precision, end date, source)."""
    allowed = {"kind", "text", "date", "date_precision", "date_end", "source"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"development_update() got unexpected fields: {sorted(unknown)}")
    locked = _lock(development.project)
    for field, value in changes.items():
        setattr(development, field, value)
    if development.date is None:
        development.date_precision = DatePrecision.NONE
    development.full_clean()
    record_as(development, acting_user(user))
    development.save()
    _touch(locked)
    return development


@transaction.atomic
def development_delete(*, development: Development, user=None) -> None:
    locked = _lock(development.project)
    record_as(development, acting_user(user))
    development.delete()
    _touch(locked)


# The fields `project_create` and `project_update` take as `**fields`: the project's own row.
OWN_FIELDS = frozenset(PROJECT_FIELDS) - frozenset(PROJECT_RELATIONS)


@transaction.atomic
def project_create(
    *,
    user=None,
    sectors,
    schemes=(),
    responsible=(),
    status: str = Status.IDENTIFICATION,
    status_note: str = "",
    effective_on: date | None = None,
    effective_precision: str | None = None,
    **fields,
) -> Project:
    """Create a project with its first status change."""
    unknown = set(fields) - OWN_FIELDS
    if unknown:
        raise TypeError(f"project_create() got unexpected fields: {sorted(unknown)}")
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status: %(status)s") % {"status": status}})
    if not sectors:
        raise ValidationError({"sectors": _("A project has at least one sector.")})
    recorder = acting_user(user)
    project = Project(**fields, status=status)
    project.full_clean(exclude=["search_text"])
    record_as(project, recorder)
    # One audit row for the new project, taken once its sectors and schemes are set.
    with without_audit(project):
        project.save()
        project.sectors.set(sectors)
        project.schemes.set(schemes)
        project.responsible.set(responsible)
    project.save()  # the one audit row, now holding the sectors and schemes
    project.history.filter(history_type="~").update(history_type="+")
    change = StatusChange(
        project=project,
        sequence=1,
        status=status,
        effective_on=effective_on,
        effective_precision=_effective_precision(effective_on, effective_precision),
        note=status_note,
        recorded_by=recorder,
        recorded_at=timezone.now(),
    )
    change.full_clean()
    record_as(change, recorder, folded=True)  # part of the project's "added" entry
    change.save()
    _touch(project)
    return project


def _changes(project: Project, fields: dict, **related) -> bool:
    """Whether writing `fields` and the many-to-many `related` values (None: left alone)
    would change the stored project. Foreign keys compare by id, without loading the rows."""
    for name, value in fields.items():
        field = project._meta.get_field(name)
        if field.is_relation:
            if getattr(project, field.attname) != getattr(value, "pk", value):
                return True
        elif getattr(project, name) != value:
            return True
    for name, rows in related.items():
        if rows is not None:
            stored = set(getattr(project, name).values_list("pk", flat=True))
            if stored != {getattr(row, "pk", row) for row in rows}:
                return True
    return False


@transaction.atomic
def project_update(
    *,
    project: Project,
    user=None,
    expected_version: int | None = None,
    sectors=None,
    schemes=None,
    responsible=None,
    **fields,
) -> Project:
    """Change a project's own fields (not its status: that is `project_change_status`) and its
    responsible officers.

    A call that changes nothing (every value as stored) writes nothing: the version, `updated`
    and the audit trail stay as they are, so other clients' ETags stay current. A change of the
    responsible officers alone bumps the version (the API's detail shows them, so its ETag
    changes) without an audit row: who is responsible is not part of the project's history.
    """
    unknown = set(fields) - OWN_FIELDS
    if unknown:
        raise TypeError(f"project_update() got unexpected fields: {sorted(unknown)}")
    locked = _lock(project)
    _check_version(locked, expected_version)
    if sectors is not None and not sectors:
        raise ValidationError({"sectors": _("A project has at least one sector.")})
    audited = _changes(locked, fields, sectors=sectors, schemes=schemes)
    if responsible is not None and _changes(locked, {}, responsible=responsible):
        locked.responsible.set(responsible)
        if not audited:
            _touch(locked)
            return locked
    if not audited:
        return locked
    for field, value in fields.items():
        setattr(locked, field, value)
    locked.full_clean(exclude=["search_text"])
    # M2M changes first, without audit rows of their own, so the save below writes one audit
    # row holding the new field values and the new sectors and schemes together.
    with without_audit(locked):
        if sectors is not None:
            locked.sectors.set(sectors)
        if schemes is not None:
            locked.schemes.set(schemes)
    locked.version += 1
    locked.search_text = locked.build_search_text()
    record_as(locked, acting_user(user))
    locked.save()
    return locked
