"""The proof (issue 14): a whole year of the workflow on the real 93 projects of 2023.

Start 2024; a win recorded for project 25 after 2023's publication is proposed for removal;
it is removed as won; two new projects are added under two headings; 2024 is published. The
2024 list then numbers its 94 rows in heading order with two new marks, the comparisons give
the expected counts, and the 2023 rows as printed have not moved.

The 2023 status table, as the API gives it (JSON, the HTML page with its clock held, the
XLSX's cells), is byte-for-byte what it was before the year began.
"""

import io
import json
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from accounts.roles import ADMINISTRATOR
from countries.models import Country
from plans import services
from plans.compare import compare
from plans.models import Edition, EditionState, Listing, RemovalReason
from projects import services as project_services
from projects.models import DatePrecision, DevelopmentKind, Project, Sector
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CLOCK = datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
WON_IN_2022 = {"ブカシ自動車認証試験場整備事業", "アビジャン三交差点建設事業", "台湾高速鉄道車両調達事業"}


def as_printed(edition):
    """Every row of `edition` as it stands: number, heading, mark, printed row, lines shown."""
    return [
        (
            listing.project.number,
            listing.number,
            listing.heading.number,
            listing.heading.name_ja,
            listing.is_new,
            listing.printed,
            sorted(listing.developments.values_list("pk", flat=True)),
        )
        for listing in edition.listings.select_related("project", "heading").order_by("number")
    ]


def status_tables(client, year):
    """The edition's status table in its three forms, the page's "generated" clock held."""
    url = f"/api/projects/status-table/?edition={year}"
    with mock.patch("projects.spreadsheets.status_table.timezone.localtime", return_value=CLOCK):
        html = client.get(url + "&format=html")
    json_body = client.get(url + "&format=json")
    xlsx = client.get(url + "&format=xlsx")
    assert html.status_code == json_body.status_code == xlsx.status_code == 200
    sheet = load_workbook(
        io.BytesIO(b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content)
    ).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return html.content, json_body.content, cells


def new_project(number, name, country, heading):
    return project_services.project_create(
        number=number,
        name=name,
        name_en=f"New Project {number}",
        summary="新規の事業概要",
        country=Country.objects.get(iso_code=country),
        sectors=[Sector.objects.order_by("pk").first()],
    )


def test_a_whole_year_on_the_real_plan(plan_data, client):
    client.force_login(UserFactory(username="desk-admin", role=ADMINISTRATOR))
    e2023 = Edition.objects.get(year=2023)
    before = as_printed(e2023)
    tables_before = status_tables(client, 2023)
    assert "台湾高速鉄道車両調達事業" in tables_before[1].decode()  # its preface names the won
    assert len(before) == 93

    draft = services.start_edition(2024)
    assert draft.listings.count() == 93 and services.proposed_removals(draft) == []

    # A win recorded after 2023's publication: proposed for removal, not removed.
    p25 = Project.objects.get(number=25)
    win = project_services.development_add(
        project=p25,
        kind=DevelopmentKind.AWARD,
        text="2024年３月に我が国企業が車両を受注",
        date=date(2024, 3, 1),
        date_precision=DatePrecision.MONTH,
    )
    (proposal,) = services.proposed_removals(draft)
    assert (proposal.listing.project, proposal.awards) == (p25, [win])
    assert draft.listings.filter(project=p25).exists()

    removal = services.remove_listing(proposal.listing, RemovalReason.WON, "車両を受注")
    assert services.proposed_removals(draft) == []

    free = Project.objects.order_by("-number").values_list("number", flat=True).first() + 1
    first = new_project(free, "ハノイ新交通整備事業", "VN", 1)
    second = new_project(free + 1, "マニラ港湾整備事業", "PH", 4)
    services.add_listing(draft, first, 1)
    services.add_listing(draft, second, 4, position=1)

    e2024 = services.publish(draft)

    # 2024: 94 rows numbered 1..94 in heading order, the two new ones marked.
    rows = list(e2024.listings.select_related("heading", "project").order_by("number"))
    assert e2024.state == EditionState.PUBLISHED
    assert [row.number for row in rows] == list(range(1, 95))
    headings = [row.heading.number for row in rows]
    assert headings == sorted(headings)
    assert {row.project for row in rows if row.is_new} == {first, second}
    assert p25 not in {row.project for row in rows}
    assert next(row for row in rows if row.heading.number == 4).project == second
    assert all(row.printed for row in rows)

    # 2023 → 2024: two added, one removed (won), 92 carried.
    comparison = compare(e2023, e2024)
    assert (comparison.older_year, comparison.newer_year) == (2023, 2024)
    assert (comparison.older_count, comparison.newer_count) == (93, 94)
    assert {row.project_id for row in comparison.added} == {first.pk, second.pk}
    assert [(r.row.project_id, r.reason, r.note) for r in comparison.removed] == [
        (p25.pk, RemovalReason.WON, removal.note)
    ]
    assert comparison.removed_count == 1 and comparison.carried_count == 92
    assert comparison.developments_since == [win]  # every other line was printed in 2023
    assert compare(e2024, e2023).added == comparison.added  # either order

    # 2022 → 2023, from what the 2023 text states: 87 before, 4 removed, 10 added, 3 named won.
    stated = compare(e2023, 2022)
    assert stated.stated
    assert (stated.older_count, stated.removed_count, len(stated.added), stated.newer_count) == (
        87,
        4,
        10,
        93,
    )
    assert {r.row.name for r in stated.removed} == WON_IN_2022
    assert {r.reason for r in stated.removed} == {RemovalReason.WON}

    # The 2023 rows as printed, and its status table, are what they were before the year began.
    assert as_printed(Edition.objects.get(year=2023)) == before
    assert status_tables(client, 2023) == tables_before
    # …while 2024's table is the new list: 94 rows, two new.
    table_2024 = json.loads(status_tables(client, 2024)[1])
    rows_2024 = [row for group in table_2024["groups"] for row in group["rows"]]
    assert [row["number"] for row in rows_2024] == list(range(1, 95))
    assert sum(row["name"].endswith("【新規案件】") for row in rows_2024) == 2
    assert Listing.objects.get(edition=e2023, project=p25).printed["developments"] == [
        "2022年11月に我が国企業が軌道・信号等を受注",
        "2023年２月にE/N署名、L/A締結（第二期）",
    ]
