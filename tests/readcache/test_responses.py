"""The project list (every format), the status table and the summary: an ETag from the data
version and the request, a 304 for it after the token check and one small read, and (JSON
pages, the status table's page and JSON, the summary) a cached answer that runs no page query.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.roles import EDITOR, VIEWER
from projects import services
from readcache import version
from savedfilters.services import saved_filter_create, saved_filter_save
from tests.clients import user_token_client
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

# The token, its user and the user's permissions (tokens.models), then the data version.
AUTH_AND_VERSION = 2

CACHED = [
    "/api/projects/",
    "/api/projects/?limit=1&offset=1",
    "/api/projects/status-table/",
    "/api/projects/status-table/?format=json",
    "/api/summary/",
]
FILES = [
    "/api/projects/?format=csv",
    "/api/projects/?format=xlsx",
    "/api/projects/?format=oc4ids",
    "/api/projects/?format=iati",
    "/api/projects/status-table/?format=xlsx",
]


@pytest.fixture
def projects():
    return [ProjectFactory(number=n) for n in (1, 2, 3)]


@pytest.fixture
def viewer():
    return UserFactory(role=VIEWER)


@pytest.fixture
def client(viewer):
    return user_token_client(viewer)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("url", CACHED + FILES)
def test_a_current_etag_is_a_304_after_the_token_check_and_one_read(
    projects, client, url, django_assert_num_queries
):
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith(f'"d{version.current()}-')

    with django_assert_num_queries(AUTH_AND_VERSION):
        again = client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}')

    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""


@pytest.mark.parametrize("url", CACHED)
def test_a_repeated_read_is_answered_from_the_cache(projects, client, url, django_assert_num_queries):
    first = client.get(url)

    with django_assert_num_queries(AUTH_AND_VERSION):
        again = client.get(url)

    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"]


@pytest.mark.parametrize("url", FILES)
def test_files_are_not_cached(projects, client, url):
    first = body(client.get(url))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        again = body(response)

    assert len(queries) > AUTH_AND_VERSION  # built again
    assert again and (response.streaming or again[:2] == first[:2] == b"PK")


def test_read_cache_off_builds_every_answer_and_keeps_the_etag(projects, client, settings):
    settings.READ_CACHE = False
    first = client.get("/api/summary/")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/api/summary/")

    assert len(queries) > AUTH_AND_VERSION
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert client.get("/api/summary/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_write_changes_every_etag_and_the_answer(projects, client, viewer):
    etags = {url: client.get(url)["ETag"] for url in CACHED}
    services.project_update(project=projects[0], user=UserFactory(role=EDITOR), name="改名")

    for url, etag in etags.items():
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200, url
        assert response["ETag"] != etag
    assert "改名" in client.get("/api/projects/").content.decode()


def test_the_key_normalises_the_query_and_names_page_format_and_language(projects, client):
    def etag(url, **headers):
        return client.get(url, **headers)["ETag"]

    assert etag("/api/projects/?limit=1&offset=1") == etag("/api/projects/?offset=1&limit=1")
    assert etag("/api/projects/?limit=1") != etag("/api/projects/?limit=2")
    assert etag("/api/projects/?status=preparation") != etag("/api/projects/")
    assert etag("/api/projects/?format=json") != etag("/api/projects/?format=csv")
    assert etag("/api/summary/", HTTP_ACCEPT_LANGUAGE="en") != etag(
        "/api/summary/", HTTP_ACCEPT_LANGUAGE="ja"
    )


def test_viewers_share_answers_editors_and_saved_filters_get_their_own(projects, client, viewer):
    other = user_token_client(UserFactory(role=VIEWER))
    editor = user_token_client(UserFactory(role=EDITOR))
    assert client.get("/api/projects/")["ETag"] == other.get("/api/projects/")["ETag"]
    assert client.get("/api/projects/")["ETag"] != editor.get("/api/projects/")["ETag"]

    saved = saved_filter_create(owner=viewer, name="準備", query="status=preparation")
    mine = client.get(f"/api/projects/?saved={saved.pk}")
    assert mine.status_code == 200
    assert other.get(f"/api/projects/?saved={saved.pk}").status_code == 400  # not theirs, not cached


def test_a_saved_filter_change_is_seen_at_once(projects, client, viewer):
    saved = saved_filter_create(owner=viewer, name="準備", query="status=identification")
    url = f"/api/projects/?saved={saved.pk}"
    before = client.get(url).json()["count"]

    saved.query = "status=completed"
    saved_filter_save(saved_filter=saved)

    assert client.get(url).json()["count"] != before


def test_the_browsable_api_and_errors_carry_no_data_etag(projects):
    session = APIClient()
    session.force_login(UserFactory(role=VIEWER))
    assert "ETag" not in session.get("/api/projects/", HTTP_ACCEPT="text/html")
    assert "ETag" not in session.get("/api/projects/?status=nonsense")


def test_the_project_detail_keeps_its_own_etag(projects, client):
    response = client.get(f"/api/projects/{projects[0].pk}/")
    assert response["ETag"] == projects[0].etag
