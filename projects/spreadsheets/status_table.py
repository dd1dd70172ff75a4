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
from projects.models import Development, Status
from projects.querysets import developments_as_of, status_as_of
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
    status: str = ""


@dataclass
class TableGroup:
    heading: str
    rows: list[TableRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def has_developments(self):
        return any(row.developments for row in self.rows)


def _lines(texts: list[str]) -> list[str]:
    # Several developments get the plan's bullet "・" before each.
    return ["・" + text for text in texts] if len(texts) > 1 else list(texts)


def status_table(queryset: QuerySet, as_of=None) -> list[TableGroup]:
    """The projects of an edition's list (plans.selection.listed) grouped under its headings,
    in its order. Which text each row shows:

    - a published edition, no `as_of`: the row AS PRINTED (Listing.printed: name, summary,
      developments, note), whatever was recorded later;
    - a draft: the project's name, summary and note now, with the developments the row shows
      (plans.services.shown_developments: the chosen ones, else the default choice);
    - `as_of` (a date), any edition: every development known on that date and the status then
      (projects.querysets: a development counts if its last date, date_end or date, is on or
      before it, an undated one if recorded on or before it; the status is the last status
      change effective on or before it, one without an effective date counting from the day
      it was recorded, the first one always). The name and summary are the printed ones of a
      published edition, the live ones of a draft.

    One development per line in recorded order (newest last, as in the plan), "・" before each
    when there are several; new projects carry 【新規案件】.
    """
    from plans.models import Listing
    from plans.services import previous_edition, shown_developments, shown_in

    developments = Development.objects.order_by("sequence")
    if as_of is not None:
        developments = developments.filter(developments_as_of(as_of))
    projects = as_listed(queryset)
    if as_of is not None:
        projects = projects.annotate(table_status=status_as_of(as_of))
    projects = list(
        projects.prefetch_related(Prefetch("developments", queryset=developments)).order_by(
            "heading_number", "edition_number"
        )
    )
    listings = {
        listing.pk: listing
        for listing in Listing.objects.filter(pk__in=[p.listing_id for p in projects if p.listing_id])
        .select_related("edition")
        .prefetch_related(Prefetch("developments", queryset=Development.objects.order_by("sequence")))
    }
    shown_before: dict[int, set[int]] = {}
    groups: dict[int | None, TableGroup] = {}
    for project in projects:
        number = project.heading_number
        table_group = groups.get(number)
        if table_group is None:
            heading = "" if number is None else f"{circled_number(number)}{project.heading_name_ja}"
            table_group = groups[number] = TableGroup(heading=heading)
        listing = listings.get(project.listing_id)
        printed = listing.printed if listing and listing.edition.is_published and listing.printed else None
        if as_of is not None:
            texts = [d.text for d in project.developments.all()]
        elif printed is not None:
            texts = list(printed.get("developments") or [])
        elif listing is not None and not listing.edition.is_published:
            if listing.edition_id not in shown_before:
                shown_before[listing.edition_id] = shown_in(previous_edition(listing.edition))
            listing.project = project
            texts = [
                d.text for d in shown_developments(listing, shown_before=shown_before[listing.edition_id])
            ]
        else:
            # No listing, or a published one without its printed row (an edition made by hand,
            # not through publish()): the project's developments.
            texts = [d.text for d in project.developments.all()]
        if as_of is not None:
            status = project.table_status
        else:
            status = (printed or {}).get("status") or project.status
        name = printed["name"] if printed else project.name
        note = printed.get("note", "") if printed else project.note
        table_group.rows.append(
            TableRow(
                number=project.edition_number,
                name=name + (NEW_MARK if project.edition_is_new else ""),
                summary=printed["summary"] if printed else project.summary,
                developments=_lines(texts),
                status=status,
            )
        )
        if note and note not in table_group.notes:
            table_group.notes.append(note)
    return list(groups.values())


STATUS_TABLE_HEADERS = ["番号", "名称", "概要", "直近における動き"]
STATUS_HEADER = "状況"
TITLE = "我が国企業による受注を目指す主要プロジェクトの概要及び進捗状況"
DRAFT_MARK = "（案）"


def table_title(edition=None, as_of=None) -> str:
    """The table's title: the plan's, with the edition's year, 「（案）」 for a draft and the
    date for an as-of table (「2024年3月31日時点」)."""
    title = TITLE
    if edition is not None:
        title = f"{title}（{edition.year}年版）"
        if not edition.is_published:
            title += DRAFT_MARK
    if as_of is not None:
        title += f"（{as_of.year}年{as_of.month}月{as_of.day}日時点）"
    return title


def status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


STATUS_TABLE_WIDTHS = [6, 24, 48, 60]


def write_status_table_xlsx(queryset: QuerySet, fileobj, as_of=None, edition=None) -> None:
    """The status table as XLSX: a heading row per listing group, then its projects; with
    `as_of`, a status column. A draft's sheet is named 「主要プロジェクト（案）」."""
    workbook = Workbook(write_only=True)
    draft = edition is not None and not edition.is_published
    sheet = workbook.create_sheet(title="主要プロジェクト" + (DRAFT_MARK if draft else ""))
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    for index, width in enumerate(STATUS_TABLE_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    headers = [*STATUS_TABLE_HEADERS, STATUS_HEADER] if as_of is not None else STATUS_TABLE_HEADERS
    header = []
    for label in headers:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        header.append(cell)
    sheet.append(header)
    for group in status_table(queryset, as_of):
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
                    *([_text_cell(sheet, status_label(row.status), wrap)] if as_of is not None else []),
                ]
            )
        for note in group.notes:
            sheet.append([None, _text_cell(sheet, "※" + note.removeprefix("※"), wrap)])
    workbook.save(fileobj)


def status_table_context(
    queryset: QuerySet, filters: list[tuple[str, str]] = (), edition=None, as_of=None
) -> dict:
    """The template context of projects/status_table.html.

    `filters` are the (label, values) pairs that chose the rows, as the reader named them
    (国=ベトナム); the printed table repeats them, with its title, on every page. The preface
    (plans.preface) comes with the whole list of an edition, not with a filtered one.
    """
    from plans.preface import preface

    groups = status_table(queryset, as_of)
    for group in groups:
        for row in group.rows:
            row.status_label = status_label(row.status)
    return {
        "title": table_title(edition, as_of),
        "edition": edition,
        "as_of": as_of,
        "preface": preface(edition) if edition is not None and not filters else None,
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
                "status": row.status,
            }
            for row in group.rows
        ],
        "notes": group.notes,
    }
