"""The plan's status table: groups in plan order, the real plan reproduced, its XLSX."""

from datetime import date

import pytest

from projects.models import DatePrecision, Project
from projects.spreadsheets.status_table import status_table, write_status_table_xlsx
from tests.factories import DevelopmentFactory, ProjectFactory
from tests.workbooks import xlsx_sheet

pytestmark = pytest.mark.django_db


def test_status_table_groups_in_plan_order_with_bullets_only_for_several_developments():
    from tests.factories import HeadingFactory

    late = HeadingFactory(number=2, name_ja="カンボジア")
    early = HeadingFactory(number=1, name_ja="ベトナム")
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
    sheet = xlsx_sheet(write_status_table_xlsx, Project.objects.all())
    values = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert values[0] == "①ベトナム"
    assert [v for v in values if isinstance(v, int)] == list(range(1, 94))
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    five = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == 5)
    assert five[3].value.split("\n")[0].startswith("・2023年１月")


# Escaping is a true inverse pair, whatever the text starts with.


def test_status_table_xlsx_keeps_control_characters_encoded_instead_of_failing():
    ProjectFactory(name="名称\x01と\x0bWord", summary="概要\x1f")
    sheet = xlsx_sheet(write_status_table_xlsx, Project.objects.all())
    names = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True) if row[1]]
    assert "名称_x0001_と_x000B_Word" in names
    assert any(value == "概要_x001F_" for row in sheet.iter_rows(values_only=True) for value in row)
