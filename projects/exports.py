"""Exports of a project queryset: the flat list as CSV and XLSX, and the plan's status table.

The list's cells are computed by the database (projects/export_columns.py: one ORM expression
per column), so no model instance is built. The list exports stream, so memory stays flat
however many projects are exported:

- CSV on PostgreSQL is the database's own `COPY (<the queryset's SELECT>) TO STDOUT` streamed
  through; elsewhere (SQLite) the same SELECT is iterated into Python's csv module. The bytes are
  the same: UTF-8 with a byte-order mark, CRLF line ends, fields quoted only when needed.
- XLSX is written by projects/xlsx_stream.py into a temporary file.
"""

import csv
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from projects.export_columns import (
    development_expressions,
    escape_cell,
    list_expressions,
    values_of,
)
from projects.models import Development
from projects.xlsx_stream import NUMBER, TEXT, TOP, WRAP, SheetColumn, StreamingWorkbook, encode_characters

CHUNK_SIZE = 2000
# The CSV goes out in pieces of about this many bytes.
CSV_PIECE_BYTES = 64 * 1024
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    width: int
    wrap: bool = False
    number: bool = False  # a column of integers (the XLSX writer's fast path expects them)
    hidden: bool = False  # hidden in the XLSX (a technical column the import reads)

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
    "version": lambda: _("Version"),
}

LIST_COLUMNS = [
    Column("number", 8, number=True),
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
    # The project's version when the file was made: the import refuses to overwrite a project
    # saved since (projects/imports.py, check_stale), as the admin and the API do.
    Column("version", 8, number=True, hidden=True),
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
    Column("project_number", 10, number=True),
    Column("sequence", 6, number=True),
    Column("date", 22),
    Column("kind", 20),
    Column("text", 80, wrap=True),
    Column("source", 24),
]


def developments_sheet_title() -> str:
    return _("Developments")[:31]


def list_values(queryset: QuerySet) -> QuerySet:
    """The queryset (its filters and order) as tuples of the list's cells, formatted by the database.

    Cells are in LIST_COLUMNS' order, already escaped (`escape_cell`); an empty cell is None.
    """
    expressions = list_expressions()
    return values_of(queryset, {column.key: expressions[column.key] for column in LIST_COLUMNS})


def list_rows(queryset: QuerySet) -> Iterator[tuple]:
    """One tuple of cell values per project, in the queryset's order, header not included."""
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        try:
            select = _list_select(queryset, connection)
        except EmptyResultSet:  # e.g. .none(), or a filter "in no values"
            return iter(())
        if select is not None:
            return _fetch(connection, *select)
    return _iterate(list_values(queryset))


def development_values(queryset: QuerySet) -> QuerySet:
    """Every development of the queryset's projects, by project number and No., as tuples of cells."""
    expressions = development_expressions()
    developments = Development.objects.filter(project__in=queryset.order_by().values("pk")).order_by(
        "project__number", "sequence"
    )
    return values_of(developments, {column.key: expressions[column.key] for column in DEVELOPMENT_COLUMNS})


def development_rows(queryset: QuerySet) -> Iterator[tuple]:
    """One tuple of cell values per development of the queryset's projects, by project and No."""
    return _iterate(development_values(queryset))


def _list_select(queryset: QuerySet, connection) -> tuple[str, tuple] | None:
    """PostgreSQL: the list's SELECT (LIST_COLUMNS' cells) with the latest development's two cells
    read by one subquery, as an array, instead of two. None for a query that cannot be wrapped
    so (a DISTINCT one, which selects its ORDER BY columns too): list_values() then does.

    The queryset's own query is a subquery here: PostgreSQL does not flatten a subquery that has
    an ORDER BY, so the rows come out in the queryset's order.
    """
    expressions = list_expressions(latest_as_array=True)
    values = values_of(queryset, expressions)
    compiler = values.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    if compiler.has_extra_select or compiler.col_count != len(expressions):
        return None
    quote = connection.ops.quote_name
    latest = f"(export.{quote('export_cell_latest_development')})"
    columns = [
        {"latest_development_date": f"{latest}[1]", "latest_development_text": f"{latest}[2]"}.get(
            column.key, f"export.{quote('export_cell_' + column.key)}"
        )
        for column in LIST_COLUMNS
    ]
    return f"SELECT {', '.join(columns)} FROM ({sql}) export", tuple(params)


@contextmanager
def _jit_off(connection):
    """PostgreSQL: the statements run inside, in a transaction with JIT compilation off (it takes
    longer, about a second, to compile the exports' many expressions than it saves). SET LOCAL
    ends with the transaction, so nothing of it stays on the connection."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _iterate(values: QuerySet) -> Iterator[tuple]:
    """The rows of a values_of() queryset. On PostgreSQL they are streamed (_fetch)."""
    connection = connections[values.db]
    if connection.vendor == "postgresql":
        compiler = values.query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return iter(())
        # The SELECT's columns are the rows' (values_of() selects annotations alone, in order).
        if not compiler.has_extra_select and list(values.query.annotation_select) == list(values._fields):
            return _fetch(connection, sql, tuple(params))
    return _iterate_queryset(values)


def _iterate_queryset(values: QuerySet) -> Iterator[tuple]:
    with _jit_off(connections[values.db]):
        yield from values.iterator(chunk_size=CHUNK_SIZE)


def _fetch(connection, sql: str, params: tuple) -> Iterator[tuple]:
    """PostgreSQL: the rows of a SELECT, streamed in chunks of CHUNK_SIZE rows (psycopg's
    stream()): the database goes on with the next rows while these are written, and only a
    chunk is held in memory."""
    with _jit_off(connection), connection.cursor() as cursor, connection.wrap_database_errors:
        started = time.monotonic()
        yield from cursor.stream(sql, params, size=CHUNK_SIZE)
        if connection.queries_logged:  # as Django's debug cursor logs execute()
            connection.queries_log.append(
                {"sql": connection.ops.compose_sql(sql, params), "time": f"{time.monotonic() - started:.3f}"}
            )


class _Echo:
    def write(self, value):
        return value


def _csv_line(values) -> bytes:
    return csv.writer(_Echo(), lineterminator="\r\n").writerow(values).encode()


def csv_stream(queryset: QuerySet) -> Iterator[bytes]:
    """The list as UTF-8 CSV with a byte-order mark (so Excel in Japanese reads it right).

    The header and the query are made now, in the active language and time zone; the rows are
    read while the result is iterated (in a StreamingHttpResponse: while the response is sent).
    """
    head = "\ufeff".encode() + _csv_line([c.label for c in LIST_COLUMNS])
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        try:
            select = _list_select(queryset, connection)
        except EmptyResultSet:
            return iter([head])
        if select is not None:
            return _copy_csv(connection, head, *select)
    return _python_csv(head, list_values(queryset))


def _python_csv(head: bytes, values: QuerySet) -> Iterator[bytes]:
    yield head
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    pieces, size = [], 0
    for row in _iterate(values):
        line = writer.writerow(row)
        pieces.append(line)
        size += len(line)
        if size >= CSV_PIECE_BYTES:
            yield "".join(pieces).encode()
            pieces, size = [], 0
    if pieces:
        yield "".join(pieces).encode()


def _copy_csv(connection, head: bytes, sql: str, params: tuple) -> Iterator[bytes]:
    """COPY (sql) TO STDOUT as CSV, with CRLF line ends, in pieces of about CSV_PIECE_BYTES.

    COPY ends each row with LF and has no option for CRLF. It sends one message per row (the
    protocol guarantees it), so the LF that ends a message is the row's end, and only that one is
    replaced: a line break inside a quoted field stays as it is, as csv.writer leaves it.
    """
    # COPY takes no bind parameters: they are merged into the statement here, as psycopg's
    # client-side cursor (Django's default) does for any query. Django's debug cursor, which
    # logs the statement, takes the statement alone.
    copy_sql = connection.ops.compose_sql(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params)
    yield head
    with _jit_off(connection), connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.copy(copy_sql) as copy:
            piece = bytearray()
            for row in copy:
                piece += row[:-1]
                piece += b"\r\n"
                if len(piece) >= CSV_PIECE_BYTES:
                    yield bytes(piece)
                    piece.clear()
            if piece:
                yield bytes(piece)


def _sheet_columns(columns: list[Column]) -> list[SheetColumn]:
    return [
        SheetColumn(
            width=c.width, style=WRAP if c.wrap else TOP, kind=NUMBER if c.number else TEXT, hidden=c.hidden
        )
        for c in columns
    ]


def write_list_xlsx(queryset: QuerySet, fileobj) -> None:
    """The list as an XLSX workbook: header row, frozen panes, column widths, wrapped text.

    A second sheet lists the projects' developments, so the file can be edited and imported back.
    Every text cell is text (never a formula) and escaped as in the CSV.
    """
    with StreamingWorkbook(fileobj) as workbook:
        for title, columns, rows in (
            (_("Projects")[:31], LIST_COLUMNS, list_rows),
            (developments_sheet_title(), DEVELOPMENT_COLUMNS, development_rows),
        ):
            # Closed at once, even on an error: a stream left open would keep the connection busy.
            with closing(_closable(rows(queryset))) as cells:
                workbook.add_sheet(
                    title, _sheet_columns(columns), [c.label for c in columns], cells, freeze="B2"
                )


def _closable(rows: Iterator[tuple]):
    yield from rows


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
