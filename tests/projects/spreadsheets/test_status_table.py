"""The plan's status table: groups in plan order, the real plan reproduced, its XLSX."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from plans.models import Listing
from plans.selection import listed
from plans.services import shown_developments, start_edition
from projects.models import DatePrecision, Development, Project
from projects.services import development_add, project_change_status, project_update
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
        listing = Listing.objects.get(edition__year=2023, number=row.number)
        assert row.name == listing.printed["name"] + ("【新規案件】" if listing.is_new else "")
        assert row.summary == listing.printed["summary"]
        assert [t.removeprefix("・") for t in row.developments] == listing.printed["developments"]
    assert sum(row.name.endswith("【新規案件】") for row in rows) == 10
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


def test_a_published_row_is_as_printed_whatever_is_recorded_later(plan_data):
    project = Listing.objects.get(edition__year=2023, number=5).project
    before = status_table(Project.objects.all())
    project_update(project=project, name="後で変えた名称", summary="後で変えた概要")
    development_add(project=project, kind="other", text="後で記録した動き")
    after = status_table(Project.objects.all())
    assert after == before
    assert "後で変えた名称" not in [row.name for group in after for row in group.rows]


def test_a_draft_shows_the_live_row_with_its_shown_developments(plan_data):
    draft = start_edition(2024)
    listing = draft.listings.get(number=5)
    project_update(project=listing.project, name="変えた名称")
    new = development_add(project=listing.project, kind="other", text="新しい動き")
    groups = status_table(listed(Project.objects.all(), draft))
    row = next(row for group in groups for row in group.rows if row.number == 5)
    assert row.name == "変えた名称"
    assert row.developments == [text.removeprefix("・") or text for text in row.developments]
    shown = [d.text for d in shown_developments(listing)]
    assert [t.removeprefix("・") for t in row.developments] == shown
    assert new.text in shown


def test_as_of_gives_the_status_and_developments_known_that_day():
    project = ProjectFactory(status="preparation")
    project_change_status(project=project, status="procurement", effective_on=date(2024, 4, 1))
    project_change_status(project=project, status="implementation")  # no date: counts from today
    DevelopmentFactory(
        project=project,
        sequence=1,
        text="範囲",
        date=date(2023, 3, 1),
        date_end=date(2023, 12, 1),
        date_precision=DatePrecision.MONTH,
    )
    DevelopmentFactory(
        project=project, sequence=2, text="後", date=date(2024, 5, 1), date_precision=DatePrecision.MONTH
    )
    undated = DevelopmentFactory(project=project, sequence=3, text="日付なし")
    Development.objects.filter(pk=undated.pk).update(recorded_at=timezone.make_aware(datetime(2024, 1, 10)))

    def row(as_of):
        return status_table(Project.objects.filter(pk=project.pk), as_of)[0].rows[0]

    assert (row(date(2023, 11, 30)).status, row(date(2023, 11, 30)).developments) == ("preparation", [])
    assert row(date(2023, 12, 1)).developments == ["範囲"]
    assert row(date(2024, 1, 10)).developments == ["・範囲", "・日付なし"]
    assert row(date(2024, 4, 1)).status == "procurement"
    assert row(date(2024, 5, 1)).developments == ["・範囲", "・後", "・日付なし"]
    assert row(timezone.localdate()).status == "implementation"
    # The first status change counts whatever its date.
    assert row(date(2000, 1, 1)).status == "preparation"
