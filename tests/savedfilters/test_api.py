"""/api/saved-filters/: the owner's rows only, the query checked like the list's, 400s by field."""

import pytest

from accounts.roles import VIEWER
from savedfilters.models import SavedFilter
from savedfilters.services import saved_filter_create
from tests.clients import user_token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/saved-filters/"


@pytest.fixture
def viewer():
    return UserFactory(role=VIEWER)


def test_a_viewer_creates_lists_updates_and_deletes_their_own(plan_data, viewer):
    client = user_token_client(viewer)

    created = client.post(
        URL, {"name": "南アジアの鉄道", "query": "sector=rail&region=south-asia", "is_default": True}
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["query"] == "region=south-asia&sector=rail"
    assert created.json()["projects_url"].endswith(f"/api/projects/?saved={pk}")

    assert [row["id"] for row in client.get(URL).json()] == [pk]
    changed = client.patch(f"{URL}{pk}/", {"name": "rail", "query": "sector=road"}, format="json")
    assert (changed.status_code, changed.json()["name"], changed.json()["query"]) == (
        200,
        "rail",
        "sector=road",
    )
    assert client.delete(f"{URL}{pk}/").status_code == 204
    assert not SavedFilter.objects.exists()


def test_another_users_filter_is_not_found(plan_data, viewer):
    theirs = saved_filter_create(owner=UserFactory(role=VIEWER), name="theirs", query="sector=rail")
    client = user_token_client(viewer)

    assert client.get(URL).json() == []
    for method in ("get", "patch", "delete"):
        assert getattr(client, method)(f"{URL}{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "theirs"


def test_a_bad_query_is_a_400_naming_the_field_and_writes_nothing(plan_data, viewer, english):
    response = user_token_client(viewer).post(URL, {"name": "x", "query": "region=nowhere&colour=red"})

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], list(body["errors"])) == ("invalid", ["query"])
    assert any(message.startswith("colour: Unknown parameter") for message in body["errors"]["query"])
    assert any(message.startswith("region: ") for message in body["errors"]["query"])
    assert not SavedFilter.objects.exists()


def test_a_taken_name_is_a_400_on_name(plan_data, viewer):
    saved_filter_create(owner=viewer, name="rail", query="sector=rail")

    response = user_token_client(viewer).post(URL, {"name": "rail", "query": "sector=road"})

    assert (response.status_code, list(response.json()["errors"])) == (400, ["name"])
    assert SavedFilter.objects.count() == 1


def test_a_second_default_through_the_api_replaces_the_first(plan_data, viewer):
    client = user_token_client(viewer)
    first = client.post(URL, {"name": "a", "query": "sector=rail", "is_default": True}).json()["id"]
    client.post(URL, {"name": "b", "query": "sector=road", "is_default": True})

    assert SavedFilter.objects.get(pk=first).is_default is False
    assert SavedFilter.objects.filter(owner=viewer, is_default=True).count() == 1


def test_the_list_needs_a_login():
    from rest_framework.test import APIClient

    assert APIClient().get(URL).status_code == 401
