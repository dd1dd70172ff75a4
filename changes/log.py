"""The change log across projects: the one definition of a change entry and of its query.

An entry is one audit row of a project, a development or a status change, or one applied
import. The rule that makes each write appear exactly once: the rows projects.audit marks
"folded" are not entries — the project's row written beside a status change (the status
change is the entry), a new project's first status change (part of "project added"), the
rows of a deleted project's developments and status changes (part of "project deleted") and
the rows an import writes (the applied ImportBatch is the entry). So a user's action is one
entry per object it changed: a bulk status change of three projects, three entries.

`change_rows()` is one UNION query over the three audit tables and the applied imports,
filtered and ordered in the database, so a page is a slice of it; `entries()` turns a page of
its rows into entries with a fixed number of queries, whatever the page's length.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import CharField, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_m2m_reverse_field_name

from projects import audit
from projects.admin.history import Change, field_display, field_label, field_value, row_values, tracked_fields
from projects.models import Development, ImportBatch, Project, StatusChange
from projects.spreadsheets.stored import stored_preview

# The kinds of change, as the filter takes them: an audit row's (projects.audit), or an import.
KINDS = {**audit.CHANGE_KINDS, "import": _("Spreadsheet import")}
VIAS = {
    audit.VIA_ADMIN: pgettext_lazy("via", "admin"),
    audit.VIA_API: pgettext_lazy("via", "API"),
    audit.VIA_BULK: pgettext_lazy("via", "bulk action"),
    audit.VIA_IMPORT: pgettext_lazy("via", "import"),
    "": pgettext_lazy("via", "command"),
}

# Each audit table: its key in a row ("src"), model, project column and its kinds by history_type.
TABLES = {
    "p": (Project, "id", audit.ROW_KINDS[Project]),
    "d": (Development, "project_id", audit.ROW_KINDS[Development]),
    "s": (StatusChange, "project_id", audit.ROW_KINDS[StatusChange]),
}
COLUMNS = ("src", "hid", "at", "htype", "uid", "pid", "prev", "reason")


@dataclass
class Criteria:
    """What the log is narrowed to; None or empty: no narrowing."""

    since: object = None  # a date: from its start (local time)
    until: object = None  # a date: to its end
    users: list = field(default_factory=list)  # user ids
    projects: list = field(default_factory=list)  # project numbers
    countries: list = field(default_factory=list)  # ISO codes
    regions: list = field(default_factory=list)  # region codes
    sectors: list = field(default_factory=list)  # sector codes
    kinds: list = field(default_factory=list)  # KINDS keys

    def project_ids(self):
        """A subquery of the ids of the projects the criteria name, or None for all of them.

        Numbers, countries and regions are matched on the projects' audit rows, so a deleted
        project (or one that moved) still matches; sectors on the projects as they are.
        """
        if not (self.projects or self.countries or self.regions or self.sectors):
            return None
        history = Project.history.all()
        if self.projects:
            history = history.filter(number__in=self.projects)
        if self.countries:
            history = history.filter(country__iso_code__in=self.countries)
        if self.regions:
            history = history.filter(country__region__code__in=self.regions)
        if self.sectors:
            history = history.filter(
                id__in=Project.objects.filter(sectors__code__in=self.sectors).values("id")
            )
        return history.values("id")


def _local_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _audit_part(src, criteria: Criteria, project_ids):
    model, project_column, kinds = TABLES[src]
    history = model.history.model
    types = [t for t, kind in kinds.items() if not criteria.kinds or kind in criteria.kinds]
    if not types:
        return None
    rows = history.objects.filter(history_type__in=types).exclude(
        history_change_reason__endswith=audit.FOLDED
    )
    if criteria.since:
        rows = rows.filter(history_date__gte=_local_start(criteria.since))
    if criteria.until:
        rows = rows.filter(history_date__lt=_local_start(criteria.until + timedelta(days=1)))
    if criteria.users:
        rows = rows.filter(history_user_id__in=criteria.users)
    if project_ids is not None:
        rows = rows.filter(**{f"{project_column}__in": project_ids})
    previous = (
        history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    return (
        rows.annotate(
            src=Value(src, output_field=CharField()),
            hid=F("history_id"),
            at=F("history_date"),
            htype=F("history_type"),
            uid=F("history_user_id"),
            pid=F(project_column),
            prev=Subquery(previous, output_field=IntegerField()),
            reason=F("history_change_reason"),
        )
        .order_by()
        .values(*COLUMNS)
    )


def _import_part(criteria: Criteria, project_ids):
    if criteria.kinds and "import" not in criteria.kinds:
        return None
    rows = ImportBatch.objects.filter(state=ImportBatch.State.APPLIED, applied_at__isnull=False)
    if criteria.since:
        rows = rows.filter(applied_at__gte=_local_start(criteria.since))
    if criteria.until:
        rows = rows.filter(applied_at__lt=_local_start(criteria.until + timedelta(days=1)))
    if criteria.users:
        rows = rows.filter(uploaded_by_id__in=criteria.users)
    if project_ids is not None:
        # An import matches when one of the rows it wrote is about one of the projects.
        reason = Concat(
            Value(f"{audit.VIA_IMPORT}:"),
            Cast(OuterRef("id"), CharField()),
            Value(audit.FOLDED),
            output_field=CharField(),
        )
        touched = Q()
        for model, project_column, _kinds in TABLES.values():
            touched |= Exists(
                model.history.filter(history_change_reason=reason, **{f"{project_column}__in": project_ids})
            )
        rows = rows.filter(touched)
    return (
        rows.annotate(
            src=Value("i", output_field=CharField()),
            hid=F("id"),
            at=F("applied_at"),
            htype=Value("i", output_field=CharField()),
            uid=F("uploaded_by_id"),
            pid=Value(None, output_field=IntegerField()),
            prev=Value(None, output_field=IntegerField()),
            reason=Value(audit.VIA_IMPORT, output_field=CharField()),
        )
        .order_by()
        .values(*COLUMNS)
    )


def change_rows(criteria: Criteria | None = None):
    """The log's rows (dicts of COLUMNS), newest first: one query, to be sliced for a page."""
    criteria = criteria or Criteria()
    project_ids = criteria.project_ids()
    parts = [_audit_part(src, criteria, project_ids) for src in TABLES]
    parts.append(_import_part(criteria, project_ids))
    parts = [part for part in parts if part is not None]
    if not parts:
        return Project.history.none().values(*COLUMNS)
    first, *others = parts
    return first.union(*others, all=True).order_by("-at", "-hid", "src")


@dataclass
class Entry:
    """One change: who, when, via what, to which project, and what it changed."""

    kind: str
    when: datetime
    user: object  # None: a command, or the plan's import
    via: str
    project_id: int | None = None
    project_number: int | None = None
    project_name: str = ""
    project_exists: bool = False  # not deleted: its page can be linked
    subject: str = ""
    changes: list[Change] = field(default_factory=list)
    plan_import: bool = False
    filename: str = ""  # an import's
    rows: int = 0  # an import's changed rows
    key: str = ""  # "p12": unique in the log

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    @property
    def editor(self) -> str:
        return audit.editor_label(self.user, plan_import=self.plan_import)

    @property
    def via_label(self) -> str:
        return str(VIAS.get(self.via, self.via))

    @property
    def all_new(self) -> bool:
        """A project's every value set from nothing (added, or the plan's import): the page folds
        such a list of fields, which repeats the project rather than saying what changed. A new
        development or status change stays open: its few fields are the news."""
        return (
            self.kind.startswith("project_")
            and len(self.changes) > 1
            and not any(change.before for change in self.changes)
        )

    @property
    def project_label(self) -> str:
        if self.project_number is None:
            return ""
        return f"{self.project_number} {self.project_name}".strip()


def _via(reason) -> str:
    via = (reason or "").removesuffix(audit.FOLDED)
    return audit.VIA_IMPORT if via.startswith(f"{audit.VIA_IMPORT}:") else via


def _history_rows(src, ids):
    """The audit rows by id, with their users (and a project's country, sectors and schemes)."""
    model = TABLES[src][0]
    rows = model.history.filter(history_id__in=ids).select_related("history_user")
    if src == "p":
        rows = rows.select_related("country")
    records = {row.history_id: row for row in rows}
    if src == "p":
        for f in audit.tracked_m2m_fields(model):
            # One query per many-to-many field for all the rows: simple-history's manager on a
            # row (record.sectors) cannot be prefetched.
            through = getattr(model.history.model, f.name).model
            reverse = get_m2m_reverse_field_name(f)
            values = {history_id: [] for history_id in records}
            for row in through.objects.filter(history_id__in=records).select_related(reverse):
                values[row.history_id].append({reverse: getattr(row, reverse)})
            for history_id, record in records.items():
                record.__dict__.setdefault("_m2m_values", {})[f.name] = values[history_id]
    return records


def _field_value(f, record):
    if f.many_to_many:
        return record.__dict__.get("_m2m_values", {}).get(f.name, [])
    return field_value(f, record)


def _changes(model, record, before) -> list[Change]:
    """What the row changed, before and after, as projects.admin.history shows it."""
    fields = tracked_fields(model)
    if record.history_type == "~" and before is not None:
        changes = []
        for f in fields:
            old, new = _field_value(f, before), _field_value(f, record)
            if f.many_to_many:
                differ = sorted(str(v) for v in old) != sorted(str(v) for v in new)
            else:
                differ = getattr(before, f.attname) != getattr(record, f.attname)
            if differ:
                changes.append(
                    Change(field_label(f), field_display(f, old, before), field_display(f, new, record))
                )
        return changes
    return row_values(fields, record, _field_value)


def entries(rows) -> list[Entry]:
    """Entries for a page of `change_rows()`, in its order.

    Queries: one per audit table for the page's rows and the rows before them (with their
    users), two for the projects' sectors and schemes, one for the projects, one for the
    imports — the same whatever the page's length.
    """
    rows = list(rows)
    wanted = {src: set() for src in TABLES}
    for row in rows:
        if row["src"] in wanted:
            wanted[row["src"]].add(row["hid"])
            if row["prev"]:
                wanted[row["src"]].add(row["prev"])
    records = {src: _history_rows(src, ids) for src, ids in wanted.items()}
    project_ids = {row["pid"] for row in rows if row["pid"] is not None}
    projects = {
        p.pk: p for p in Project.objects.filter(pk__in=project_ids).only("id", "number", "name", "name_en")
    }
    batch_ids = [row["hid"] for row in rows if row["src"] == "i"]
    batches = {b.pk: b for b in ImportBatch.objects.filter(pk__in=batch_ids).select_related("uploaded_by")}
    result = []
    for row in rows:
        src = row["src"]
        if src == "i":
            batch = batches[row["hid"]]
            counts = stored_preview(batch).counts
            result.append(
                Entry(
                    kind="import",
                    when=row["at"],
                    user=batch.uploaded_by,
                    via=audit.VIA_IMPORT,
                    subject=batch.filename,
                    filename=batch.filename,
                    rows=counts.changes,
                    key=f"i{batch.pk}",
                )
            )
            continue
        model, _column, kinds = TABLES[src]
        record = records[src][row["hid"]]
        before = records[src].get(row["prev"]) if row["prev"] else None
        project = projects.get(row["pid"])
        number, name = (project.number, project.display_name) if project else (None, "")
        if src == "p":
            number, name = (project.number, project.display_name) if project else (record.number, record.name)
            subject = gettext("Project")
        elif src == "d":
            subject = gettext("Development %(number)s") % {"number": record.sequence}
        else:
            subject = gettext("Status change %(number)s") % {"number": record.sequence}
        result.append(
            Entry(
                kind=kinds[record.history_type],
                when=row["at"],
                user=record.history_user,
                via=_via(row["reason"]),
                project_id=row["pid"],
                project_number=number,
                project_name=name,
                project_exists=project is not None,
                subject=subject,
                changes=_changes(model, record, before),
                plan_import=audit.is_plan_import(record, first=row["prev"] is None),
                key=f"{src}{record.history_id}",
            )
        )
    return result
