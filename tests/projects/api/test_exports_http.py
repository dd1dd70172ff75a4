"""The exports over HTTP: the API's ?format=csv|xlsx and status table, and the admin's buttons.

Each export must give exactly the projects the same filters list, in the same order, all of
them (not one page).
"""

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.roles import EDITOR, VIEWER
from countries.models import Country
from plans.models import Listing
from projects.models import Project
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FILTER_COMBINATIONS = [
    "",
    "country=VN",
    "country=VN,TH&ordering=-number",
    "sector=rail&status=implementation",
    "scheme=ODA&ordering=name",
    "region=south-asia&is_new=true",
    "q=鉄道 整備",
    "q=２０２３年",
    "won=true&ordering=-latest_development",
    "development_after=2023-01-01&development_before=2023-12-31",
    "listing_group=23",
]


@pytest.fixture
def api(plan_data):
    client = APIClient()
    client.force_login(UserFactory(role=VIEWER))
    return client


def _listed_numbers(api, query):
    response = api.get(f"/api/projects/?{query}&limit=1000")
    assert response.status_code == 200, response.content
    assert response.data["count"] == len(response.data["results"])
    return [item["number"] for item in response.data["results"]]


def _csv_numbers(response):
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return [int(row[0]) for row in rows[1:]]


def _xlsx_numbers(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [row[0] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("query", FILTER_COMBINATIONS)
def test_api_csv_and_xlsx_match_the_filtered_list_exactly(api, query):
    expected = _listed_numbers(api, query)
    assert expected or query == "listing_group=99"

    csv_response = api.get(f"/api/projects/?{query}&format=csv")
    xlsx_response = api.get(f"/api/projects/?{query}&format=xlsx")

    assert csv_response.status_code == 200 and xlsx_response.status_code == 200
    assert _csv_numbers(csv_response) == expected
    assert _xlsx_numbers(xlsx_response) == expected


def test_api_export_is_every_project_not_one_page(api):
    response = api.get("/api/projects/?format=csv")
    assert _csv_numbers(response) == list(range(1, 94))


@pytest.mark.parametrize(
    "path",
    [
        "/api/projects/?format=csv&limit=5",
        "/api/projects/?format=xlsx&offset=x",
        "/api/projects/status-table/?limit=5",
        "/api/projects/status-table/?format=xlsx&offset=0",
    ],
)
def test_files_and_the_status_table_refuse_limit_and_offset(api, path):
    response = api.get(path)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(response.json()["errors"]) <= {"limit", "offset"}


def test_api_export_file_names_say_what_and_when(api):
    today = timezone.localdate().isoformat()
    csv_response = api.get("/api/projects/?format=csv")
    xlsx_response = api.get("/api/projects/?format=xlsx")
    table = api.get("/api/projects/status-table/?format=xlsx")
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="projects_{today}.csv"' in csv_response["Content-Disposition"]
    assert f'filename="projects_{today}.xlsx"' in xlsx_response["Content-Disposition"]
    assert f'filename="status_table_{today}.xlsx"' in table["Content-Disposition"]


def test_api_export_refuses_bad_filters_like_the_list(api):
    response = api.get("/api/projects/?format=csv&country=XX1")
    assert response.status_code == 400
    response = api.get("/api/projects/?format=xlsx&colour=blue")
    assert response.status_code == 400
    assert "colour" in response.json()["errors"]


def test_api_status_table_html_reproduces_the_plan(api):
    response = api.get("/api/projects/status-table/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "size: A4 landscape" in html
    assert "display: table-header-group" in html
    headings = ["①ベトナム", "⑯中東", "㉓ミャンマー"]
    positions = [html.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "AIオンデマンド交通サービス等提供事業【新規案件】" in html
    assert "・2023年１月に旅客ターミナル（第１期分）の入札情報が再公示" in html
    assert html.count("<th>直近における動き</th>") == 22  # every group but Myanmar's


def test_api_status_table_json_and_filters(api):
    response = api.get("/api/projects/status-table/?format=json&country=BD")
    assert response.status_code == 200
    # An object since editions: the title, edition, date and preface with the groups.
    assert response.json()["edition"] == 2023
    assert response.json()["preface"] is None  # a filtered table has no preface
    groups = response.json()["groups"]
    assert [g["heading"] for g in groups] == ["⑪バングラデシュ"]
    assert [r["number"] for r in groups[0]["rows"]] == list(range(53, 63))


def test_api_status_table_xlsx_with_filter(api):
    response = api.get("/api/projects/status-table/?format=xlsx&region=south-asia")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    first_column = [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert first_column[0] == "⑨インド"
    assert [v for v in first_column if isinstance(v, int)] == list(range(50, 63))


# The admin: its buttons export what the changelist shows (filters, search, order).

ADMIN_QUERIES = [
    "",
    "status__exact=implementation",
    "q=鉄道",
    "won=yes",
    "o=-1",
]


@pytest.fixture
def admin_client_editor(client, plan_data):
    client.force_login(UserFactory(role=EDITOR))
    return client


def _changelist_numbers(client, query):
    response = client.get(f"/admin/projects/project/?{query}")
    assert response.status_code == 200
    return [p.number for p in response.context["cl"].result_list]


@pytest.mark.parametrize("query", [*ADMIN_QUERIES, "country__id__exact={vn}"])
def test_admin_exports_match_the_changelist(admin_client_editor, query):
    query = query.format(vn=Country.objects.get(iso_code="VN").pk)
    expected = _changelist_numbers(admin_client_editor, query)
    assert expected

    csv_response = admin_client_editor.get(f"/admin/projects/project/export/csv/?{query}")
    xlsx_response = admin_client_editor.get(f"/admin/projects/project/export/xlsx/?{query}")

    assert _csv_numbers(csv_response) == expected
    assert _xlsx_numbers(xlsx_response) == expected


def test_admin_changelist_links_carry_the_current_filters(admin_client_editor):
    response = admin_client_editor.get("/admin/projects/project/?status__exact=implementation&q=鉄道")
    html = response.content.decode()
    assert "/admin/projects/project/export/csv/?status__exact=implementation&amp;q=" in html
    assert "/admin/projects/project/export/status-table/?" in html


def test_admin_status_table_page_and_xlsx(admin_client_editor):
    page = admin_client_editor.get("/admin/projects/project/export/status-table/?status__exact=suspended")
    assert page.status_code == 200
    html = page.content.decode()
    assert "㉓ミャンマー" in html and "⑩スリランカ" in html
    assert "①ベトナム" not in html
    table = admin_client_editor.get("/admin/projects/project/export/status-table-xlsx/")
    assert table.status_code == 200


def test_admin_export_requires_view_permission(client, plan_data):
    client.force_login(UserFactory(role=None))
    response = client.get("/admin/projects/project/export/csv/")
    assert response.status_code == 403
    assert Project.objects.count() == 93


def test_status_table_xlsx_of_a_name_with_control_characters_answers_200(api, admin_client_editor):
    """A name pasted from Word (\x0b) or with \x01 made the status table XLSX answer 500."""
    listing = Listing.objects.get(edition__year=2023, number=1)  # the table shows the name as printed
    Listing.objects.filter(pk=listing.pk).update(printed={**listing.printed, "name": "改行\x0bと\x01"})
    response = api.get("/api/projects/status-table/?format=xlsx")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    names = [row[1] for row in load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)]
    assert "改行_x000B_と_x0001_" in names
    response = admin_client_editor.get("/admin/projects/project/export/status-table-xlsx/")
    assert response.status_code == 200


def _table_bytes(api, query=""):
    html = api.get(f"/api/projects/status-table/?format=html{query}").content.decode()
    html = html.split("</h1>", 1)[1].split("</p>", 1)[1]  # after the title and the generated time
    json = api.get(f"/api/projects/status-table/?format=json{query}").json()
    xlsx = api.get(f"/api/projects/status-table/?format=xlsx{query}")
    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    cells = [row for row in workbook.active.iter_rows(values_only=True)]
    return html, json, cells


def test_the_2023_table_is_the_same_after_later_edits(api):
    from projects.services import development_add, project_update

    before = _table_bytes(api, "&edition=2023")
    project = Listing.objects.get(edition__year=2023, number=5).project
    project_update(project=project, name="後で変えた名称", summary="後で変えた概要")
    development_add(project=project, kind="other", text="後で記録した動き")
    after = _table_bytes(api, "&edition=2023")
    assert after == before
    assert "後で変えた名称" not in after[0]


def test_the_status_table_refuses_an_unknown_edition_or_a_bad_date(api):
    for query in ("edition=1999", "edition=2024", "as_of=2024-13-01", "as_of=soon"):
        response = api.get(f"/api/projects/status-table/?format=json&{query}")
        assert response.status_code == 400, query
        assert set(response.json()["errors"]) == {query.split("=")[0]}


def test_the_list_and_its_files_as_of_a_date(api, django_assert_max_num_queries):
    from datetime import date

    from projects.services import development_add, project_change_status

    project = Listing.objects.get(edition__year=2023, number=5).project
    old_status = project.status
    new_status = "implementation" if old_status != "implementation" else "completed"
    project_change_status(project=project, status=new_status, effective_on=date(2030, 4, 1))
    development_add(
        project=project, kind="other", text="将来の動き", date=date(2030, 5, 1), date_precision="month"
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as plain:
        now = api.get("/api/projects/?limit=100&country=VN").json()
    plain_count = len(plain.captured_queries)  # read now: the next request resets the log
    # As many queries as without as_of (the same one list query, other subqueries).
    then = api.get("/api/projects/?limit=100&as_of=2030-03-31").json()
    # Counted the second time: the first as_of read makes SQLite check once, per connection,
    # that it supports JSON (three queries Django caches).
    with django_assert_max_num_queries(plain_count):
        api.get("/api/projects/?limit=100&as_of=2030-03-31")
    row_now = next(r for r in api.get("/api/projects/?limit=100").json()["results"] if r["id"] == project.pk)
    row_then = next(r for r in then["results"] if r["id"] == project.pk)
    assert row_now["status"]["code"] == new_status and row_now["latest_development"]["text"] == "将来の動き"
    assert row_then["status"]["code"] == old_status and row_then["latest_development"]["text"] != "将来の動き"
    assert now  # the list without as_of answers in as many queries
    table = api.get("/api/projects/status-table/?format=json&as_of=2030-03-31").json()
    five = next(r for g in table["groups"] for r in g["rows"] if r["number"] == 5)
    assert five["status"] == old_status and not any("将来の動き" in t for t in five["developments"])
    csv_rows = list(
        csv.reader(
            io.StringIO(
                b"".join(api.get("/api/projects/?format=csv&as_of=2030-03-31").streaming_content).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    csv_five = next(r for r in csv_rows[1:] if r[0] == str(project.number))
    assert "将来の動き" not in csv_five
    csv_now = list(
        csv.reader(
            io.StringIO(b"".join(api.get("/api/projects/?format=csv").streaming_content).decode("utf-8-sig"))
        )
    )
    assert "将来の動き" in next(r for r in csv_now[1:] if r[0] == str(project.number))
