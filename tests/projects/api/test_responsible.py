"""A project's responsible officers in the API: the detail lists them, `responsible=me` (or a
user's id) filters the list, a bad value is a 400 naming the parameter, and a change of officers
bumps the version (so the ETag) without an audit row."""

import pytest
from rest_framework.test import APIClient

from accounts.roles import EDITOR, VIEWER
from projects import services
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(role=EDITOR, first_name="Taro", last_name="Yamada")


@pytest.fixture
def officer_client(officer):
    client = APIClient()
    client.force_login(officer)
    return client


@pytest.fixture
def projects(officer):
    mine, theirs, nobodys = ProjectFactory(number=1), ProjectFactory(number=2), ProjectFactory(number=3)
    mine.responsible.add(officer)
    theirs.responsible.add(UserFactory(role=EDITOR))
    return {"mine": mine, "theirs": theirs, "nobodys": nobodys}


def _numbers(response):
    assert response.status_code == 200, response.content
    return sorted(row["number"] for row in response.json()["results"])


def test_responsible_me_lists_my_projects(officer_client, projects):
    assert _numbers(officer_client.get("/api/projects/", {"responsible": "me"})) == [1]
    assert _numbers(officer_client.get("/api/projects/")) == [1, 2, 3]


def test_responsible_takes_a_users_id(officer_client, projects):
    colleague = projects["theirs"].responsible.get()

    assert _numbers(officer_client.get("/api/projects/", {"responsible": colleague.pk})) == [2]
    assert _numbers(officer_client.get("/api/projects/", {"responsible": 999999})) == []


def test_a_viewer_responsible_for_nothing_gets_an_empty_list(projects):
    client = APIClient()
    client.force_login(UserFactory(role=VIEWER))

    assert _numbers(client.get("/api/projects/", {"responsible": "me"})) == []


@pytest.mark.parametrize("value", ["you", "0", "-1", "me,1", "1" * 30, "", "me\x00"])
def test_a_bad_responsible_value_is_a_400_naming_it(officer_client, projects, value):
    response = officer_client.get("/api/projects/", {"responsible": value})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["responsible"]


def test_the_detail_names_the_responsible_officers(officer_client, projects, officer):
    body = officer_client.get(f"/api/projects/{projects['mine'].pk}/").json()

    assert body["responsible"] == [{"id": officer.pk, "name": "Taro Yamada"}]


def test_a_put_of_the_detail_body_is_accepted(officer_client, projects):
    project = projects["mine"]
    response = officer_client.get(f"/api/projects/{project.pk}/")
    body = {**response.json(), "name_en": "Renamed"}

    put = officer_client.put(
        f"/api/projects/{project.pk}/", body, format="json", HTTP_IF_MATCH=response["ETag"]
    )

    assert put.status_code == 200, put.content
    assert put.json()["responsible"] == response.json()["responsible"]


def test_a_change_of_officers_bumps_the_version_without_an_audit_row(officer_client, projects, officer):
    project = projects["nobodys"]
    etag = officer_client.get(f"/api/projects/{project.pk}/")["ETag"]
    audit_rows = project.history.count()

    services.project_update(
        project=project, user=officer, expected_version=project.version, responsible=[officer]
    )
    unchanged = services.project_update(project=project, user=officer, responsible=[officer])

    project.refresh_from_db()
    assert project.version == unchanged.version == 2
    assert project.history.count() == audit_rows
    assert list(project.responsible.all()) == [officer]
    assert project.watches.filter(user=officer).exists()  # watches.signals
    assert officer_client.get(f"/api/projects/{project.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_officers_change_with_other_fields_in_one_audit_row(projects, officer):
    project = projects["theirs"]
    audit_rows = project.history.count()

    updated = services.project_update(project=project, user=officer, name_en="Both", responsible=[])

    assert (updated.version, updated.name_en) == (2, "Both")
    assert not project.responsible.exists()
    assert project.history.count() == audit_rows + 1
