import csv
import io
from datetime import date

import pytest
from django.utils import translation
from openpyxl import load_workbook

from projects.models import DatePrecision, DevelopmentKind, Project
from projects.spreadsheets.columns import LIST_COLUMNS, escape_cell, unescape_cell
from projects.spreadsheets.export import csv_stream, export_filename, write_list_xlsx
from projects.spreadsheets.status_table import status_table, write_status_table_xlsx
from projects.spreadsheets.xlsx import encode_characters
from tests.factories import DevelopmentFactory, ProjectFactory

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def _csv_rows(queryset):
    content = b"".join(csv_stream(queryset))
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx_sheet(writer, queryset, sheet_index=0):
    buffer = io.BytesIO()
    writer(queryset, buffer)
    buffer.seek(0)
    workbook = load_workbook(buffer)
    return workbook.worksheets[sheet_index]


@pytest.mark.parametrize("value", HOSTILE)
def test_escape_cell_neutralizes_formula_triggers_and_unescape_restores_them(value):
    escaped = escape_cell(value)
    assert escaped.startswith("'")
    assert unescape_cell(escaped) == value


def test_escape_cell_leaves_plain_text_and_numbers_alone():
    assert escape_cell("ハノイ市都市鉄道") == "ハノイ市都市鉄道"
    assert escape_cell(12) == 12
    assert unescape_cell("'quoted but harmless") == "'quoted but harmless"


def test_export_filename_says_what_and_when():
    assert export_filename("projects", "xlsx", today=date(2026, 11, 22)) == "projects_2026-11-22.xlsx"


def test_csv_has_bom_header_and_one_row_per_project_in_queryset_order():
    first = ProjectFactory(number=2)
    second = ProjectFactory(number=1)
    DevelopmentFactory(
        project=first, text="2023年1月に入札公示", date=date(2023, 1, 1), date_precision="month"
    )
    with translation.override("en"):
        rows = _csv_rows(Project.objects.order_by("-number"))
        assert rows[0] == [c.label for c in LIST_COLUMNS]
    assert rows[0][0] == "Number"
    assert [r[0] for r in rows[1:]] == ["2", "1"]
    assert rows[1][11] == "2023年1月に入札公示"
    assert rows[2][1] == second.name


def test_csv_headers_are_japanese_by_default():
    ProjectFactory()
    with translation.override("ja"):
        rows = _csv_rows(Project.objects.all())
    assert rows[0][0] == "番号"


def test_csv_and_xlsx_escape_hostile_text_and_xlsx_has_no_formulas():
    for i, text in enumerate(HOSTILE):
        project = ProjectFactory(name=text, name_en=text)
        DevelopmentFactory(project=project, sequence=1 + i, text=text)
    rows = _csv_rows(Project.objects.all())
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    sheet = _xlsx_sheet(write_list_xlsx, Project.objects.all())
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
        sheet = _xlsx_sheet(write_list_xlsx, Project.objects.all())
        assert [c.value for c in sheet[1]] == [c.label for c in LIST_COLUMNS]
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["B"].width == 36
    assert sheet.cell(row=2, column=2).alignment.wrap_text is True
    assert sheet.cell(row=2, column=10).value  # won


def test_status_table_groups_in_plan_order_with_bullets_only_for_several_developments():
    from tests.factories import ListingGroupFactory

    late = ListingGroupFactory(number=2, name_ja="カンボジア")
    early = ListingGroupFactory(number=1, name_ja="ベトナム")
    p2 = ProjectFactory(number=13, listing_group=late, is_new=True)
    p1 = ProjectFactory(number=1, listing_group=early)
    DevelopmentFactory(project=p1, sequence=1, text="検討中")
    DevelopmentFactory(
        project=p2, sequence=2, text="後", date=date(2023, 4, 1), date_precision=DatePrecision.MONTH
    )
    DevelopmentFactory(project=p2, sequence=1, text="先")
    groups = status_table(Project.objects.all())
    assert [g.heading for g in groups] == ["①ベトナム", "②カンボジア"]
    assert groups[0].rows[0].developments == ["検討中"]
    assert groups[1].rows[0].developments == ["・先", "・後"]
    assert groups[1].rows[0].name.endswith("【新規案件】")


def test_status_table_reproduces_the_plan_from_the_fixture(plan_data):
    groups = status_table(Project.objects.all())
    assert len(groups) == 23
    assert groups[0].heading == "①ベトナム"
    assert groups[-1].heading == "㉓ミャンマー"
    rows = [row for group in groups for row in group.rows]
    assert [row.number for row in rows] == list(range(1, 94))
    for row in rows:
        project = Project.objects.get(number=row.number)
        assert row.name == project.name + ("【新規案件】" if project.is_new else "")
        assert row.summary == project.summary
        texts = list(project.developments.order_by("sequence").values_list("text", flat=True))
        assert [t.removeprefix("・") for t in row.developments] == texts
    myanmar = groups[-1]
    assert not myanmar.has_developments
    assert len(myanmar.notes) == 1 and "注視し検討" in myanmar.notes[0]


def test_status_table_xlsx_has_group_headings_and_all_projects(plan_data):
    sheet = _xlsx_sheet(write_status_table_xlsx, Project.objects.all())
    values = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert values[0] == "①ベトナム"
    assert [v for v in values if isinstance(v, int)] == list(range(1, 94))
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    five = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == 5)
    assert five[3].value.split("\n")[0].startswith("・2023年１月")


# Escaping is a true inverse pair, whatever the text starts with.


@pytest.mark.parametrize(
    "value",
    [
        "'=A1 (our code)",
        "'+81 3 1234 5678",
        "''-x",
        "'",
        "''",
        "'quoted",
        "＝SUM(A1)",
        "＋81",
        "－1",
        "＠user",
        "'＝x",
        "",
        "plain",
    ],
)
def test_unescape_cell_undoes_escape_cell_exactly(value):
    assert unescape_cell(escape_cell(value)) == value


@pytest.mark.parametrize(
    "value", ["＝SUM(A1)", "＋81 3", "－1", "＠user", "'=A1 (our code)", "'+81 3 1234 5678"]
)
def test_full_width_triggers_and_apostrophe_then_trigger_are_escaped(value):
    assert escape_cell(value) == "'" + value


def test_an_apostrophe_before_harmless_text_is_not_escaped():
    assert escape_cell("'quoted") == "'quoted"
    assert escape_cell("a=b") == "a=b"


def test_status_table_xlsx_keeps_control_characters_encoded_instead_of_failing():
    ProjectFactory(name="名称\x01と\x0bWord", summary="概要\x1f")
    sheet = _xlsx_sheet(write_status_table_xlsx, Project.objects.all())
    names = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True) if row[1]]
    assert "名称_x0001_と_x000B_Word" in names
    assert any(value == "概要_x001F_" for row in sheet.iter_rows(values_only=True) for value in row)


def test_characters_xml_cannot_hold_are_encoded_and_decoded_exactly():
    from projects.spreadsheets.xlsx import clean_rows, decode_characters

    for text in ["a\x01b", "\x0b", "\r\n", "_x0041_", "_x005F_", "\ufffe\uffff", "x_y", "_x12_", "_X0041_"]:
        encoded = encode_characters(text)
        assert not any(ch in encoded for ch in "\x01\x0b\r\ufffe\uffff")
        assert decode_characters(encoded) == text, text
        assert clean_rows(text).decode() == encoded
    assert encode_characters("_x0041_") == "_x005F_x0041_"
