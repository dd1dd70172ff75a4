"""How the list exports run: COPY on PostgreSQL, a fixed number of queries, the queryset's own
filters and order, streaming that can be stopped, and the XLSX writer's output."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from plans.models import Listing
from projects.models import DatePrecision, DevelopmentKind, Project
from projects.querysets import latest_development_last_date
from projects.spreadsheets import export as exports
from projects.spreadsheets.columns import DEVELOPMENT_COLUMNS, LIST_COLUMNS, escape_cell
from projects.spreadsheets.export import csv_stream, export_filename, list_rows, write_list_xlsx
from projects.spreadsheets.xlsx import (
    encode_characters,
)
from tests.factories import DevelopmentFactory, ProjectFactory, SectorFactory
from tests.workbooks import HOSTILE, csv_rows, xlsx_sheet

pytestmark = pytest.mark.django_db


def _numbers(content: bytes) -> list[int]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    return [int(row[0]) for row in rows[1:]]


def _projects(count, **kwargs):
    rail, port = SectorFactory(code="rail", order=1), SectorFactory(code="port", order=2)
    projects = []
    for i in range(count):
        project = ProjectFactory(
            number=i + 1,
            name=f"事業{(i * 7) % count:03d}",
            sectors=[rail, port] if i % 2 else [port],
            **kwargs,
        )
        DevelopmentFactory(
            project=project,
            sequence=1,
            kind=DevelopmentKind.AWARD if i % 3 == 0 else DevelopmentKind.OTHER,
            date=date(2020 + i % 5, 1 + i % 12, 1),
            date_precision=DatePrecision.MONTH,
        )
        projects.append(project)
    return projects


@pytest.mark.postgresql
def test_csv_on_postgresql_is_copy_of_the_querysets_query():
    _projects(3)
    with CaptureQueriesContext(connection) as queries:
        content = b"".join(csv_stream(Project.objects.filter(number__gte=2).order_by("-number")))
    assert _numbers(content) == [3, 2]
    copies = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("COPY (")]
    assert len(copies) == 1
    assert copies[0].endswith("TO STDOUT WITH (FORMAT csv)")


@pytest.mark.postgresql
def test_copy_csv_is_byte_for_byte_the_python_csv(monkeypatch):
    """COPY's CSV, with its LF row ends made CRLF, is what csv.writer writes from the same
    query's rows: quoting, empty cells, and line breaks inside a quoted cell (left as they are)."""
    monkeypatch.setattr(exports, "CSV_PIECE_BYTES", 64)  # many pieces: rows split across them
    for i, name in enumerate(['"quoted", comma', "line\nbreak", "cr\r\nlf", "trailing\n", "", "\\.", "\r"]):
        project = ProjectFactory(number=i + 1, name=name or "x", name_en=name)
        DevelopmentFactory(project=project, text=name or "t", source=name)
    queryset = Project.objects.order_by("number")
    for language in ("ja", "en"):
        with translation.override(language):
            copied = b"".join(csv_stream(queryset))
            head = "\ufeff".encode() + exports._csv_line([c.label for c in LIST_COLUMNS])
            python = b"".join(exports._python_csv(head, exports.list_values(queryset)))
        assert copied == python
    assert _numbers(copied) == [1, 2, 3, 4, 5, 6, 7]


def _query_count(export, count):
    Listing.objects.all().delete()  # a listed project is protected
    Project.objects.all().delete()
    _projects(count)
    with CaptureQueriesContext(connection) as queries:
        export(Project.objects.all())
    return len(queries.captured_queries)


def test_csv_export_runs_a_fixed_number_of_queries():
    def export(queryset):
        return b"".join(csv_stream(queryset))

    assert _query_count(export, 1) == _query_count(export, 12)


def test_xlsx_export_runs_a_fixed_number_of_queries():
    def export(queryset):
        write_list_xlsx(queryset, io.BytesIO())

    assert _query_count(export, 1) == _query_count(export, 12)


ORDERINGS = [
    ["number"],
    ["-number"],
    ["name", "number"],
    ["-updated", "-number"],
    [F("latest_development_date").desc(nulls_last=True), "number"],
]


@pytest.mark.parametrize("ordering", ORDERINGS, ids=str)
def test_csv_and_xlsx_keep_the_querysets_filters_and_order(ordering):
    _projects(12)
    queryset = (
        Project.objects.alias(latest_development_date=latest_development_last_date())
        .filter(sectors__code="rail")
        .exclude(number=6)
        .order_by(*ordering)
    )
    expected = list(queryset.values_list("number", flat=True))
    assert len(expected) == 5
    assert _numbers(b"".join(csv_stream(queryset))) == expected
    assert [row[0] for row in list_rows(queryset)] == expected
    buffer = io.BytesIO()
    write_list_xlsx(queryset, buffer)
    sheet = load_workbook(buffer).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == expected


def test_a_distinct_queryset_and_an_empty_one():
    _projects(6)
    distinct = Project.objects.filter(sectors__code__in=["rail", "port"]).distinct().order_by("-name")
    expected = list(distinct.values_list("number", flat=True))
    assert len(expected) == 6
    assert _numbers(b"".join(csv_stream(distinct))) == expected
    assert [row[0] for row in list_rows(distinct)] == expected
    for empty in (Project.objects.none(), Project.objects.filter(pk__in=[])):
        assert _numbers(b"".join(csv_stream(empty))) == []
        assert list(list_rows(empty)) == []
        buffer = io.BytesIO()
        write_list_xlsx(empty, buffer)
        assert load_workbook(buffer).worksheets[0].max_row == 1


def _oracle_querysets():
    base = Project.objects.alias(latest_development_date=latest_development_last_date())
    return {
        "ordered": [base.order_by(*ordering) for ordering in ORDERINGS],
        "filtered": [base.filter(sectors__code="rail").exclude(number=6).order_by("-number")],
        "annotated": [Project.objects.with_won().filter(won=True).order_by("name", "number")],
        "distinct": [Project.objects.filter(sectors__code__in=["rail", "port"]).distinct().order_by("-name")],
        "empty": [Project.objects.none(), Project.objects.filter(pk__in=[])],
    }


@pytest.mark.postgresql
def test_the_exports_own_select_gives_the_rows_of_the_plain_path():
    """_own_select() reads Django's SQL compiler so that the exports run the statement
    themselves; the oracle is the plain path, Django's own iterator over the same values."""
    _projects(12)
    DevelopmentFactory(project=Project.objects.get(number=3), sequence=2, text="二件目")
    for kind, querysets in _oracle_querysets().items():
        for queryset in querysets:
            plain_list = list(exports.list_values(queryset).iterator())
            plain_developments = list(exports.development_values(queryset).iterator())
            assert list(list_rows(queryset)) == plain_list, kind
            assert list(exports.development_rows(queryset)) == plain_developments, kind
            if kind in ("ordered", "filtered", "annotated"):  # the own statement was used
                assert exports._list_select(queryset, connection) is not None
                assert exports._own_select(exports.development_values(queryset), connection) is not None
    assert exports._list_select(_oracle_querysets()["distinct"][0], connection) is None


@pytest.mark.django_db(transaction=True)
def test_csv_stream_stopped_early_leaves_the_connection_as_it_was(monkeypatch):
    """A client that goes away mid-download: the response closes the generator. The query is
    ended, its transaction too (and with it the JIT setting); the connection serves the next
    query. (transaction=True: in autocommit, as a request runs.)"""
    monkeypatch.setattr(exports, "CSV_PIECE_BYTES", 64)
    _projects(30)

    def jit():
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            return cursor.fetchone()[0]

    before = jit()
    for export in (csv_stream, list_rows, exports.development_rows):
        stream = export(Project.objects.all())
        next(stream), next(stream), next(stream)
        stream.close()
        assert not connection.in_atomic_block and connection.get_autocommit()
        assert Project.objects.count() == 30
        assert jit() == before  # the export turned it off in its own transaction only


def test_csv_is_made_in_the_language_active_when_it_is_asked_for():
    """The view returns the streaming response; its rows are read later, when the language may
    have changed: the header and the cells stay in the request's language."""
    _projects(1)
    with translation.override("en"):
        stream = csv_stream(Project.objects.all())
    with translation.override("ja"):
        content = b"".join(stream).decode("utf-8-sig")
    assert content.startswith("Number,Name,")
    assert ",Identification," in content


# The XLSX writer.


def test_xlsx_sheets_header_styles_widths_panes_and_numbers():
    _projects(3)
    buffer = io.BytesIO()
    with translation.override("en"):
        write_list_xlsx(Project.objects.all(), buffer)
    workbook = load_workbook(buffer)
    projects, developments = workbook.worksheets
    assert [projects.title, developments.title] == ["Projects", "Developments"]
    for sheet, columns in ((projects, LIST_COLUMNS), (developments, DEVELOPMENT_COLUMNS)):
        with translation.override("en"):
            assert [c.value for c in sheet[1]] == [c.label for c in columns]
        header = sheet.cell(row=1, column=1)
        assert header.font.b and header.fill.fgColor.rgb == "FFDDEBF7" and header.alignment.wrap_text
        assert sheet.freeze_panes == "B2"
        for index, column in enumerate(columns, start=1):
            letter = chr(64 + index)
            assert sheet.column_dimensions[letter].width == column.width
            # A cell with a value has its column's style; an empty cell is not written at
            # all (the column's own style shows there).
            cells = [sheet.cell(row=r, column=index) for r in range(2, sheet.max_row + 1)]
            for cell in (cell for cell in cells if cell.value is not None):
                assert cell.alignment.vertical == "top"
                assert bool(cell.alignment.wrap_text) == column.wrap, column.key
    assert [row[0].value for row in projects.iter_rows(min_row=2)] == [1, 2, 3]
    assert all(isinstance(row[1].value, int) for row in developments.iter_rows(min_row=2))


def test_xlsx_text_is_text_escaped_and_encoded():
    hostile = [
        "=1+1",
        "+SUM(A1)",
        "@x",
        "<b>&amp;</b>",
        "a]]>b",
        " lead and trail ",
        "ctl\x01\x1f\ufffe",
        "改行\n二行",
    ]
    for i, text in enumerate(hostile, start=1):
        DevelopmentFactory(project=ProjectFactory(number=i, name=text), sequence=1, text=text)
    buffer = io.BytesIO()
    write_list_xlsx(Project.objects.all(), buffer)
    workbook = load_workbook(buffer)
    names = [row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    texts = [row[4] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)]
    # Characters XML cannot hold are written as Excel writes them (_xHHHH_), not dropped.
    expected = [
        "'=1+1",
        "'+SUM(A1)",
        "'@x",
        "<b>&amp;</b>",
        "a]]>b",
        " lead and trail ",
        "ctl_x0001__x001F__xFFFE_",
        "改行\n二行",
    ]
    assert names == expected and texts == expected
    for sheet in workbook.worksheets:
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_filename_says_what_and_when():
    assert export_filename("projects", "xlsx", today=date(2026, 11, 22)) == "projects_2026-11-22.xlsx"


def test_csv_has_bom_header_and_one_row_per_project_in_queryset_order():
    first = ProjectFactory(number=2)
    second = ProjectFactory(number=1)
    DevelopmentFactory(
        project=first, text="2023年1月に入札公示", date=date(2023, 1, 1), date_precision="month"
    )
    with translation.override("en"):
        rows = csv_rows(Project.objects.order_by("-number"))
        assert rows[0] == [c.label for c in LIST_COLUMNS]
    assert rows[0][0] == "Number"
    assert [r[0] for r in rows[1:]] == ["2", "1"]
    assert rows[1][11] == "2023年1月に入札公示"
    assert rows[2][1] == second.name


def test_csv_headers_are_japanese_by_default():
    ProjectFactory()
    with translation.override("ja"):
        rows = csv_rows(Project.objects.all())
    assert rows[0][0] == "番号"


def test_csv_and_xlsx_escape_hostile_text_and_xlsx_has_no_formulas():
    for i, text in enumerate(HOSTILE):
        project = ProjectFactory(name=text, name_en=text)
        DevelopmentFactory(project=project, sequence=1 + i, text=text)
    rows = csv_rows(Project.objects.all())
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    sheet = xlsx_sheet(write_list_xlsx, Project.objects.all())
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
    names = {sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)}
    # A carriage return is written as Excel writes it, _x000D_ (XML would read it as a line feed).
    assert names == {encode_characters(escape_cell(text)) for text in HOSTILE}


def test_xlsx_list_has_header_frozen_panes_widths_and_wrapped_text():
    project = ProjectFactory()
    DevelopmentFactory(project=project, kind=DevelopmentKind.AWARD, text="我が国企業が受注")
    with translation.override("ja"):
        sheet = xlsx_sheet(write_list_xlsx, Project.objects.all())
        assert [c.value for c in sheet[1]] == [c.label for c in LIST_COLUMNS]
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["B"].width == 36
    assert sheet.cell(row=2, column=2).alignment.wrap_text is True
    assert sheet.cell(row=2, column=10).value  # won
