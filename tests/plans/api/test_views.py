"""The editions API (plans/api/views.py): reading editions by role, starting a draft, editing
its list with If-Match, publishing, 409 on a published edition, comparing, query counts."""

import datetime

import pytest
from rest_framework.test import APIClient

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from plans import services
from plans.models import Edition, Listing, Removal
from projects.models import DevelopmentKind
from tests.clients import client_for, user_token_client
from tests.factories import (
    DevelopmentFactory,
    EditionFactory,
    HeadingFactory,
    ProjectFactory,
    RemovalFactory,
    UserFactory,
)
from tokens.models import APIToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    """The 2023 edition: two headings, three projects (one new), one removal named by its text."""
    edition = EditionFactory(year=2023, previous_year=2022, stated_previous_count=3, stated_removed_count=1)
    first, second = HeadingFactory(edition=edition, number=1), HeadingFactory(edition=edition, number=2)
    projects = [
        ProjectFactory(number=1, listing_group=first),
        ProjectFactory(number=2, listing_group=first, is_new=True),
        ProjectFactory(number=3, listing_group=second),
    ]
    RemovalFactory(edition=edition, name="ブカシ自動車認証試験場整備事業")
    return {"edition": edition, "projects": projects, "headings": (first, second)}


@pytest.fixture
def draft(published):
    edition = services.start_edition(2024)
    return {**published, "draft": edition}


def etag(year):
    return Edition.objects.get(year=year).etag


# Reading.


def test_an_edition_reads_with_its_headings_added_removed_and_etag(published):
    response = client_for(VIEWER).get("/api/editions/2023/")

    assert response.status_code == 200
    data = response.json()
    assert response["ETag"] == published["edition"].etag
    assert data["year"] == 2023 and data["state"]["code"] == "published"
    assert data["project_count"] == 3 and data["previous_year"] == 2022
    assert data["stated"]["previous_count"] == 3 and data["stated"]["removed_count"] == 1
    assert [h["number"] for h in data["headings"]] == [1, 2]
    assert data["headings"][0]["mark"] == "①"
    assert [a["id"] for a in data["added"]] == [published["projects"][1].pk]
    assert data["added"][0]["url"].endswith(f"/api/projects/{published['projects'][1].pk}/")
    assert data["removed"] == [
        {
            "project": None,
            "name": "ブカシ自動車認証試験場整備事業",
            "reason": {"code": "won", "label": data["removed"][0]["reason"]["label"]},
            "note": "",
        }
    ]
    assert data["proposed_removals"] == []


def test_drafts_are_for_editors_only(draft):
    viewer, editor = client_for(VIEWER), client_for(EDITOR)

    assert viewer.get("/api/editions/2024/").status_code == 404
    assert [e["year"] for e in viewer.get("/api/editions/").json()["results"]] == [2023]
    assert editor.get("/api/editions/2024/").json()["state"]["code"] == "draft"
    assert [e["year"] for e in editor.get("/api/editions/").json()["results"]] == [2024, 2023]
    assert viewer.get("/api/editions/2024/listings/").status_code == 404


def test_a_draft_proposes_removing_projects_won_since(draft):
    won = draft["projects"][2]
    DevelopmentFactory(
        project=won,
        kind=DevelopmentKind.AWARD,
        text="受注",
        date=datetime.date(2024, 1, 5),
        date_precision="day",
    )

    data = client_for(EDITOR).get("/api/editions/2024/").json()

    assert [p["project"] for p in data["proposed_removals"]] == [won.pk]
    assert data["proposed_removals"][0]["awards"][0]["text"] == "受注"
    assert Listing.objects.filter(edition=draft["draft"], project=won).exists()  # only proposed


def test_the_edition_list_query_count_does_not_grow(published, django_assert_max_num_queries):
    client = client_for(VIEWER)
    for year in (2019, 2020, 2021):
        edition = EditionFactory(year=year)
        ProjectFactory(listing_group=HeadingFactory(edition=edition, number=1), is_new=True)
    client.get("/api/editions/")

    with django_assert_max_num_queries(12):
        response = client.get("/api/editions/")

    assert response.json()["count"] == 4


def test_an_unknown_edition_is_404(published):
    assert client_for(VIEWER).get("/api/editions/2030/").status_code == 404


# Starting a draft.


def test_an_editor_starts_a_draft(published):
    response = client_for(EDITOR).post("/api/editions/", {"year": 2024})

    assert response.status_code == 201
    assert response["Location"].endswith("/api/editions/2024/")
    assert response.json()["state"]["code"] == "draft"
    assert response.json()["project_count"] == 3
    assert response["ETag"] == etag(2024)


@pytest.mark.parametrize(
    "body", [{"year": 2023}, {"year": 2020}, {"year": "x"}, {}, {"year": 2024, "x": 1}, {"year": 99999}]
)
def test_a_bad_start_is_a_400_with_field_messages(published, body):
    response = client_for(EDITOR).post("/api/editions/", body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]


def test_a_viewer_or_a_read_only_token_cannot_start_a_draft(published):
    viewer = client_for(VIEWER)
    token = user_token_client(UserFactory(role=EDITOR))
    _row, key = APIToken.objects.issue(user=UserFactory(role=EDITOR), name="ro", read_only=True)
    read_only = APIClient()
    read_only.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert viewer.post("/api/editions/", {"year": 2024}).status_code == 403
    assert read_only.post("/api/editions/", {"year": 2024}).status_code == 403
    assert read_only.get("/api/editions/2023/").status_code == 200
    assert token.post("/api/editions/", {"year": 2024}).status_code == 201


# The draft's list.


def test_the_listings_in_number_order_with_shown_developments(draft, django_assert_max_num_queries):
    project = draft["projects"][0]
    DevelopmentFactory(
        project=project, sequence=1, text="新しい動き", date=datetime.date(2024, 2, 1), date_precision="day"
    )
    for _ in range(5):
        ProjectFactory(listing_group=draft["draft"].headings.get(number=2))
    client = client_for(EDITOR)

    with django_assert_max_num_queries(12):
        response = client.get("/api/editions/2024/listings/")

    rows = response.json()
    assert response["ETag"] == etag(2024)
    assert len(rows) == 8
    assert [row["number"] for row in rows] == sorted(row["number"] for row in rows)
    assert [row["number"] for row in rows[:3]] == [1, 2, 3]
    assert rows[0]["project"] == project.pk
    assert rows[0]["listing_group"]["number"] == 1
    assert rows[0]["developments"] == [{"sequence": 1, "date": "2024-02-01", "text": "新しい動き"}]
    assert rows[1]["is_new"] is False  # carried into the draft: not new


def test_an_editor_adds_a_project_with_if_match(draft):
    project = ProjectFactory(listing_group=None)
    client = client_for(EDITOR)
    body = {"project": project.pk, "listing_group": 1, "position": 1}

    missing = client.post("/api/editions/2024/listings/", body)
    added = client.post("/api/editions/2024/listings/", body, HTTP_IF_MATCH=etag(2024))

    assert missing.status_code == 428
    assert missing.json() == {
        "detail": "このリクエストには版のETagを入れたIf-Matchヘッダーが必要です。版をGETし、そのETagを送り返してください。",
        "code": "precondition_required",
    }
    assert added.status_code == 201, added.json()
    assert added.json()["number"] == 1 and added.json()["is_new"] is True
    assert added["ETag"] == etag(2024) != draft["draft"].etag
    assert added["Location"].endswith(f"/api/editions/2024/listings/{project.pk}/")
    assert client.get(f"/api/editions/2024/listings/{project.pk}/").json()["number"] == 1


def test_a_stale_if_match_is_412_with_the_current_etag(draft):
    client = client_for(EDITOR)
    old = etag(2024)
    client.patch(
        f"/api/editions/2024/listings/{draft['projects'][0].pk}/", {"is_new": True}, HTTP_IF_MATCH=old
    )

    response = client.patch(
        f"/api/editions/2024/listings/{draft['projects'][0].pk}/", {"is_new": False}, HTTP_IF_MATCH=old
    )

    assert response.status_code == 412
    assert response["ETag"] == etag(2024) != old
    assert Listing.objects.get(edition__year=2024, project=draft["projects"][0]).is_new is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"project": 999999, "listing_group": 1}, "project"),
        ({"project": "x", "listing_group": 1}, "project"),
        ({"project": "{first}", "listing_group": 9}, "listing_group"),
        ({"project": "{first}", "listing_group": 1, "position": 0}, "position"),
        ({"project": "{first}", "listing_group": 1, "colour": "red"}, "colour"),
    ],
)
def test_a_bad_addition_is_a_400_naming_the_field(draft, body, field):
    new = ProjectFactory(listing_group=None)
    body = {k: (new.pk if v == "{first}" else v) for k, v in body.items()}

    response = client_for(EDITOR).post("/api/editions/2024/listings/", body, HTTP_IF_MATCH=etag(2024))

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_adding_an_already_listed_project_is_a_400(draft):
    response = client_for(EDITOR).post(
        "/api/editions/2024/listings/",
        {"project": draft["projects"][0].pk, "listing_group": 1},
        HTTP_IF_MATCH=etag(2024),
    )

    assert response.status_code == 400
    assert "project" in response.json()["errors"]


def test_moving_a_row_renumbers_and_choosing_developments(draft):
    project = draft["projects"][0]
    DevelopmentFactory(project=project, sequence=1, text="一")
    DevelopmentFactory(project=project, sequence=2, text="二")
    client = client_for(EDITOR)

    moved = client.patch(
        f"/api/editions/2024/listings/{project.pk}/",
        {"listing_group": 2, "developments": [2]},
        HTTP_IF_MATCH=etag(2024),
    )

    assert moved.status_code == 200, moved.json()
    assert moved.json()["listing_group"]["number"] == 2 and moved.json()["number"] == 3
    assert [d["text"] for d in moved.json()["developments"]] == ["二"]
    assert moved["ETag"] == etag(2024)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"developments": [99]}, "developments"),
        ({"listing_group": 7}, "listing_group"),
        ({"is_new": "maybe"}, "is_new"),
        ({}, "non_field_errors"),
    ],
)
def test_a_bad_change_is_a_400(draft, body, field):
    response = client_for(EDITOR).patch(
        f"/api/editions/2024/listings/{draft['projects'][0].pk}/",
        body,
        HTTP_IF_MATCH=etag(2024),
        format="json",
    )

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_removing_a_project_records_the_reason(draft):
    project = draft["projects"][2]
    client = client_for(EDITOR)

    bad = client.post(
        f"/api/editions/2024/listings/{project.pk}/remove/", {"reason": "bored"}, HTTP_IF_MATCH=etag(2024)
    )
    response = client.post(
        f"/api/editions/2024/listings/{project.pk}/remove/",
        {"reason": "won", "note": "受注"},
        HTTP_IF_MATCH=etag(2024),
    )

    assert bad.status_code == 400 and "reason" in bad.json()["errors"]
    assert response.status_code == 200
    assert response.json()["project"] == project.pk and response.json()["reason"]["code"] == "won"
    assert response["ETag"] == etag(2024)
    assert Removal.objects.get(edition__year=2024).note == "受注"
    assert not Listing.objects.filter(edition__year=2024, project=project).exists()
    assert client.get("/api/editions/2024/").json()["removed"][0]["project"] == project.pk


def test_an_unlisted_project_is_404(draft):
    response = client_for(EDITOR).patch(
        "/api/editions/2024/listings/999999/", {"is_new": True}, HTTP_IF_MATCH=etag(2024)
    )

    assert response.status_code == 404


# Publishing.


def test_only_administrators_publish_with_confirmation_and_if_match(draft):
    editor, admin = client_for(EDITOR), client_for(ADMINISTRATOR)

    assert (
        editor.post("/api/editions/2024/publish/", {"confirm": True}, HTTP_IF_MATCH=etag(2024)).status_code
        == 403
    )
    assert admin.post("/api/editions/2024/publish/", {"confirm": True}).status_code == 428
    unconfirmed = admin.post("/api/editions/2024/publish/", {"confirm": False}, HTTP_IF_MATCH=etag(2024))
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.json()["errors"]
    assert admin.post("/api/editions/2024/publish/", {}, HTTP_IF_MATCH=etag(2024)).status_code == 400

    response = admin.post("/api/editions/2024/publish/", {"confirm": True}, HTTP_IF_MATCH=etag(2024))

    assert response.status_code == 200
    assert response.json()["state"]["code"] == "published" and response.json()["published_at"]
    assert client_for(VIEWER).get("/api/editions/2024/").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/editions/2023/publish/", {"confirm": True}),
        ("post", "/api/editions/2023/listings/", {"project": 1, "listing_group": 1}),
        ("patch", "/api/editions/2023/listings/{p}/", {"is_new": True}),
        ("post", "/api/editions/2023/listings/{p}/remove/", {"reason": "won"}),
    ],
)
def test_a_published_edition_refuses_every_write_with_409(published, method, path, body):
    path = path.format(p=published["projects"][0].pk)
    client = client_for(ADMINISTRATOR)

    response = getattr(client, method)(path, body, HTTP_IF_MATCH=etag(2023), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "edition_published"
    assert Listing.objects.filter(edition__year=2023).count() == 3


# Comparing.


def test_the_draft_compares_with_the_published_edition(draft):
    client = client_for(EDITOR)
    new = ProjectFactory(listing_group=None)
    client.post(
        "/api/editions/2024/listings/", {"project": new.pk, "listing_group": 2}, HTTP_IF_MATCH=etag(2024)
    )
    client.post(
        f"/api/editions/2024/listings/{draft['projects'][0].pk}/remove/",
        {"reason": "won"},
        HTTP_IF_MATCH=etag(2024),
    )

    data = client.get("/api/editions/2024/compare/2023/").json()

    assert (data["older_year"], data["newer_year"]) == (2023, 2024)
    assert [row["project"] for row in data["added"]] == [new.pk]
    assert [(r["project"], r["reason"]["code"]) for r in data["removed"]] == [
        (draft["projects"][0].pk, "won")
    ]
    assert data["carried_count"] == 2
    assert {"renumbered", "moved", "status_changed"} <= set(data["carried"][0])
    assert data["carried"][0]["older"]["number"] is not None


def test_an_edition_compares_with_its_stated_predecessor(published):
    data = client_for(VIEWER).get("/api/editions/2023/compare/2022/").json()

    assert data["stated"] is True
    assert (data["older_count"], data["removed_count"]) == (3, 1)
    assert [row["name"] for row in data["removed"]] == ["ブカシ自動車認証試験場整備事業"]


def test_comparing_with_an_unknown_or_hidden_year_is_404(draft):
    viewer = client_for(VIEWER)

    assert viewer.get("/api/editions/2023/compare/2019/").status_code == 404
    assert viewer.get("/api/editions/2023/compare/2024/").status_code == 404
    assert client_for(EDITOR).get("/api/editions/2023/compare/2024/").status_code == 200
