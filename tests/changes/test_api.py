"""GET /api/changes/: read by any role, filtered, paginated, a 400 for bad values."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.roles import VIEWER
from projects import services
from projects.models import DevelopmentKind
from tests.clients import client_for, user_token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_refused():
    assert APIClient().get("/api/changes/").status_code == 401


def test_a_viewer_token_reads_the_log(editor, world):
    services.project_update(project=world["bangkok"], user=editor, name_en="Red Line")
    client = user_token_client(UserFactory(role=VIEWER))

    response = client.get("/api/changes/", {"country": "TH", "user": editor.pk})

    assert response.status_code == 200, response.json()
    [change] = response.json()["results"]
    assert change["kind"] == "project_changed" and change["user"] == editor.pk
    assert change["project"]["number"] == 10 and change["project"]["url"].endswith(
        f"/api/projects/{world['bangkok'].pk}/"
    )
    assert {"field": "英語名称", "before": "Bangkok Urban Railway", "after": "Red Line"} in change["changes"]


def test_writes_are_refused():
    assert client_for(VIEWER).post("/api/changes/", {}).status_code in (403, 405)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"since": "yesterday"}, "since"),
        ({"since": "2024-05-01", "until": "2024-04-01"}, "until"),
        ({"country": "XX"}, "country"),
        ({"region": "moon"}, "region"),
        ({"sector": "nope"}, "sector"),
        ({"kind": "explosion"}, "kind"),
        ({"user": "abc"}, "user"),
        ({"project": "99999"}, "project"),
        ({"colour": "red"}, "colour"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_bad_values_are_a_400_naming_the_parameter(world, params, name):
    response = client_for(VIEWER).get("/api/changes/", params)
    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_pages_cost_the_same_queries(editor, world):
    for index in range(30):
        services.project_update(project=world["bangkok"], user=editor, name_en=f"Name {index}")
        services.development_add(
            project=world["hsr"], kind=DevelopmentKind.OTHER, text=f"t{index}", user=editor
        )
    client = client_for(VIEWER)
    client.get("/api/changes/")  # sessions, permissions' caches
    counts = []
    for limit in (10, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/changes/", {"limit": limit})
        assert len(response.json()["results"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_schema_documents_the_endpoint(admin_client):
    response = APIClient()
    response.force_login(UserFactory(role=VIEWER))
    schema = response.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/changes/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {
        "since",
        "until",
        "user",
        "project",
        "country",
        "region",
        "sector",
        "kind",
        "limit",
        "offset",
    } <= names
