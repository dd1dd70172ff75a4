"""GET /api/summary/: who may read it, its 400s (the project list's), its answer and its schema."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from projects.filtersets import ProjectFilterSet
from projects.models import Status
from tests.clients import client_for, user_token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/summary/"


def test_anonymous_is_refused():
    assert APIClient().get(URL).status_code == 401


@pytest.mark.parametrize("role", [VIEWER, EDITOR, ADMINISTRATOR])
def test_every_role_reads_it(plan_data, role):
    response = client_for(role).get(URL)

    assert response.status_code == 200
    assert response.json()["total"] == 93


def test_a_viewer_token_reads_it_and_the_counts_are_the_lists(plan_data):
    client = user_token_client(UserFactory(role=VIEWER))

    body = client.get(URL, {"region": "southeast-asia"}).json()

    assert set(body) == {
        "total",
        "new",
        "won",
        "by_status",
        "by_region",
        "by_sector",
        "by_scheme_family",
        "by_country",
    }
    assert [row["code"] for row in body["by_status"]] == Status.values
    assert sum(row["count"] for row in body["by_status"]) == body["total"]
    listed = client.get("/api/projects/", {"region": "southeast-asia", "limit": 1}).json()["count"]
    assert body["total"] == listed
    rail = next(row for row in body["by_sector"] if row["code"] == "rail")
    assert (
        rail["count"]
        == client.get("/api/projects/", {"region": "southeast-asia", "sector": "rail"}).json()["count"]
    )
    won = client.get("/api/projects/", {"region": "southeast-asia", "won": "true"}).json()["count"]
    assert body["won"] == won


def test_names_follow_accept_language(plan_data):
    client = client_for(VIEWER)

    ja = client.get(URL, HTTP_ACCEPT_LANGUAGE="ja").json()
    en = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()

    assert en["by_status"][0]["name"] == "Identification"
    assert ja["by_status"][0]["name"] != "Identification"
    assert ja["by_country"][0]["code"] == en["by_country"][0]["code"]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ({"region": "atlantis"}, "region"),
        ({"won": "maybe"}, "won"),
        ({"colour": "red"}, "colour"),
        ({"limit": "10"}, "limit"),  # one answer, not a page
        ({"edition": "1900"}, "edition"),
    ],
)
def test_bad_parameters_are_the_lists_400s(plan_data, query, name):
    response = client_for(VIEWER).get(URL, query)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_query"
    assert name in body["errors"]


def test_the_schema_documents_it_with_the_lists_filters():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][URL]["get"]

    parameters = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    assert parameters == set(ProjectFilterSet.base_filters)
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Summary"}
    assert "by_sector" in schema["components"]["schemas"]["Summary"]["properties"]
    assert {"400", "401", "403"} <= set(operation["responses"])
