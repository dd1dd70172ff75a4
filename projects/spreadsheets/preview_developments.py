"""The developments sheet: its row loop and its editable columns, as column groups
(preview_columns.py).

Text, kind, date and source. A row with a No. edits that development: each group that differs
puts its value on the row's `DevelopmentEdit` (for `services.development_update`). A row with
an empty No. adds a development with every value read (`services.development_add`); a missing
kind is "other", a missing date the one the text gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from projects import choices
from projects.dates import format_partial_date, parse_development_date
from projects.models import DatePrecision, Development, DevelopmentKind, Project
from projects.spreadsheets.columns import DEVELOPMENT_COLUMN_LABELS
from projects.spreadsheets.messages import _
from projects.spreadsheets.preview_columns import ABSENT, ColumnGroup, Invalid, RowContext
from projects.spreadsheets.reading import Sheet, _norm
from projects.spreadsheets.values import (
    _as_int,
    _as_text,
    _iso,
    _same_date_text,
    _same_text,
    parse_date_cell,
)


@dataclass
class DevelopmentEdit:
    """What a developments-sheet row changes: `values` for development_update, or for
    development_add when `development` is None."""

    project: Project
    sheet: str
    row: int
    development: Development | None  # None: a new development
    values: dict = field(default_factory=dict)


class _Text(ColumnGroup):
    """Text or source: plain text; the text is required, the source limited to its field."""

    def __init__(self, key: str, *, required: bool):
        self.key = key
        self.required = required
        self.shown_when_empty = required

    def read(self, row: RowContext):
        if not row.has(self.key):
            return ABSENT
        text = _as_text(row.cell(self.key))
        if self.required and not text.strip():
            raise Invalid(_("The text of a development must not be empty."))
        limit = Development._meta.get_field(self.key).max_length
        if limit is not None and len(text) > limit:
            raise Invalid(
                _("At most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(text)}
            )
        return text

    def same(self, new, current) -> bool:
        return _same_text(new, current)

    def apply(self, edit: dict, value) -> None:
        edit[self.key] = value


class _Kind(ColumnGroup):
    """A kind by code or label in either language; empty (or no column, when adding): other."""

    key = "kind"

    def read(self, row: RowContext):
        if not row.has(self.key):
            return DevelopmentKind.OTHER if row.target is None else ABSENT
        text = _as_text(row.cell(self.key))
        kind = row.lookups.kinds.get(_norm(text)) if text.strip() else DevelopmentKind.OTHER
        if kind is None:
            raise Invalid(
                _("Unknown kind: %(value)s (use one of: %(codes)s)")
                % {"value": text, "codes": ", ".join(str(label) for label in DevelopmentKind.labels)}
            )
        return kind

    def display(self, value) -> str:
        return choices.labels(DevelopmentKind)[value]

    def apply(self, edit: dict, value) -> None:
        edit[self.key] = value


class _Date(ColumnGroup):
    """The (date, precision, end) triple, written as the export writes it (or any form
    parse_date_cell reads). A cell that still reads as the stored date leaves it as it is,
    whatever its precision; a development added without a date takes the one its text gives."""

    key = "date"
    empty = (None, DatePrecision.NONE, None)

    def read(self, row: RowContext):
        development, text = row.target, row.read.get("text")
        if not row.has(self.key):
            if development is None and text is not None:
                return tuple(parse_development_date(text))
            return ABSENT
        raw = row.cell(self.key)
        if development is not None and _same_date_text(raw, development):
            return ABSENT
        parsed = parse_date_cell(raw)
        if parsed is None:
            raise Invalid(
                _(
                    "Cannot read the date %(value)s. Write e.g. 2024-03, 2024-03-15, 2024, FY2024, "
                    "2024年3月 or 2022年11月～2023年1月."
                )
                % {"value": _as_text(raw)}
            )
        if development is None and parsed[0] is None and text is not None:
            parsed = parse_development_date(text)
        return tuple(parsed)

    def current(self, target):
        return (target.date, target.date_precision, target.date_end)

    def display(self, value) -> str:
        return format_partial_date(*value)

    def raw(self, value):
        return [_iso(value[0]), value[1], _iso(value[2])]

    def apply(self, edit: dict, value) -> None:
        edit["date"], edit["date_precision"], edit["date_end"] = value


_TEXT = _Text("text", required=True)
_KIND = _Kind()
_DATE = _Date()
_SOURCE = _Text("source", required=False)

# The order a row is read in (the date of an added development may come from its text), and
# the order an edited development's changes are listed in.
DEVELOPMENT_GROUPS: tuple[ColumnGroup, ...] = (_TEXT, _KIND, _DATE, _SOURCE)

# The order an added development's changes are listed in: the columns' order in the sheet.
ADDED_GROUPS: tuple[ColumnGroup, ...] = (_DATE, _KIND, _TEXT, _SOURCE)


class DevelopmentsSheet:
    """The developments sheet's row loop: a part of the preview builder (preview._PreviewBuilder)."""

    def developments_sheet(self, sheet: Sheet) -> None:
        for key in ("project_number", "sequence", "text"):
            if key not in sheet.columns:
                message = _("The column %(column)s is missing.") % {
                    "column": str(DEVELOPMENT_COLUMN_LABELS[key]())
                }
                self.error(sheet, 1, "", message)
                return
        wanted = {
            p.pk
            for p in (self.projects.get(_as_int(sheet.value(v, "project_number"))) for _row, v in sheet.rows)
            if p is not None
        }
        developments = {
            (d.project_id, d.sequence): d
            for d in Development.objects.filter(project_id__in=wanted).select_related("project")
        }
        seen: dict[tuple[int, int], int] = {}
        for row, values in sheet.rows:
            self.tick()
            if self.too_long(sheet, row, values):
                continue
            project = self.project_for(sheet, row, values, "project_number")
            if project is None:
                continue
            raw_sequence = sheet.value(values, "sequence")
            if raw_sequence is None or not str(raw_sequence).strip():
                self.development_row(sheet, row, values, project, None)
                continue
            sequence = _as_int(raw_sequence)
            development = developments.get((project.pk, sequence)) if sequence is not None else None
            if development is None:
                message = _(
                    "Project %(number)d has no development No. %(sequence)s. Leave No. empty to add a development."
                ) % {"number": project.number, "sequence": _as_text(raw_sequence)}
                self.error(sheet, row, "sequence", message)
                continue
            if (project.pk, sequence) in seen:
                message = _(
                    "Development %(number)d-%(sequence)d appears twice in this sheet (also row %(row)d)."
                ) % {"number": project.number, "sequence": sequence, "row": seen[(project.pk, sequence)]}
                self.error(sheet, row, "sequence", message)
                continue
            seen[(project.pk, sequence)] = row
            self.development_row(sheet, row, values, project, development)

    def development_row(self, sheet, row, values, project, development: Development | None) -> None:
        """A row with an error changes nothing and lists no change."""
        context = RowContext(sheet, values, self.lookups, development)
        if not self.read_row(row, DEVELOPMENT_GROUPS, context):
            return
        edit = DevelopmentEdit(project=project, sheet=sheet.title, row=row, development=development)
        if development is not None:
            self.compare(
                row, project, DEVELOPMENT_GROUPS, context, edit.values, sequence=development.sequence
            )
            if edit.values:
                self.development_edits.append(edit)
            return
        for group in DEVELOPMENT_GROUPS:
            if group.key in context.read:
                group.apply(edit.values, context.read[group.key])
        self.development_edits.append(edit)
        for group in ADDED_GROUPS:
            value = context.read.get(group.key, group.empty)
            if group.shown_when_empty or group.display(value):
                self.record(
                    sheet,
                    row,
                    project,
                    group.key,
                    "",
                    group.display(value),
                    old=None,
                    new=group.raw(value),
                    action="add",
                )
