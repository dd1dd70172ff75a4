"""The import's preview: every row of a read workbook compared with the database.

The round trip: an editor downloads the list export (`export.write_list_xlsx`), edits the
projects sheet (name, English name, country, sectors, schemes, status) and the
developments sheet (edit a row to change that development; append a row with an empty No. to
add one), and uploads it. Other columns (region, new, won, latest development, updated) are derived
and ignored. The hidden "version" column guards against overwriting edits made after the
export. Deleting a row deletes nothing.

`build_preview()` lists the changes (sheet, row, project, field, before, after) and the errors
(sheet, row, column, message). This module is the builder: the sheets' loops and the one place
a change is recorded. The columns are read and compared by the column groups of
preview_projects.py and preview_developments.py. Reading is reading.py, cell values values.py,
the stored form stored.py, storing and applying apply.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import override

from projects.models import Project
from projects.spreadsheets.columns import LIST_COLUMN_LABELS
from projects.spreadsheets.messages import _
from projects.spreadsheets.preview_columns import ABSENT, ColumnGroup, Invalid, RowContext
from projects.spreadsheets.preview_developments import DevelopmentEdit, DevelopmentsSheet
from projects.spreadsheets.preview_projects import ProjectEdit, ProjectsSheet
from projects.spreadsheets.reading import DEVELOPMENTS, PROJECTS, ParsedFile, Progress, Sheet, _error
from projects.spreadsheets.stored import CellError, Change, Counts, Options, StoredPreview
from projects.spreadsheets.values import _as_int, _as_text, _Lookups, tokyo_minute

# The longest text a cell may hold, per column (the default: Excel's own limit). Every cell is
# checked before it is parsed, so no parser ever sees more than this.
MAX_CELL_CHARS = 32_767


CELL_LIMITS = {
    "number": 20,
    "project_number": 20,
    "sequence": 20,
    "version": 20,
    "updated": 100,
    "country": 200,
    "status": 200,
    "kind": 200,
    "date": 100,
    "sectors": 2_000,
    "schemes": 2_000,
}


@dataclass
class Preview:
    """What applying a file would change, and what is wrong with it."""

    changes: list[Change]
    errors: list[CellError]
    project_edits: list[ProjectEdit] = field(default_factory=list, repr=False)
    development_edits: list[DevelopmentEdit] = field(default_factory=list, repr=False)

    @property
    def is_clean(self) -> bool:
        return not self.errors

    def counts(self) -> Counts:
        return Counts(
            changes=len(self.changes),
            errors=len(self.errors),
            projects_changed=len({e.project.pk for e in self.project_edits if e.updates}),
            status_changes=sum(1 for e in self.project_edits if e.status),
            developments_added=sum(1 for e in self.development_edits if e.development is None),
            developments_changed=sum(1 for e in self.development_edits if e.development is not None),
        )

    def stored(self, options: Options) -> StoredPreview:
        """The form an ImportBatch stores (stored.store_preview)."""
        return StoredPreview(changes=self.changes, errors=self.errors, counts=self.counts(), options=options)


class _PreviewBuilder(ProjectsSheet, DevelopmentsSheet):
    """Reads every row of the file's sheets (each sheet's loop is in its module) and records
    each change and error."""

    def __init__(self, parsed: ParsedFile, progress: Progress | None):
        self.parsed = parsed
        self.progress = progress
        self.lookups = _Lookups()
        self.projects = {
            p.number: p
            for p in Project.objects.select_related("country").prefetch_related("sectors", "schemes")
        }
        self.changes: list[Change] = []
        self.errors: list[CellError] = []
        self.project_edits: list[ProjectEdit] = []
        self.development_edits: list[DevelopmentEdit] = []
        self.changed_projects: set[int] = set()
        self.version_cells: dict[int, tuple[Sheet, int, object]] = {}
        self.done = 0
        self.total = parsed.row_count

    def run(self) -> Preview:
        for sheet in self.parsed.sheets:
            self.errors.extend(CellError.from_json(error) for error in sheet.errors)
        # Labels (statuses, kinds, dates, yes) in each sheet's own language; messages are shown
        # in the reader's (Message, CellError.shown).
        if projects := self.parsed.sheet(PROJECTS):
            with override(projects.language):
                self.projects_sheet(projects)
        if developments := self.parsed.sheet(DEVELOPMENTS):
            with override(developments.language):
                self.developments_sheet(developments)
        self.check_stale()
        for error in self.errors:  # made in a sheet's language: the text in the active one
            error.message = error.rendered()
        if self.progress:
            self.progress(_("Checking"), self.total, self.total)
        return Preview(
            changes=self.changes,
            errors=self.errors,
            project_edits=self.project_edits,
            development_edits=self.development_edits,
        )

    def tick(self):
        self.done += 1
        if self.progress and self.done % max(self.total // 100, 500) == 0:
            self.progress(_("Checking"), self.done, self.total)

    def error(self, sheet: Sheet, row: int | None, key: str, message: str) -> None:
        self.errors.append(CellError.from_json(_error(sheet, row, key, message)))

    def record(self, sheet, row, project, key, before, after, *, old, new, sequence=None, action="update"):
        """Record a change of the project's `key` (the only place a Change is made)."""
        self.changed_projects.add(project.number)
        self.changes.append(
            Change(
                sheet=sheet.title,
                kind=sheet.kind,
                row=row,
                number=project.number,
                sequence=sequence,
                action=action,
                field=key,
                column=sheet.header(key),
                before=before,
                after=after,
                old=old,
                new=new,
            )
        )

    def read_row(self, row: int, groups: tuple[ColumnGroup, ...], context: RowContext) -> bool:
        """Read each group's cell into `context.read`, in order; an unreadable cell is an error.
        Whether every cell was read."""
        clean = True
        for group in groups:
            try:
                value = group.read(context)
            except Invalid as exc:
                self.error(context.sheet, row, group.key, exc.message)
                clean = False
                continue
            if value is not ABSENT:
                context.read[group.key] = value
        return clean

    def compare(self, row, project, groups, context: RowContext, edit, *, sequence=None) -> None:
        """Record each value read that differs from the current one, and put it on `edit`."""
        for group in groups:
            if group.key not in context.read:
                continue
            value, current = context.read[group.key], group.current(context.target)
            if not group.same(value, current):
                group.apply(edit, value)
                self.record(
                    context.sheet,
                    row,
                    project,
                    group.key,
                    group.display(current),
                    group.display(value),
                    old=group.raw(current),
                    new=group.raw(value),
                    sequence=sequence,
                )

    def too_long(self, sheet: Sheet, row: int, values: tuple) -> bool:
        """Whether a cell of the row is longer than its column allows (CELL_LIMITS); each such
        cell is an error. Checked before anything of the row is parsed."""
        found = False
        for key in sheet.columns:
            value = sheet.value(values, key)
            limit = CELL_LIMITS.get(key, MAX_CELL_CHARS)
            if isinstance(value, str) and len(value) > limit:
                found = True
                self.error(
                    sheet,
                    row,
                    key,
                    _("At most %(limit)d characters (this has %(count)d).")
                    % {"limit": limit, "count": len(value)},
                )
        return found

    def project_for(self, sheet: Sheet, row: int, values: tuple, key: str) -> Project | None:
        raw = sheet.value(values, key)
        if raw is None or not str(raw).strip():
            self.error(sheet, row, key, _("The project number is missing."))
            return None
        number = _as_int(raw)
        if number is None:
            self.error(sheet, row, key, _("%(value)s is not a project number.") % {"value": _as_text(raw)})
            return None
        project = self.projects.get(number)
        if project is None:
            self.error(
                sheet,
                row,
                key,
                _("Project %(number)d does not exist. New projects are added in the admin, not by import.")
                % {"number": number},
            )
        return project

    def check_stale(self) -> None:
        """Refuse rows of projects saved after the file was exported: applying would undo that.

        The projects sheet's hidden Version column holds each project's version at export time,
        as the admin and the API check it (optimistic locking): any save since, even in the same
        minute, makes it differ. A file exported before that column existed has only the
        minute-rounded Updated column, which cannot tell; its rows that change something are
        refused, asking for a fresh export. A sheet with neither column (made by hand, not
        exported) is not checked: its preview shows every value it would replace.
        """
        for number in sorted(self.changed_projects):
            if number not in self.version_cells:
                continue
            sheet, row, in_file = self.version_cells[number]
            project = self.projects[number]
            if "version" not in sheet.columns:
                message = _(
                    "This file has no %(column)s column (it was exported by an earlier version of the "
                    "tracker), so changes made to project %(number)d since the export cannot be told "
                    "apart. Export again and redo your edits."
                ) % {"column": str(LIST_COLUMN_LABELS["version"]()), "number": number}
                self.error(sheet, row, "updated", message)
                continue
            if _as_int(in_file) == project.version:
                continue
            message = _(
                "Project %(number)d was saved at %(current)s, after this file was exported (its "
                "version is %(version)d now, %(in_file)s in the file). Importing would undo that "
                "change: export again and redo your edits."
            ) % {
                "number": number,
                "current": tokyo_minute(project.updated),
                "version": project.version,
                "in_file": _as_text(in_file) or "—",
            }
            self.error(sheet, row, "version", message)


def build_preview(parsed: ParsedFile, *, progress: Progress | None = None) -> Preview:
    """The changes the file would make, and its errors, against the data as it is now."""
    return _PreviewBuilder(parsed, progress).run()
