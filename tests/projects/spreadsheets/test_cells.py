"""The list exports' cells, computed by the database (projects/spreadsheets/cells.py), are exactly
what the Python formatting gives: partial dates as format_partial_date writes them, labels in
the active language, names in order, escaping as escape_cell does it, local times.

Every test runs on the active database (CI runs SQLite and PostgreSQL): the same cells on both.
"""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.db.models import F
from django.utils import timezone, translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from plans.selection import as_listed
from projects import dates
from projects.dates import format_partial_date
from projects.models import DatePrecision, Development, DevelopmentKind, Project, Status
from projects.spreadsheets.cells import partial_date
from projects.spreadsheets.columns import DEVELOPMENT_COLUMNS, LIST_COLUMNS, escape_cell
from projects.spreadsheets.export import csv_stream, development_rows, list_rows
from tests.factories import (
    CountryFactory,
    DevelopmentFactory,
    ProjectFactory,
    RegionFactory,
    SchemeFactory,
    SectorFactory,
)
from tracker.locale import is_english

pytestmark = pytest.mark.django_db

LANGUAGES = ["ja", "en"]

# (date, precision, date_end): every precision, and ranges within a year and across years.
PARTIAL_DATES = [
    (None, DatePrecision.NONE, None),
    (date(2023, 1, 5), DatePrecision.DAY, None),
    (date(2023, 12, 31), DatePrecision.DAY, None),
    (date(2023, 1, 1), DatePrecision.MONTH, None),
    (date(2023, 11, 1), DatePrecision.MONTH, None),
    (date(2022, 1, 1), DatePrecision.YEAR, None),
    (date(2021, 4, 1), DatePrecision.FISCAL_YEAR, None),
    # month ranges: same year, across years, wrapping into the next year
    (date(2023, 4, 1), DatePrecision.MONTH, date(2023, 7, 1)),
    (date(2022, 11, 1), DatePrecision.MONTH, date(2023, 1, 1)),
    (date(2022, 12, 1), DatePrecision.MONTH, date(2023, 1, 1)),
    # day ranges: same month, same year, across years
    (date(2023, 4, 1), DatePrecision.DAY, date(2023, 4, 15)),
    (date(2023, 4, 1), DatePrecision.DAY, date(2023, 7, 5)),
    (date(2023, 12, 30), DatePrecision.DAY, date(2024, 1, 2)),
    # year and fiscal-year ranges
    (date(2021, 1, 1), DatePrecision.YEAR, date(2023, 1, 1)),
    (date(2021, 4, 1), DatePrecision.FISCAL_YEAR, date(2023, 4, 1)),
    # years before 1000 and far ahead
    (date(999, 3, 1), DatePrecision.MONTH, None),
    (date(2100, 10, 9), DatePrecision.DAY, date(2101, 2, 3)),
]


def _formatted(development, language):
    return format_partial_date(
        development.date, development.date_precision, development.date_end, language=language
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_partial_dates_are_formatted_by_the_database_as_format_partial_date(language):
    project = ProjectFactory()
    developments = [
        DevelopmentFactory(project=project, sequence=i, date=day, date_precision=precision, date_end=end)
        for i, (day, precision, end) in enumerate(PARTIAL_DATES, start=1)
    ]
    with translation.override(language):
        cells = {
            sequence: cell for _number, sequence, cell, *_rest in development_rows(Project.objects.all())
        }
    for development in developments:
        expected = _formatted(development, language)
        assert cells[development.sequence] == (expected or None), (development.date, development.date_end)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("day", "precision", "end"), PARTIAL_DATES)
def test_the_latest_development_date_of_the_list_is_formatted_the_same(language, day, precision, end):
    project = ProjectFactory()
    development = DevelopmentFactory(project=project, date=day, date_precision=precision, date_end=end)
    with translation.override(language):
        [row] = list(list_rows(Project.objects.all()))
    column = [c.key for c in LIST_COLUMNS].index("latest_development_date")
    assert row[column] == (_formatted(development, language) or None)


PRECISIONS = [DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR, DatePrecision.FISCAL_YEAR]


@st.composite
def partial_dates(draw):
    precision = draw(st.sampled_from(PRECISIONS))
    start = draw(st.dates(min_value=date(1, 1, 1), max_value=date(9998, 1, 1)))
    if precision == DatePrecision.MONTH:
        start = start.replace(day=1)
    elif precision == DatePrecision.YEAR:
        start = start.replace(month=1, day=1)
    elif precision == DatePrecision.FISCAL_YEAR:
        start = start.replace(month=4, day=1)
    end = draw(
        st.none() | st.dates(min_value=start, max_value=date(9999, 12, 31)).filter(lambda d: d > start)
    )
    return start, precision, end


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=partial_dates(), language=st.sampled_from(LANGUAGES))
@example(value=(date(2023, 1, 1), DatePrecision.MONTH, date(2023, 12, 1)), language="en")
@example(value=(date(2023, 1, 1), DatePrecision.DAY, date(2023, 1, 2)), language="ja")
def test_partial_date_expression_is_format_partial_date_for_any_date(value, language):
    start, precision, end = value
    development = Development.objects.first() or DevelopmentFactory()
    Development.objects.filter(pk=development.pk).update(date=start, date_precision=precision, date_end=end)
    with translation.override(language):
        cell = (
            Development.objects.filter(pk=development.pk)
            .annotate(cell=partial_date())
            .values_list("cell", flat=True)
            .get()
        )
    assert cell == (format_partial_date(start, precision, end, language=language) or None)


def test_partial_date_follows_the_active_language_at_export_time():
    DevelopmentFactory(date=date(2022, 11, 1), date_precision=DatePrecision.MONTH, date_end=date(2023, 1, 1))
    with translation.override("ja"):
        ja = next(development_rows(Project.objects.all()))[2]
    with translation.override("en-gb"):
        en = next(development_rows(Project.objects.all()))[2]
    assert (ja, en) == ("2022年11月～2023年1月", "Nov 2022 – Jan 2023")
    assert dates.format_partial_date(date(2022, 11, 1), "month", date(2023, 1, 1), "en") == en


# Escaping: every trigger character, in every kind of text cell.


def _csv_cells(queryset):
    content = b"".join(csv_stream(queryset)).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content, newline="")))


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_every_text_cell_is_escaped_as_escape_cell_does(trigger):
    text = f'{trigger}SUM(A1),"x"\nnext'
    region = RegionFactory(name_ja=f"{trigger}地域", name_en=f"{trigger}Region")
    country = CountryFactory(region=region, name_ja=f"{trigger}国", name_en=f"{trigger}Country")
    sector = SectorFactory(name_ja=f"{trigger}分野", name_en=f"{trigger}Sector", order=0)
    scheme = SchemeFactory(name_ja=f"{trigger}スキーム", name_en=f"{trigger}Scheme")
    project = ProjectFactory(name=text, name_en=text, country=country, sectors=[sector], schemes=[scheme])
    DevelopmentFactory(project=project, text=text, source=f"{trigger}source")
    with translation.override("en"):
        [_header, row] = _csv_cells(Project.objects.all())
        [xlsx_dev] = list(development_rows(Project.objects.all()))
    expected = {
        "name": escape_cell(text),
        "name_en": escape_cell(text),
        "country": escape_cell(f"{trigger}Country"),
        "region": escape_cell(f"{trigger}Region"),
        "sectors": escape_cell(f"{trigger}Sector"),
        "schemes": escape_cell(f"{trigger}Scheme"),
        "latest_development_text": escape_cell(text),
    }
    keys = [c.key for c in LIST_COLUMNS]
    for key, value in expected.items():
        assert value == "'" + value[1:] and value[1] == trigger
        assert row[keys.index(key)] == value, key
    dev_keys = [c.key for c in DEVELOPMENT_COLUMNS]
    assert xlsx_dev[dev_keys.index("text")] == escape_cell(text)
    assert xlsx_dev[dev_keys.index("source")] == escape_cell(f"{trigger}source")


def test_text_that_only_contains_a_trigger_later_is_not_escaped():
    ProjectFactory(name="A=B", name_en="x-y")
    [_header, row] = _csv_cells(Project.objects.all())
    assert row[1:3] == ["A=B", "x-y"]


# The whole row against the Python formatting the export used to do (and that imports expect).


def _reference_rows(queryset):
    """The list as the export formatted it in Python before the database did."""
    english = is_english()
    status_labels = dict(Status.choices)
    projects = (
        as_listed(queryset)
        .select_related("country__region")
        .prefetch_related("sectors", "schemes")
        .with_won()
        .with_latest_development()
    )
    for project in projects:
        yes = translation.gettext("Yes")
        row = [
            project.number,
            project.name,
            project.name_en,
            project.country.name_en if english else project.country.name_ja,
            project.country.region.name_en if english else project.country.region.name_ja,
            "、".join(s.name_en if english else s.name_ja for s in project.sectors.all()),
            "、".join(s.name_en if english else s.name_ja for s in project.schemes.all()),
            str(status_labels[project.status]),
            yes if project.edition_is_new else "",
            yes if project.won else "",
            format_partial_date(
                project.latest_development_date,
                project.latest_development_date_precision or "none",
                project.latest_development_date_end,
                language="en" if english else "ja",
            ),
            project.latest_development_text or "",
            timezone.localtime(project.updated).strftime("%Y-%m-%d %H:%M"),
            project.version,
        ]
        yield [escape_cell(value) for value in row]


def _reference_csv(queryset) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.label for c in LIST_COLUMNS])
    writer.writerows(_reference_rows(queryset))
    return "\ufeff".encode() + out.getvalue().encode()


@pytest.fixture
def varied_projects():
    """Projects with every kind of cell: several sectors whose (order, code) order is not their
    id order, schemes or none, new and won or not, text that CSV must quote."""
    late = SectorFactory(code="z-late", name_ja="後の分野", name_en="Late sector", order=9)
    early_b = SectorFactory(code="b-early", name_ja="前の分野B", name_en="Early sector B", order=1)
    early_a = SectorFactory(code="a-early", name_ja="前の分野A", name_en="Early sector A", order=1)
    loan = SchemeFactory(code="loan", name_ja="円借款", name_en="ODA loan", order=2)
    grant = SchemeFactory(code="grant", name_ja="無償", name_en="Grant", order=1)
    projects = [
        ProjectFactory(number=3, sectors=[late, early_b, early_a], schemes=[loan, grant], is_new=True),
        ProjectFactory(number=1, name='引用"符",カンマ', name_en="Line\nbreak and\r\nCRLF", sectors=[late]),
        ProjectFactory(number=2, name_en="", status=Status.IMPLEMENTATION, sectors=[early_b]),
        ProjectFactory(number=4, status=Status.CANCELLED, schemes=[grant]),
    ]
    DevelopmentFactory(project=projects[0], sequence=1, date=date(2022, 11, 1), date_precision="month")
    DevelopmentFactory(
        project=projects[0],
        sequence=2,
        kind=DevelopmentKind.AWARD,
        text="受注\n（二行目）",
        date=date(2023, 4, 1),
        date_precision=DatePrecision.MONTH,
        date_end=date(2023, 7, 1),
    )
    DevelopmentFactory(project=projects[1], sequence=1, text="日付なし")
    DevelopmentFactory(
        project=projects[2], sequence=1, date=date(2021, 4, 1), date_precision=DatePrecision.FISCAL_YEAR
    )
    Project.objects.filter(number=4).update(updated=datetime(2024, 1, 1, 15, 30, 59, tzinfo=UTC))
    return projects


@pytest.mark.parametrize("language", LANGUAGES)
def test_csv_is_byte_for_byte_the_python_formatting(varied_projects, language):
    queryset = Project.objects.order_by("number")
    with translation.override(language):
        assert b"".join(csv_stream(queryset)) == _reference_csv(queryset)


def test_csv_cells_of_every_kind(varied_projects):
    with translation.override("ja"):
        rows = {row[0]: row for row in _csv_cells(Project.objects.all())[1:]}
    keys = [c.key for c in LIST_COLUMNS]
    cell = dict(zip(keys, rows["3"], strict=True))
    assert cell["sectors"] == "前の分野A、前の分野B、後の分野"
    assert cell["schemes"] == "無償、円借款"
    assert (cell["is_new"], cell["won"]) == ("はい", "はい")
    assert cell["latest_development_date"] == "2023年4月～7月"
    assert cell["latest_development_text"] == "受注\n（二行目）"
    assert cell["status"] == "構想・検討中"
    assert dict(zip(keys, rows["1"], strict=True))["name_en"] == "Line\nbreak and\r\nCRLF"
    assert dict(zip(keys, rows["2"], strict=True))["latest_development_date"] == "2021年度"
    assert dict(zip(keys, rows["4"], strict=True))["updated"] == "2024-01-02 00:30"  # Asia/Tokyo
    with translation.override("en"):
        rows = {row[0]: row for row in _csv_cells(Project.objects.all())[1:]}
    cell = dict(zip(keys, rows["3"], strict=True))
    assert cell["sectors"] == "Early sector A、Early sector B、Late sector"
    assert (cell["status"], cell["is_new"], cell["latest_development_date"]) == (
        "Identification",
        "Yes",
        "Apr–Jul 2023",
    )


def test_updated_is_in_the_current_time_zone():
    ProjectFactory()
    Project.objects.update(updated=datetime(2024, 1, 1, 15, 30, tzinfo=UTC))
    column = [c.key for c in LIST_COLUMNS].index("updated")
    assert next(list_rows(Project.objects.all()))[column] == "2024-01-02 00:30"
    with timezone.override("UTC"):
        assert next(list_rows(Project.objects.all()))[column] == "2024-01-01 15:30"
    with timezone.override(dt_timezone(timedelta(hours=-5, minutes=-30))):  # a fixed offset
        assert next(list_rows(Project.objects.all()))[column] == "2024-01-01 10:00"


def test_development_rows_are_every_development_by_project_number_and_sequence(varied_projects):
    with translation.override("ja"):
        rows = list(development_rows(Project.objects.filter(number__in=[3, 2])))
    assert [(row[0], row[1]) for row in rows] == [(2, 1), (3, 1), (3, 2)]
    with translation.override("ja"):
        award = str(dict(DevelopmentKind.choices)[DevelopmentKind.AWARD])
    assert tuple(rows[2]) == (3, 2, "2023年4月～7月", award, "受注\n（二行目）", "test")
    assert rows[0][2] == "2021年度"


def test_an_annotated_and_prefetched_queryset_exports_the_same(varied_projects):
    """The admin's changelist queryset carries annotations (won, latest_development_*) and
    prefetches: the export selects its own cells and keeps the queryset's order."""
    plain = Project.objects.order_by("-number")
    admin = (
        Project.objects.with_won()
        .with_latest_development()
        .prefetch_related("sectors", "schemes")
        .order_by(F("latest_development_date").desc(nulls_last=True), "number")
    )
    assert b"".join(csv_stream(plain)) == _reference_csv(plain)
    assert b"".join(csv_stream(admin)) == _reference_csv(admin)
    assert [row[0] for row in _csv_cells(admin)[1:]] == [
        str(n) for n in admin.values_list("number", flat=True)
    ]
