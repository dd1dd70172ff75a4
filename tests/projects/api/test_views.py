import datetime

import pytest
from rest_framework.test import APIClient

from accounts.roles import EDITOR, VIEWER
from projects.models import DatePrecision, Development, DevelopmentKind, Project, Status, StatusChange
from projects.services import development_add
from tests.factories import (
    CountryFactory,
    DevelopmentFactory,
    EditionFactory,
    HeadingFactory,
    ProjectFactory,
    SchemeFactory,
    SectorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client():
    client = APIClient()
    client.force_login(UserFactory(role=EDITOR))
    return client


@pytest.fixture
def viewer_client():
    client = APIClient()
    client.force_login(UserFactory(role=VIEWER))
    return client


@pytest.fixture
def project():
    return ProjectFactory(
        number=7,
        name="ホーチミン市都市鉄道",
        country=CountryFactory(iso_code="VN", name_ja="ベトナム", name_en="Viet Nam"),
        sectors=[SectorFactory(code="rail", name_ja="鉄道", name_en="Rail")],
        schemes=[SchemeFactory(code="oda-loan", name_ja="円借款", name_en="ODA loan")],
    )


def etag_of(client, project):
    return client.get(f"/api/projects/{project.pk}/")["ETag"]


# Reading


def test_list_item_carries_the_contract_fields(viewer_client, project):
    DevelopmentFactory(
        project=project,
        sequence=1,
        kind=DevelopmentKind.AGREEMENT,
        text="2022 年 11 月 L/A 締結",
        date=datetime.date(2022, 11, 1),
        date_precision=DatePrecision.MONTH,
    )
    DevelopmentFactory(project=project, sequence=2, kind=DevelopmentKind.OTHER, text="日付なし")

    response = viewer_client.get("/api/projects/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.data["count"] == 1
    item = response.json()["results"][0]
    assert set(item) == {
        "id", "number", "name", "name_en", "country", "region", "listing_group", "sectors", "schemes",
        "status", "is_new", "won", "latest_development", "updated", "url",
    }  # fmt: skip
    assert item["country"] == {"iso_code": "VN", "name_ja": "ベトナム", "name_en": "Viet Nam"}
    assert item["sectors"] == [{"code": "rail", "label": "Rail"}]
    assert item["schemes"] == [{"code": "oda-loan", "label": "ODA loan", "family": "ODA"}]
    assert item["status"] == {"code": "identification", "label": "Identification"}
    assert item["won"] is False
    # The dated development is the latest, though the undated one was added after it.
    assert item["latest_development"] == {
        "date": "2022-11-01",
        "precision": "month",
        "kind": {"code": "agreement", "label": "Agreement"},
        "text": "2022 年 11 月 L/A 締結",
    }
    assert item["url"] == f"http://testserver/api/projects/{project.pk}/"


def test_labels_follow_the_request_language(viewer_client, project):
    response = viewer_client.get("/api/projects/", HTTP_ACCEPT_LANGUAGE="ja")

    assert response.json()["results"][0]["sectors"] == [{"code": "rail", "label": "鉄道"}]


def test_project_without_developments_has_no_latest_development(viewer_client, project):
    response = viewer_client.get("/api/projects/")

    assert response.json()["results"][0]["latest_development"] is None


def test_won_comes_from_an_award_development(viewer_client, project):
    DevelopmentFactory(project=project, kind=DevelopmentKind.AWARD, text="本邦企業が受注")

    response = viewer_client.get(f"/api/projects/{project.pk}/")

    assert response.data["won"] is True


def test_detail_adds_summary_developments_and_status_history(viewer_client, project):
    DevelopmentFactory(project=project, sequence=1, text="一つ目")
    DevelopmentFactory(project=project, sequence=2, text="二つ目")

    response = viewer_client.get(f"/api/projects/{project.pk}/")

    assert response.status_code == 200
    assert response.data["summary"] == project.summary
    assert [d["text"] for d in response.data["developments"]] == ["一つ目", "二つ目"]
    assert [s["status"]["code"] for s in response.data["status_history"]] == ["identification"]
    assert response["ETag"] == f'"p{project.pk}-v{project.version}"'


def test_detail_answers_304_to_a_current_if_none_match(viewer_client, project):
    etag = etag_of(viewer_client, project)

    response = viewer_client.get(f"/api/projects/{project.pk}/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response["ETag"] == etag


def test_detail_of_unknown_project_is_404_json(viewer_client):
    response = viewer_client.get("/api/projects/999999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_detail_refuses_list_filters(viewer_client, project):
    response = viewer_client.get(f"/api/projects/{project.pk}/?country=VN")

    assert response.status_code == 400
    assert "country" in response.json()["errors"]


# Pagination


def test_pagination_has_count_and_defaults_to_50(viewer_client):
    ProjectFactory.create_batch(55)

    response = viewer_client.get("/api/projects/")

    assert response.data["count"] == 55
    assert len(response.data["results"]) == 50
    assert "offset=50" in response.data["next"]


@pytest.mark.parametrize("params", ["limit=0", "limit=1001", "limit=abc", "offset=-1", "offset=x"])
def test_bad_pagination_values_are_400_naming_the_parameter(viewer_client, params):
    response = viewer_client.get(f"/api/projects/?{params}")

    assert response.status_code == 400
    name = params.split("=")[0]
    assert list(response.json()["errors"]) == [name]
    assert name in response.json()["detail"]


def test_unknown_parameter_is_400_naming_it(viewer_client):
    response = viewer_client.get("/api/projects/?contry=VN")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_query"
    assert "contry" in body["detail"]
    assert list(body["errors"]) == ["contry"]


# Creating and changing projects


def create_payload(**overrides):
    country = CountryFactory(iso_code="TH")
    sector = SectorFactory(code="port")
    payload = {
        "number": 501,
        "name": "新港湾整備事業",
        "name_en": "New Port Project",
        "summary": "港湾を整備する。",
        "country": country.iso_code,
        "sectors": [sector.code],
    }
    return {**payload, **overrides}


def test_create_project_goes_through_the_service(editor_client):
    response = editor_client.post(
        "/api/projects/", create_payload(status="preparation", status_note="F/S 実施中")
    )

    assert response.status_code == 201, response.json()
    project = Project.objects.get(number=501)
    assert response["Location"] == f"http://testserver/api/projects/{project.pk}/"
    assert response["ETag"] == f'"p{project.pk}-v{project.version}"'
    assert response.data["status"]["code"] == "preparation"
    assert project.status_changes.get().note == "F/S 実施中"
    assert project.history.count() == 1


def test_create_with_unknown_country_is_400_naming_it(editor_client):
    response = editor_client.post("/api/projects/", create_payload(country="XX"))

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["country"]


def test_create_needs_a_sector(editor_client):
    response = editor_client.post("/api/projects/", create_payload(sectors=[]))

    assert response.status_code == 400
    assert "sectors" in response.json()["errors"]


def test_create_with_duplicate_number_is_400(editor_client, project):
    response = editor_client.post("/api/projects/", create_payload(number=project.number))

    assert response.status_code == 400
    assert "number" in response.json()["errors"]


def test_patch_with_current_etag_changes_the_project(editor_client, project):
    etag = etag_of(editor_client, project)

    response = editor_client.patch(
        f"/api/projects/{project.pk}/", {"name_en": "HCMC Metro"}, HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200, response.json()
    project.refresh_from_db()
    assert project.name_en == "HCMC Metro"
    assert response["ETag"] == f'"p{project.pk}-v{project.version}"' != etag
    assert response.data["name_en"] == "HCMC Metro"


def test_patch_without_if_match_is_428(editor_client, project):
    response = editor_client.patch(f"/api/projects/{project.pk}/", {"name_en": "x"})

    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"
    project.refresh_from_db()
    assert project.name_en != "x"


def test_patch_with_stale_etag_is_412_with_the_current_etag(editor_client, project):
    stale = etag_of(editor_client, project)
    development_add(project=project, kind=DevelopmentKind.OTHER, text="誰かの更新")

    response = editor_client.patch(f"/api/projects/{project.pk}/", {"name_en": "x"}, HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    project.refresh_from_db()
    assert response["ETag"] == f'"p{project.pk}-v{project.version}"'
    assert response.json()["code"] == "stale_version"
    assert response.json()["etag"] == response["ETag"]
    assert list(response.json()) == ["detail", "code", "etag"]
    assert project.name_en != "x"


def test_412_names_who_saved_last_and_when(editor_client, project):
    stale = etag_of(editor_client, project)
    development_add(
        project=project, kind=DevelopmentKind.OTHER, text="誰かの更新", user=UserFactory(username="sato")
    )

    detail = editor_client.patch(
        f"/api/projects/{project.pk}/", {"name_en": "x"}, HTTP_IF_MATCH=stale
    ).json()["detail"]

    # The development's audit row, not the project's (which has none for this write).
    assert "sato" in detail and "?" not in detail


def test_412_over_plan_data_names_the_plan_import(plan_data, editor_client):
    project = Project.objects.get(number=1)
    url = f"/api/projects/{project.pk}/"

    japanese = editor_client.patch(url, {"name_en": "x"}, HTTP_IF_MATCH=f'"p{project.pk}-v99"')
    english = editor_client.patch(
        url, {"name_en": "x"}, HTTP_IF_MATCH=f'"p{project.pk}-v99"', HTTP_ACCEPT_LANGUAGE="en"
    )

    assert japanese.status_code == 412
    assert "2023年計画の取込" in japanese.json()["detail"] and "?" not in japanese.json()["detail"]
    assert english.status_code == 412


@pytest.mark.parametrize("if_match", ['"garbage"', 'W/"p1-v1"', '"p999999-v1"'])
def test_patch_with_a_foreign_etag_is_412(editor_client, project, if_match):
    response = editor_client.patch(f"/api/projects/{project.pk}/", {"name_en": "x"}, HTTP_IF_MATCH=if_match)

    assert response.status_code == 412


def test_put_accepts_a_get_body_sent_back(editor_client, project):
    response = editor_client.get(f"/api/projects/{project.pk}/")
    body = response.json()
    body["name_en"] = "Edited"

    response = editor_client.put(f"/api/projects/{project.pk}/", body, HTTP_IF_MATCH=response["ETag"])

    assert response.status_code == 200, response.json()
    project.refresh_from_db()
    assert project.name_en == "Edited"
    assert list(project.sectors.values_list("code", flat=True)) == ["rail"]


def test_patch_cannot_change_the_status(editor_client, project):
    etag = etag_of(editor_client, project)

    response = editor_client.patch(
        f"/api/projects/{project.pk}/", {"status": "completed"}, HTTP_IF_MATCH=etag
    )

    assert response.status_code == 400
    assert "status-changes" in response.json()["errors"]["status"][0]


def test_patch_refuses_unknown_fields(editor_client, project):
    etag = etag_of(editor_client, project)

    response = editor_client.patch(f"/api/projects/{project.pk}/", {"nmae": "x"}, HTTP_IF_MATCH=etag)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["nmae"]


def test_patch_sectors_by_code(editor_client, project):
    SectorFactory(code="road")
    etag = etag_of(editor_client, project)

    response = editor_client.patch(
        f"/api/projects/{project.pk}/", {"sectors": ["rail", "road"]}, HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200
    assert [s["code"] for s in response.data["sectors"]] == ["rail", "road"]


# Developments and status changes


def test_add_development(editor_client, project):
    response = editor_client.post(
        f"/api/projects/{project.pk}/developments/",
        {
            "kind": "procurement",
            "text": "2024 年 3 月 入札公示",
            "date": "2024-03-01",
            "date_precision": "month",
        },
    )

    assert response.status_code == 201, response.json()
    development = project.developments.get()
    assert development.recorded_by is not None
    assert development.sequence == 1
    assert response.data["kind"]["code"] == "procurement"
    project.refresh_from_db()
    assert "入札公示" in project.search_text


def test_add_development_with_a_date_defaults_to_day_precision(editor_client, project):
    response = editor_client.post(
        f"/api/projects/{project.pk}/developments/", {"kind": "other", "text": "x", "date": "2024-03-05"}
    )

    assert response.status_code == 201
    assert response.data["date_precision"] == "day"


def test_add_development_with_bad_kind_is_400(editor_client, project):
    response = editor_client.post(
        f"/api/projects/{project.pk}/developments/", {"kind": "rumour", "text": "x"}
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["kind"]


def test_add_development_end_before_start_is_400_not_500(editor_client, project):
    response = editor_client.post(
        f"/api/projects/{project.pk}/developments/",
        {
            "kind": "other",
            "text": "x",
            "date": "2024-03-01",
            "date_precision": "month",
            "date_end": "2024-01-01",
        },
    )

    assert response.status_code == 400


def test_add_development_with_stale_if_match_is_412(editor_client, project):
    stale = etag_of(editor_client, project)
    development_add(project=project, kind=DevelopmentKind.OTHER, text="先行")

    response = editor_client.post(
        f"/api/projects/{project.pk}/developments/", {"kind": "other", "text": "後発"}, HTTP_IF_MATCH=stale
    )

    assert response.status_code == 412
    assert project.developments.count() == 1


def test_developments_of_unknown_project_is_404(viewer_client):
    assert viewer_client.get("/api/projects/999999/developments/").status_code == 404


def test_list_project_developments_in_order(viewer_client, project):
    DevelopmentFactory(project=project, sequence=2, text="後")
    DevelopmentFactory(project=project, sequence=1, text="先")

    response = viewer_client.get(f"/api/projects/{project.pk}/developments/")

    assert [d["text"] for d in response.data["results"]] == ["先", "後"]


def test_change_status_records_history(editor_client, project):
    etag = etag_of(editor_client, project)

    response = editor_client.post(
        f"/api/projects/{project.pk}/status-changes/",
        {"status": "procurement", "effective_on": "2024-04-01", "note": "入札公示"},
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 201, response.json()
    project.refresh_from_db()
    assert project.status == Status.PROCUREMENT
    change = StatusChange.objects.get(project=project, sequence=2)
    assert change.previous_status == Status.IDENTIFICATION
    assert response.data["previous_status"]["code"] == "identification"
    assert response.data["recorded_by"] == change.recorded_by.username


def test_change_status_to_the_same_status_is_400(editor_client, project):
    response = editor_client.post(f"/api/projects/{project.pk}/status-changes/", {"status": "identification"})

    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_status_history_lists_changes(viewer_client, project):
    response = viewer_client.get(f"/api/projects/{project.pk}/status-changes/")

    assert response.status_code == 200
    assert [c["status"]["code"] for c in response.data["results"]] == ["identification"]


# The development feed


def test_feed_is_newest_first_with_undated_last(viewer_client, project):
    other = ProjectFactory()
    DevelopmentFactory(project=project, text="古い", date=datetime.date(2021, 1, 1), date_precision="year")
    DevelopmentFactory(project=other, text="新しい", date=datetime.date(2023, 5, 1), date_precision="month")
    DevelopmentFactory(project=other, text="日付なし")

    response = viewer_client.get("/api/developments/")

    assert [d["text"] for d in response.data["results"]] == ["新しい", "古い", "日付なし"]
    assert response.data["results"][0]["project"]["number"] == other.number


def test_feed_filters_by_date_range_kind_and_country(viewer_client, project):
    DevelopmentFactory(project=project, kind="award", date=datetime.date(2023, 5, 1), date_precision="month")
    DevelopmentFactory(project=project, kind="other", date=datetime.date(2023, 5, 2), date_precision="day")
    DevelopmentFactory(
        project=ProjectFactory(), kind="award", date=datetime.date(2023, 5, 3), date_precision="day"
    )
    DevelopmentFactory(project=project, kind="award", date=datetime.date(2023, 6, 1), date_precision="day")

    response = viewer_client.get(
        "/api/developments/?date_after=2023-05-01&date_before=2023-05-31&kind=award&country=vn"
    )

    assert response.status_code == 200, response.json()
    assert [d["date"] for d in response.data["results"]] == ["2023-05-01"]


def test_feed_filters_by_project_and_sector(viewer_client, project):
    DevelopmentFactory(project=project)
    DevelopmentFactory(project=ProjectFactory())

    by_project = viewer_client.get(f"/api/developments/?project={project.pk}")
    by_sector = viewer_client.get("/api/developments/?sector=rail")

    assert by_project.data["count"] == 1
    assert by_sector.data["count"] == 1


@pytest.mark.parametrize(
    "params",
    [
        "date_after=2023-02-30",
        "kind=rumour",
        "project=abc",
        "project=999999",
        "country=ZZ",
        "date_after=2024-01-01&date_before=2023-01-01",
    ],
)
def test_feed_bad_values_are_400(viewer_client, params):
    response = viewer_client.get(f"/api/developments/?{params}")

    assert response.status_code == 400


# Reference data


def test_reference_endpoints_list_codes_with_labels(viewer_client, project):
    for path, key in [("sectors", "code"), ("schemes", "code")]:
        response = viewer_client.get(f"/api/{path}/")
        assert response.status_code == 200
        assert response.data["count"] >= 1
        assert {key, "label"} <= set(response.data["results"][0])
    # Headings belong to an edition: /api/editions/{year}/ lists them.
    assert viewer_client.get("/api/listing-groups/").status_code == 404


def test_reference_detail_by_code(viewer_client, project):
    response = viewer_client.get("/api/sectors/rail/")

    assert response.status_code == 200
    assert response.data["name_ja"] == "鉄道"


def test_development_model_is_untouched_by_reads(viewer_client, project):
    DevelopmentFactory(project=project)
    before = Development.objects.get()

    viewer_client.get("/api/developments/")

    assert Development.objects.get().recorded_at == before.recorded_at


def test_a_created_project_is_in_no_edition_until_an_editor_lists_it(editor_client):
    HeadingFactory(number=3)

    response = editor_client.post("/api/projects/", create_payload(listing_group=3, is_new=True))

    assert response.status_code == 201, response.json()
    assert response.json()["editions"] == [] and response.json()["listing_group"] is None
    assert not Project.objects.get(number=501).listings.exists()


# One edition's list: ?edition=YEAR


@pytest.fixture
def two_editions(project):
    """2023 lists `project` as 7 under ① (not new); the 2024 draft lists it as 2 under ② (new),
    after a project new in it."""
    from plans.models import Edition, Listing

    draft = EditionFactory(year=2024, state=Edition.State.DRAFT, published_at=None, previous_year=2023)
    second = HeadingFactory(edition=draft, number=2, name_ja="タイ", name_en="Thailand")
    other = ProjectFactory(number=900, listing_group=second, is_new=True)
    Listing.objects.filter(edition=draft, project=other).update(number=1)
    Listing.objects.create(edition=draft, project=project, heading=second, number=2, is_new=True)
    return {"draft": draft, "other": other}


def test_edition_2023_lists_that_editions_number_group_and_mark(viewer_client, project, two_editions):
    rows = viewer_client.get("/api/projects/?edition=2023").json()["results"]

    assert [(row["id"], row["number"], row["is_new"]) for row in rows] == [(project.pk, 7, False)]
    assert rows[0]["listing_group"]["number"] == project.listings.get(edition__year=2023).heading.number


def test_a_draft_edition_is_listed_for_editors_only(viewer_client, editor_client, project, two_editions):
    rows = editor_client.get("/api/projects/?edition=2024").json()["results"]
    refused = viewer_client.get("/api/projects/?edition=2024")

    assert [(row["id"], row["number"], row["is_new"]) for row in rows] == [
        (two_editions["other"].pk, 1, True),
        (project.pk, 2, True),
    ]
    assert rows[1]["listing_group"] == {"number": 2, "mark": "②", "label": "タイ"}
    assert refused.status_code == 400 and "edition" in refused.json()["errors"]
    # Without `edition`: the latest published one, for editors too.
    assert [row["number"] for row in editor_client.get("/api/projects/").json()["results"]] == [7]


@pytest.mark.parametrize("value", ["1999", "2030", "x", ""])
def test_an_unknown_edition_is_a_400(viewer_client, project, value):
    response = viewer_client.get(f"/api/projects/?edition={value}")

    assert response.status_code == 400
    assert "edition" in response.json()["errors"]


def test_the_detail_lists_the_editions_the_reader_may_see(
    viewer_client, editor_client, project, two_editions
):
    seen_by_viewer = viewer_client.get(f"/api/projects/{project.pk}/").json()
    seen_by_editor = editor_client.get(f"/api/projects/{project.pk}/").json()

    assert seen_by_viewer["number"] == 7
    assert [(e["year"], e["number"], e["is_new"]) for e in seen_by_viewer["editions"]] == [(2023, 7, False)]
    assert [(e["year"], e["state"]["code"], e["number"]) for e in seen_by_editor["editions"]] == [
        (2023, "published", 7),
        (2024, "draft", 2),
    ]
    assert seen_by_editor["editions"][1]["listing_group"]["label"] == "タイ"
