"""The OpenAPI schema validates, documents every filter, every error response and the
concurrency headers, and its docs page needs no CDN."""

import io
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from accounts.roles import VIEWER
from projects.filtersets import DevelopmentFilterSet, ProjectFilterSet
from tests.factories import UserFactory


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def parameters(operation, location):
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == location}


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_schema_is_valid_openapi_3_with_no_warnings(tmp_path):
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stderr=io.StringIO())

    assert out.read_text().startswith("openapi: 3.")


def test_schema_validates_against_the_openapi_json_schema(schema):
    validate_schema(schema)


def test_schema_has_every_endpoint(schema):
    assert set(schema["paths"]) >= {
        "/api/projects/",
        "/api/projects/{id}/",
        "/api/projects/{project_pk}/developments/",
        "/api/projects/{project_pk}/status-changes/",
        "/api/developments/",
        "/api/regions/",
        "/api/countries/",
        "/api/sectors/",
        "/api/schemes/",
        "/api/editions/",
        "/api/editions/{year}/",
        "/api/editions/{year}/publish/",
        "/api/editions/{year}/listings/",
        "/api/editions/{year}/listings/{project_id}/",
        "/api/editions/{year}/listings/{project_id}/remove/",
        "/api/editions/{year}/compare/{other}/",
    }
    assert "/api/listing-groups/" not in schema["paths"]


def test_schema_documents_every_filter_with_a_description(schema):
    projects = parameters(schema["paths"]["/api/projects/"]["get"], "query")
    feed = parameters(schema["paths"]["/api/developments/"]["get"], "query")

    assert set(projects) == set(ProjectFilterSet.base_filters) | {"limit", "offset", "format", "saved"}
    assert projects["format"]["schema"]["enum"] == ["csv", "iati", "json", "oc4ids", "xlsx"]
    assert "OC4IDS 0.9.5" in projects["format"]["description"]
    assert set(feed) == set(DevelopmentFilterSet.base_filters) | {"limit", "offset"}
    for name, parameter in [*projects.items(), *feed.items()]:
        assert parameter.get("description"), name
    assert projects["limit"]["schema"]["maximum"] == 1000
    assert projects["is_new"]["schema"]["type"] == "boolean"
    assert projects["development_after"]["schema"]["format"] == "date"
    assert "latest_development" in projects["ordering"]["schema"]["items"]["enum"]


def test_every_operation_documents_its_errors(schema):
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        assert {"400", "401", "403", "406", "429", "503"} <= codes, (path, method)
        if "{" in path:
            assert "404" in codes, (path, method)
        if method in ("post", "put", "patch"):
            assert {"411", "413", "415"} <= codes, (path, method)
        for code in codes - {"200", "201", "204", "304"}:  # 204: a delete, no body
            body = operation["responses"][code]["content"]["application/json"]["schema"]
            # An import's 409 also returns the import, so the client sees why it conflicts.
            expected = "ImportConflict" if (path, code) == ("/api/imports/{id}/apply/", "409") else "Error"
            assert body == {"$ref": f"#/components/schemas/{expected}"}, (path, method, code)


def test_schema_documents_the_concurrency_headers(schema):
    detail = schema["paths"]["/api/projects/{id}/"]

    for method in ("put", "patch"):
        operation = detail[method]
        assert parameters(operation, "header")["If-Match"]["required"] is True
        assert {"200", "412", "428"} <= set(operation["responses"])
        assert "ETag" in operation["responses"]["200"]["headers"]
        assert "ETag" in operation["responses"]["412"]["headers"]
    read = detail["get"]
    assert "If-None-Match" in parameters(read, "header")
    assert "304" in read["responses"]
    assert "ETag" in read["responses"]["200"]["headers"]
    for child in ("developments", "status-changes"):
        post = schema["paths"][f"/api/projects/{{project_pk}}/{child}/"]["post"]
        assert parameters(post, "header")["If-Match"].get("required", False) is False
        assert "412" in post["responses"]


@pytest.mark.parametrize("path", ["/api/projects/", "/api/projects/status-table/", "/api/summary/"])
def test_schema_documents_the_conditional_reads(schema, path):
    # readcache: the data version's ETag, If-None-Match and the 304.
    read = schema["paths"][path]["get"]
    assert "If-None-Match" in parameters(read, "header")
    assert "304" in read["responses"]
    assert "ETag" in read["responses"]["200"]["headers"]


def test_schema_documents_the_editions_writes(schema):
    writes = [
        ("/api/editions/{year}/publish/", "post"),
        ("/api/editions/{year}/listings/", "post"),
        ("/api/editions/{year}/listings/{project_id}/", "patch"),
        ("/api/editions/{year}/listings/{project_id}/remove/", "post"),
    ]
    for path, method in writes:
        operation = schema["paths"][path][method]
        assert parameters(operation, "header")["If-Match"]["required"] is True, path
        assert {"200", "409", "412", "428"} <= set(operation["responses"]) or "201" in operation["responses"]
        assert {"409", "412", "428"} <= set(operation["responses"]), path
    assert "ETag" in schema["paths"]["/api/editions/{year}/"]["get"]["responses"]["200"]["headers"]
    assert "201" in schema["paths"]["/api/editions/"]["post"]["responses"]


def test_schema_documents_both_authentications(schema):
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_a_cdn():
    client = APIClient()
    client.force_login(UserFactory(role=VIEWER))

    schema = client.get("/api/schema/?format=json")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert schema.json()["info"]["title"]
    assert docs.status_code == 200
    html = docs.content.decode()
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # nothing from the internet
    assets = re.findall(r"/static/(drf_spectacular_sidecar/[^\"']+)", html)
    assert assets
    for asset in assets:
        assert finders.find(asset), asset


def test_the_schema_states_the_bounds_the_server_keeps(schema):
    projects = parameters(schema["paths"]["/api/projects/"]["get"], "query")
    feed = parameters(schema["paths"]["/api/developments/"]["get"], "query")
    request = schema["components"]["schemas"]["ProjectInputRequest"]["properties"]

    assert projects["listing_group"]["schema"]["items"]["minimum"] == 1
    assert feed["project"]["schema"]["items"]["minimum"] == 1
    assert request["number"]["minimum"] == 1
    assert "listing_group" not in request  # an edition's listing: /api/editions/{year}/listings/
    assert projects["q"]["schema"]["maxLength"] == 200


@pytest.mark.django_db
def test_a_project_number_below_the_schemas_minimum_is_400():
    from accounts.roles import EDITOR
    from tests.factories import ProjectFactory

    project = ProjectFactory()
    client = APIClient()
    client.force_login(UserFactory(role=EDITOR))
    etag = client.get(f"/api/projects/{project.pk}/")["ETag"]

    response = client.patch(f"/api/projects/{project.pk}/", {"number": 0}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["number"]
