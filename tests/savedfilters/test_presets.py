"""`GET /api/projects/?saved=<id>`: the saved filter's filters, as if given explicitly; an explicit
filter replaces the saved value; another user's or an unknown id is a 400 on `saved`."""

import pytest

from accounts.roles import VIEWER
from savedfilters.services import saved_filter_create
from tests.clients import user_token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUERY = "region=southeast-asia&sector=rail"


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def viewer():
    return UserFactory(role=VIEWER)


def test_saved_gives_the_same_list_as_its_filters(plan_data, viewer):
    saved = saved_filter_create(owner=viewer, name="rail", query=QUERY)
    client = user_token_client(viewer)

    by_saved = client.get(f"/api/projects/?saved={saved.pk}&limit=1000")
    explicit = client.get(f"/api/projects/?{QUERY}&limit=1000")

    assert by_saved.json()["count"] == explicit.json()["count"]
    assert 0 < by_saved.json()["count"] < 93
    assert ids(by_saved) == ids(explicit)


def test_an_explicit_filter_replaces_the_saved_value(plan_data, viewer):
    saved = saved_filter_create(owner=viewer, name="rail", query=QUERY)
    client = user_token_client(viewer)

    overridden = client.get(f"/api/projects/?saved={saved.pk}&sector=road&limit=1000")
    explicit = client.get("/api/projects/?region=southeast-asia&sector=road&limit=1000")
    extended = client.get(f"/api/projects/?saved={saved.pk}&won=true&limit=1000")
    both = client.get(f"/api/projects/?{QUERY}&won=true&limit=1000")

    assert ids(overridden) == ids(explicit)
    assert ids(extended) == ids(both)
    assert set(ids(extended)) < set(ids(client.get(f"/api/projects/?saved={saved.pk}&limit=1000")))


def test_the_csv_export_takes_saved(plan_data, viewer):
    saved = saved_filter_create(owner=viewer, name="rail", query=QUERY)
    client = user_token_client(viewer)

    by_saved = client.get(f"/api/projects/?saved={saved.pk}&format=csv")
    explicit = client.get(f"/api/projects/?{QUERY}&format=csv")

    assert by_saved.status_code == 200
    assert b"".join(by_saved.streaming_content if by_saved.streaming else [by_saved.content]) == b"".join(
        explicit.streaming_content if explicit.streaming else [explicit.content]
    )


@pytest.mark.parametrize("value", ["theirs", "999999", "abc", "", "1" * 30])
def test_another_users_or_an_unknown_id_is_a_400_on_saved(plan_data, viewer, value):
    theirs = saved_filter_create(owner=UserFactory(role=VIEWER), name="theirs", query=QUERY)
    value = str(theirs.pk) if value == "theirs" else value

    response = user_token_client(viewer).get(f"/api/projects/?saved={value}")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["saved"]


def test_saved_is_documented_in_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = {p["name"]: p for p in schema["paths"]["/api/projects/"]["get"]["parameters"]}

    assert parameters["saved"]["schema"]["type"] == "integer"
    assert "saved" in parameters["saved"]["description"]
    assert "/api/saved-filters/" in schema["paths"]
    assert "/api/saved-filters/{id}/" in schema["paths"]
    assert "saved" not in {p["name"] for p in schema["paths"]["/api/developments/"]["get"]["parameters"]}
