"""The projects sheet: its row loop and its editable columns, as column groups
(preview_columns.py).

Name and English name, country, sectors and schemes, status, new. Each group reads its cell,
compares it with the project and, when it differs, puts the value on the row's `ProjectEdit`,
which apply hands to `services.project_update` (the fields, sectors, schemes) and
`services.project_change_status` (the status).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from projects import choices
from projects.models import Project, Status
from projects.spreadsheets.columns import LIST_COLUMN_LABELS
from projects.spreadsheets.messages import _
from projects.spreadsheets.preview_columns import ABSENT, ColumnGroup, Invalid, RowContext
from projects.spreadsheets.reading import Sheet, _norm
from projects.spreadsheets.values import _as_text, _names, _same_text, _split_names


@dataclass
class ProjectEdit:
    """What a projects-sheet row changes of its project."""

    project: Project
    sheet: str
    row: int
    fields: dict = field(default_factory=dict)
    sectors: list | None = None
    schemes: list | None = None
    status: str | None = None

    @property
    def updates(self) -> bool:
        """Whether it changes more than the status (a project_update)."""
        return bool(self.fields) or self.sectors is not None or self.schemes is not None


class _Name(ColumnGroup):
    """Name, English name: required, at most the model field's length."""

    def __init__(self, key: str):
        self.key = key

    def read(self, row: RowContext):
        if not row.has(self.key):
            return ABSENT
        text = _as_text(row.cell(self.key))
        if not text.strip():
            raise Invalid(_("This column must not be empty."))
        max_length = Project._meta.get_field(self.key).max_length
        if len(text) > max_length:
            raise Invalid(
                _("At most %(limit)d characters (this has %(count)d).")
                % {"limit": max_length, "count": len(text)}
            )
        return text

    def same(self, new, current) -> bool:
        return _same_text(new, current)

    def apply(self, edit: ProjectEdit, value) -> None:
        edit.fields[self.key] = value


class _Country(ColumnGroup):
    """A country by ISO code or name in either language; shown by name, raw as the ISO code."""

    key = "country"

    def read(self, row: RowContext):
        if not row.has(self.key):
            return ABSENT
        text = _as_text(row.cell(self.key))
        country = row.lookups.countries.get(_norm(text))
        if country is None:
            raise Invalid(
                _("Unknown country: %(value)s") % {"value": text}
                if text.strip()
                else _("The country is missing.")
            )
        return country

    def same(self, new, current) -> bool:
        return new.pk == current.pk

    def display(self, value) -> str:
        return value.name

    def raw(self, value):
        return value.iso_code

    def apply(self, edit: ProjectEdit, value) -> None:
        edit.fields[self.key] = value


class _NameList(ColumnGroup):
    """Sectors, schemes: a list of codes or names; shown as names, raw as sorted codes."""

    def __init__(self, key: str, *, required: bool):
        self.key = key
        self.required = required

    def read(self, row: RowContext):
        if not row.has(self.key):
            return ABSENT
        text = _as_text(row.cell(self.key))
        found, unknown = _split_names(text, getattr(row.lookups, self.key), row.lookups.spans[self.key])
        if unknown:
            message = (
                _("Unknown sector: %(value)s") if self.key == "sectors" else _("Unknown scheme: %(value)s")
            )
            raise Invalid(message % {"value": "、".join(unknown)})
        if self.required and not found:
            raise Invalid(_("A project has at least one sector."))
        return found

    def current(self, target):
        return list(getattr(target, self.key).all())

    def same(self, new, current) -> bool:
        return {o.pk for o in new} == {o.pk for o in current}

    def display(self, value) -> str:
        return _names(value)

    def raw(self, value):
        return sorted(o.code for o in value)

    def apply(self, edit: ProjectEdit, value) -> None:
        setattr(edit, self.key, value)


class _Status(ColumnGroup):
    """A status by code or label in either language; shown by its label."""

    key = "status"

    def read(self, row: RowContext):
        if not row.has(self.key):
            return ABSENT
        text = _as_text(row.cell(self.key))
        status = row.lookups.statuses.get(_norm(text))
        if status is None:
            raise Invalid(
                _("Unknown status: %(value)s (use one of: %(codes)s)")
                % {"value": text, "codes": ", ".join(str(label) for label in Status.labels)}
                if text.strip()
                else _("The status is missing.")
            )
        return status

    def display(self, value) -> str:
        return choices.labels(Status)[value]

    def apply(self, edit: ProjectEdit, value) -> None:
        edit.status = value


# In the order the preview lists a row's changes and errors.
PROJECT_GROUPS: tuple[ColumnGroup, ...] = (
    _Name("name"),
    _Name("name_en"),
    _Country(),
    _NameList("sectors", required=True),
    _NameList("schemes", required=False),
    _Status(),
)


class ProjectsSheet:
    """The projects sheet's row loop: a part of the preview builder (preview._PreviewBuilder)."""

    def projects_sheet(self, sheet: Sheet) -> None:
        if "number" not in sheet.columns:
            message = _("The column %(column)s is missing.") % {"column": str(LIST_COLUMN_LABELS["number"]())}
            self.error(sheet, 1, "", message)
            return
        seen: dict[int, int] = {}
        for row, values in sheet.rows:
            self.tick()
            if self.too_long(sheet, row, values):
                continue
            project = self.project_for(sheet, row, values, "number")
            if project is None:
                continue
            if project.number in seen:
                self.error(
                    sheet,
                    row,
                    "number",
                    _("Project %(number)d appears twice in this sheet (also row %(row)d).")
                    % {"number": project.number, "row": seen[project.number]},
                )
                continue
            seen[project.number] = row
            if "version" in sheet.columns or "updated" in sheet.columns:
                self.version_cells[project.number] = (sheet, row, sheet.value(values, "version"))
            self.project_row(sheet, row, values, project)

    def project_row(self, sheet: Sheet, row: int, values: tuple, project: Project) -> None:
        """A row's changes are listed even when another of its cells is an error; its edit is
        kept only when none is."""
        context = RowContext(sheet, values, self.lookups, project)
        clean = self.read_row(row, PROJECT_GROUPS, context)
        edit = ProjectEdit(project=project, sheet=sheet.title, row=row)
        self.compare(row, project, PROJECT_GROUPS, context, edit)
        if clean and (edit.updates or edit.status):
            self.project_edits.append(edit)
