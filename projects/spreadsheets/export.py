"""Exports of a project queryset: the flat list as CSV and XLSX, and the plan's status table.

The list's cells are computed by the database (cells.py: one ORM expression
per column), so no model instance is built. The list exports stream, so memory stays flat
however many projects are exported:

- CSV on PostgreSQL is the database's own `COPY (<the queryset's SELECT>) TO STDOUT` streamed
  through; elsewhere (SQLite) the same SELECT is iterated into Python's csv module. The bytes are
  the same: UTF-8 with a byte-order mark, CRLF line ends, fields quoted only when needed.
- XLSX is written by xlsx.py into a temporary file.
"""

import csv
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from plans.selection import as_listed
from projects.models import Development
from projects.querysets import as_of_of
from projects.spreadsheets.cells import (
    development_expressions,
    list_expressions,
    values_of,
)
from projects.spreadsheets.columns import (
    DEVELOPMENT_COLUMNS,
    LIST_COLUMNS,
    Column,
    developments_sheet_title,
    projects_sheet_title,
)
from projects.spreadsheets.xlsx import (
    NUMBER,
    TEXT,
    TOP,
    WRAP,
    SheetColumn,
    StreamingWorkbook,
)

CHUNK_SIZE = 2000
# The CSV goes out in pieces of about this many bytes.
CSV_PIECE_BYTES = 64 * 1024
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def list_values(queryset: QuerySet) -> QuerySet:
    """The queryset (its filters and order) as tuples of the list's cells, formatted by the database.

    Cells are in LIST_COLUMNS' order, already escaped (`escape_cell`); an empty cell is None.
    """
    expressions = list_expressions(as_of=as_of_of(queryset))
    queryset = as_listed(queryset)
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
    queryset = as_listed(queryset)
    select = _own_select(
        values_of(queryset, list_expressions(latest_as_array=True, as_of=as_of_of(queryset))), connection
    )
    if select is None:
        return None
    sql, params = select
    quote = connection.ops.quote_name
    latest = f"(export.{quote('export_cell_latest_development')})"
    columns = [
        {"latest_development_date": f"{latest}[1]", "latest_development_text": f"{latest}[2]"}.get(
            column.key, f"export.{quote('export_cell_' + column.key)}"
        )
        for column in LIST_COLUMNS
    ]
    return f"SELECT {', '.join(columns)} FROM ({sql}) export", params


def _own_select(values: QuerySet, connection) -> tuple[str, tuple] | None:
    """The SELECT statement Django would run for a values_of() queryset, with its parameters,
    when its columns are exactly the rows' values in order; None when Django adds columns of
    its own (extra select, or a DISTINCT query's ORDER BY columns). Raises EmptyResultSet for a
    query that can match nothing (.none(), "in no values").

    Why: the exports run that statement themselves (streamed with psycopg, or wrapped in COPY)
    instead of through Django's iterator. Django has no public API for a query's SQL, so this
    is the one place that reads its SQL compiler (get_compiler, as_sql, has_extra_select,
    col_count); where it says no, the caller takes the plain path, values.iterator(), which is
    also the tests' oracle for the rows this statement gives (test_export.py).
    """
    compiler = values.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    fields = list(values._fields)
    if compiler.has_extra_select or compiler.col_count != len(fields):
        return None
    if list(values.query.annotation_select) != fields:
        return None
    return sql, tuple(params)


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
        try:
            select = _own_select(values, connection)
        except EmptyResultSet:
            return iter(())
        if select is not None:
            return _fetch(connection, *select)
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
            (projects_sheet_title(), LIST_COLUMNS, list_rows),
            (developments_sheet_title(), DEVELOPMENT_COLUMNS, development_rows),
        ):
            # Closed at once, even on an error: a stream left open would keep the connection busy.
            with closing(_closable(rows(queryset))) as cells:
                workbook.add_sheet(
                    title, _sheet_columns(columns), [c.label for c in columns], cells, freeze="B2"
                )


def _closable(rows: Iterator[tuple]):
    yield from rows


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
