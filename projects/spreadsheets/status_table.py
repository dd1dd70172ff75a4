"""The plan's own status table (番号・名称・概要・直近における動き, grouped as in the plan): the
rows and groups, its XLSX, and the context of its HTML page (admin and API)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from plans.selection import as_listed
from projects.models import Development
from projects.spreadsheets.columns import escape_cell
from projects.spreadsheets.xlsx import encode_characters
from projects.text import NEW_MARK, circled_number


def _text_cell(sheet, value, alignment=None):
    """A cell of openpyxl's writer holding the value as the list export writes it: escaped, and
    the characters XML cannot hold encoded (openpyxl would refuse them)."""
    value = escape_cell(value)
    if isinstance(value, str):
        value = encode_characters(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(cell.value, str):
        # openpyxl would store a string that starts with "=" as a formula; force text.
        cell.data_type = "s"
    if alignment is not None:
        cell.alignment = alignment
    return cell


@dataclass
class TableRow:
    number: int
    name: str
    summary: str
    developments: list[str]


@dataclass
class TableGroup:
    heading: str
    rows: list[TableRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def has_developments(self):
        return any(row.developments for row in self.rows)


def status_table(queryset: QuerySet) -> list[TableGroup]:
    """The projects of an edition's list (plans.selection.listed) grouped under its headings,
    in its order.

    One development per line, in recorded order (newest last, as in the plan); a project with
    several developments gets the plan's bullet "・" before each. New projects carry 【新規案件】.
    """
    projects = (
        as_listed(queryset)
        .prefetch_related(Prefetch("developments", queryset=Development.objects.order_by("sequence")))
        .order_by("heading_number", "edition_number")
    )
    groups: dict[int | None, TableGroup] = {}
    for project in projects:
        number = project.heading_number
        table_group = groups.get(number)
        if table_group is None:
            heading = "" if number is None else f"{circled_number(number)}{project.heading_name_ja}"
            table_group = groups[number] = TableGroup(heading=heading)
        texts = [d.text for d in project.developments.all()]
        if len(texts) > 1:
            texts = ["・" + text for text in texts]
        table_group.rows.append(
            TableRow(
                number=project.edition_number,
                name=project.name + (NEW_MARK if project.edition_is_new else ""),
                summary=project.summary,
                developments=texts,
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
        heading = _text_cell(sheet, group.heading)
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


def status_table_context(queryset: QuerySet, filters: list[tuple[str, str]] = ()) -> dict:
    """The template context of projects/status_table.html.

    `filters` are the (label, values) pairs that chose the rows, as the reader named them
    (国=ベトナム); the printed table repeats them, with its title, on every page.
    """
    groups = status_table(queryset)
    return {
        "groups": groups,
        "project_count": sum(len(group.rows) for group in groups),
        "generated": timezone.localtime(),
        "filters": " / ".join(f"{label}={values}" for label, values in filters),
    }


def group_as_dict(group):
    return {
        "heading": group.heading,
        "rows": [
            {
                "number": row.number,
                "name": row.name,
                "summary": row.summary,
                "developments": row.developments,
            }
            for row in group.rows
        ],
        "notes": group.notes,
    }
