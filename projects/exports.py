"""Exports of a project queryset: the flat list as CSV and XLSX, and the plan's status table.

The list exports stream: rows come from the database in chunks and go straight out (CSV) or
into openpyxl's write-only workbook (XLSX, which spools to a temporary file), so memory stays
flat however many projects are exported.
"""

import csv
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from projects.dates import format_partial_date
from projects.models import Development, DevelopmentKind, Status

CHUNK_SIZE = 2000
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A cell that starts with one of these is a formula (or becomes one) in Excel and LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """Neutralize formula injection: prefix a leading trigger character with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_cell(value):
    """Undo `escape_cell` on text read back from a spreadsheet."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value


@dataclass(frozen=True)
class Column:
    key: str
    width: int
    wrap: bool = False

    @property
    def label(self):
        labels = LIST_COLUMN_LABELS if self.key in LIST_COLUMN_LABELS else DEVELOPMENT_COLUMN_LABELS
        return str(labels[self.key]())


# Labels are functions so they are translated in the language active at export time.
LIST_COLUMN_LABELS = {
    "number": lambda: _("Number"),
    "name": lambda: _("Name"),
    "name_en": lambda: _("English name"),
    "country": lambda: _("Country"),
    "region": lambda: _("Region"),
    "sectors": lambda: _("Sectors"),
    "schemes": lambda: _("Schemes"),
    "status": lambda: _("Status"),
    "is_new": lambda: _("New"),
    "won": lambda: _("Won"),
    "latest_development_date": lambda: _("Latest development date"),
    "latest_development_text": lambda: _("Latest development"),
    "updated": lambda: _("Updated"),
}

LIST_COLUMNS = [
    Column("number", 8),
    Column("name", 36, wrap=True),
    Column("name_en", 40, wrap=True),
    Column("country", 16),
    Column("region", 18),
    Column("sectors", 20, wrap=True),
    Column("schemes", 20, wrap=True),
    Column("status", 14),
    Column("is_new", 8),
    Column("won", 8),
    Column("latest_development_date", 18),
    Column("latest_development_text", 60, wrap=True),
    Column("updated", 18),
]

# The second sheet of the XLSX list: every development of the exported projects. Editors edit
# rows to change a development and append rows with an empty No. to add one (projects/imports.py).
DEVELOPMENT_COLUMN_LABELS = {
    "project_number": lambda: _("Project number"),
    "sequence": lambda: _("No."),
    "date": lambda: _("Date"),
    "kind": lambda: _("Kind"),
    "text": lambda: _("Text"),
    "source": lambda: _("Source"),
}

DEVELOPMENT_COLUMNS = [
    Column("project_number", 10),
    Column("sequence", 6),
    Column("date", 22),
    Column("kind", 20),
    Column("text", 80, wrap=True),
    Column("source", 24),
]


def developments_sheet_title() -> str:
    return _("Developments")[:31]


def export_queryset(queryset: QuerySet) -> QuerySet:
    """The queryset with everything a list export row needs, fetched in a fixed number of queries."""
    return (
        queryset.select_related("country__region", "listing_group")
        .prefetch_related("sectors", "schemes")
        .with_won()
        .with_latest_development()
    )


def _yes_no(value: bool) -> str:
    return _("Yes") if value else ""


def list_rows(queryset: QuerySet) -> Iterator[list]:
    """One list of cell values per project, in the queryset's order, header not included."""
    language = get_language() or "ja"
    english = language.startswith("en")
    status_labels = dict(Status.choices)
    for project in export_queryset(queryset).iterator(chunk_size=CHUNK_SIZE):
        latest_date = format_partial_date(
            project.latest_development_date,
            project.latest_development_date_precision or "none",
            project.latest_development_date_end,
            language=language,
        )
        yield [
            project.number,
            project.name,
            project.name_en,
            project.country.name_en if english else project.country.name_ja,
            project.country.region.name_en if english else project.country.region.name_ja,
            "、".join(s.name_en if english else s.name_ja for s in project.sectors.all()),
            "、".join(s.name_en if english else s.name_ja for s in project.schemes.all()),
            str(status_labels[project.status]),
            _yes_no(project.is_new),
            _yes_no(project.won),
            latest_date,
            project.latest_development_text or "",
            timezone.localtime(project.updated).strftime("%Y-%m-%d %H:%M"),
        ]


class _Echo:
    def write(self, value):
        return value


def csv_stream(queryset: QuerySet) -> Iterator[bytes]:
    """The list as UTF-8 CSV with a byte-order mark (so Excel in Japanese reads it right)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff".encode()
    yield writer.writerow([c.label for c in LIST_COLUMNS]).encode()
    for row in list_rows(queryset):
        yield writer.writerow([escape_cell(v) for v in row]).encode()


def _styled_sheet(workbook: Workbook, title: str, columns: list[Column]):
    sheet = workbook.create_sheet(title=title)
    sheet.freeze_panes = "B2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    sheet.append(header)
    return sheet


def _text_cell(sheet, value, alignment=None):
    cell = WriteOnlyCell(sheet, value=escape_cell(value))
    if isinstance(cell.value, str):
        # openpyxl would store a string that starts with "=" as a formula; force text.
        cell.data_type = "s"
    if alignment is not None:
        cell.alignment = alignment
    return cell


def development_rows(queryset: QuerySet) -> Iterator[list]:
    """One list of cell values per development of the queryset's projects, by project and No."""
    language = get_language() or "ja"
    kind_labels = dict(DevelopmentKind.choices)
    developments = (
        Development.objects.filter(project__in=queryset.order_by().values("pk"))
        .order_by("project__number", "sequence")
        .values_list(
            "project__number", "sequence", "date", "date_precision", "date_end", "kind", "text", "source"
        )
    )
    for number, sequence, day, precision, date_end, kind, text, source in developments.iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield [
            number,
            sequence,
            format_partial_date(day, precision, date_end, language=language),
            str(kind_labels.get(kind, kind)),
            text,
            source,
        ]


def write_list_xlsx(queryset: QuerySet, fileobj) -> None:
    """The list as an XLSX workbook: header row, frozen panes, column widths, wrapped text.

    A second sheet lists the projects' developments, so the file can be edited and imported back.
    """
    workbook = Workbook(write_only=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for title, columns, rows in (
        (_("Projects")[:31], LIST_COLUMNS, list_rows(queryset)),
        (developments_sheet_title(), DEVELOPMENT_COLUMNS, development_rows(queryset)),
    ):
        sheet = _styled_sheet(workbook, title, columns)
        for row in rows:
            sheet.append(
                [_text_cell(sheet, v, wrap if c.wrap else top) for c, v in zip(columns, row, strict=True)]
            )
    workbook.save(fileobj)


def spooled_xlsx(writer, queryset: QuerySet):
    """Run an XLSX writer into a temporary file and return it, rewound, for a FileResponse."""
    spool = tempfile.TemporaryFile()
    writer(queryset, spool)
    spool.seek(0)
    return spool


def export_filename(what: str, extension: str, today: date | None = None) -> str:
    """E.g. projects_2026-11-22.xlsx: what the file holds and the day (Asia/Tokyo) it was made."""
    today = today or timezone.localdate()
    return f"{what}_{today.isoformat()}.{extension}"


# The status table in the plan's own layout.


@dataclass
class TableRow:
    number: int
    name: str
    summary: str
    developments: list[str]
    note: str


@dataclass
class TableGroup:
    heading: str
    rows: list[TableRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def has_developments(self):
        return any(row.developments for row in self.rows)


NEW_MARK = "【新規案件】"


def status_table(queryset: QuerySet) -> list[TableGroup]:
    """The projects grouped under the plan's listing-group headings, in the plan's order.

    One development per line, in recorded order (newest last, as in the plan); a project with
    several developments gets the plan's bullet "・" before each. New projects carry 【新規案件】.
    """
    projects = (
        queryset.select_related("listing_group")
        .prefetch_related(Prefetch("developments", queryset=Development.objects.order_by("sequence")))
        .order_by("listing_group__number", "number")
    )
    groups: dict[int, TableGroup] = {}
    for project in projects:
        group = project.listing_group
        table_group = groups.get(group.number)
        if table_group is None:
            table_group = groups[group.number] = TableGroup(heading=f"{group.mark}{group.name_ja}")
        texts = [d.text for d in project.developments.all()]
        if len(texts) > 1:
            texts = ["・" + text for text in texts]
        table_group.rows.append(
            TableRow(
                number=project.number,
                name=project.name + (NEW_MARK if project.is_new else ""),
                summary=project.summary,
                developments=texts,
                note=project.note,
            )
        )
        if project.note and project.note not in table_group.notes:
            table_group.notes.append(project.note)
    return list(groups.values())


STATUS_TABLE_HEADERS = ["番号", "名称", "概要", "直近における動き"]
STATUS_TABLE_WIDTHS = [6, 24, 48, 60]


def write_status_table_xlsx(queryset: QuerySet, fileobj) -> None:
    """The status table as XLSX: a heading row per listing group, then its projects."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="主要プロジェクト")
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    for index, width in enumerate(STATUS_TABLE_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    header = []
    for label in STATUS_TABLE_HEADERS:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        header.append(cell)
    sheet.append(header)
    for group in status_table(queryset):
        heading = WriteOnlyCell(sheet, value=group.heading)
        heading.font = bold
        sheet.append([heading])
        for row in group.rows:
            sheet.append(
                [
                    _text_cell(sheet, row.number, wrap),
                    _text_cell(sheet, row.name, wrap),
                    _text_cell(sheet, row.summary, wrap),
                    _text_cell(sheet, "\n".join(row.developments), wrap),
                ]
            )
        for note in group.notes:
            sheet.append([None, _text_cell(sheet, "※" + note.removeprefix("※"), wrap)])
    workbook.save(fileobj)


# HTTP responses, shared by the API and the admin.


def list_file_response(queryset: QuerySet, export_format: str):
    """The list as a download: CSV streamed row by row, or XLSX spooled to a temporary file."""
    if export_format == "csv":
        response = StreamingHttpResponse(csv_stream(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{export_filename("projects", "csv")}"'
        return response
    return xlsx_file_response(write_list_xlsx, queryset, "projects")


def xlsx_file_response(writer, queryset: QuerySet, what: str):
    return FileResponse(
        spooled_xlsx(writer, queryset),
        as_attachment=True,
        filename=export_filename(what, "xlsx"),
        content_type=XLSX_MEDIA_TYPE,
    )


def status_table_context(queryset: QuerySet) -> dict:
    """The template context of projects/status_table.html."""
    groups = status_table(queryset)
    return {
        "groups": groups,
        "project_count": sum(len(group.rows) for group in groups),
        "generated": timezone.localtime(),
    }
