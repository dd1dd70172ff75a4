"""No lost updates: 16 clients send the same If-Match at once; exactly one wins.

Real concurrency needs real row locks, so this runs on PostgreSQL only, against a live
server, with threads released together by a barrier. On SQLite the `postgresql` marker
deselects it (tests/conftest.py); selecting it there explicitly is an error, not a skip.
"""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection

from accounts.roles import ADMINISTRATOR, EDITOR
from projects.api.etags import project_etag
from projects.models import Project, Sector
from tests.factories import CountryFactory, HeadingFactory, ProjectFactory, SectorFactory, UserFactory
from tokens.models import APIToken

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

CLIENTS = 16


def send_together(requests_args, bodies=None):
    """Send the requests from one thread each, all released at once; returns (status, etag)s.
    With a `bodies` list, it receives each answer's JSON body, in the same order."""
    barrier = threading.Barrier(len(requests_args))
    results = [None] * len(requests_args)
    if bodies is not None:
        bodies[:] = [None] * len(requests_args)

    def send(index, request):
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                results[index] = (response.status, response.headers.get("ETag"))
                body = response.read()
        except urllib.error.HTTPError as error:
            results[index] = (error.code, error.headers.get("ETag"))
            body = error.read()
        if bodies is not None:
            bodies[index] = json.loads(body)

    threads = [threading.Thread(target=send, args=(i, r)) for i, r in enumerate(requests_args)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert all(result is not None for result in results), results
    return results


def json_request(url, method, body, *, key, if_match=None):
    headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}
    if if_match is not None:
        headers["If-Match"] = if_match
    return urllib.request.Request(url, data=json.dumps(body).encode(), method=method, headers=headers)


@pytest.fixture
def editor_key():
    _token, key = APIToken.objects.issue(user=UserFactory(role=EDITOR), name="concurrency")
    return key


@pytest.fixture
def admin_key():
    _token, key = APIToken.objects.issue(user=UserFactory(role=ADMINISTRATOR), name="concurrency")
    return key


def test_the_database_is_postgresql():
    assert connection.vendor == "postgresql"


def test_concurrent_patches_with_the_same_etag_exactly_one_wins(live_server, editor_key):
    project = ProjectFactory(name_en="Original")
    etag = project_etag(project)
    history_before = project.history.count()
    url = f"{live_server.url}/api/projects/{project.pk}/"

    results = send_together(
        [
            json_request(url, "PATCH", {"name_en": f"Client {i}"}, key=editor_key, if_match=etag)
            for i in range(CLIENTS)
        ]
    )

    statuses = [status for status, _etag in results]
    assert sorted(statuses) == [200] + [412] * (CLIENTS - 1)
    winner = statuses.index(200)
    project.refresh_from_db()
    assert project.name_en == f"Client {winner}"
    assert project.version == 2
    assert project.history.count() == history_before + 1
    # Every loser is told the version that won.
    assert {etag for status, etag in results} == {project_etag(project)}


def test_concurrent_status_changes_with_the_same_etag_exactly_one_wins(live_server, editor_key):
    project = ProjectFactory()
    etag = project_etag(project)
    url = f"{live_server.url}/api/projects/{project.pk}/status-changes/"
    statuses = ["preparation", "procurement", "implementation", "suspended"] * (CLIENTS // 4)

    results = send_together(
        [json_request(url, "POST", {"status": s}, key=editor_key, if_match=etag) for s in statuses]
    )

    codes = [code for code, _etag in results]
    assert sorted(codes) == [201] + [412] * (CLIENTS - 1)
    project = Project.objects.get(pk=project.pk)
    assert project.status == statuses[codes.index(201)]
    assert project.status_changes.count() == 2


def assert_one_created_and_the_rest_refused_like_a_duplicate(results, bodies, field):
    codes = [code for code, _etag in results]
    assert sorted(codes) == [201] + [400] * (CLIENTS - 1), codes
    for code, body in zip(codes, bodies, strict=True):
        if code == 400:
            assert body["code"] == "invalid"
            assert list(body["errors"]) == [field]


def test_concurrent_creates_with_the_same_number_one_wins_the_rest_get_400(live_server, editor_key):
    CountryFactory(iso_code="VN")
    HeadingFactory(number=1)
    SectorFactory(code="rail")
    body = {
        "number": 900,
        "name": "同時作成",
        "name_en": "Created at once",
        "summary": "概要",
        "country": "VN",
        "listing_group": 1,
        "sectors": ["rail"],
    }
    bodies = []

    results = send_together(
        [json_request(f"{live_server.url}/api/projects/", "POST", body, key=editor_key)] * CLIENTS, bodies
    )

    assert_one_created_and_the_rest_refused_like_a_duplicate(results, bodies, "number")
    assert Project.objects.filter(number=900).count() == 1


def test_concurrent_sectors_with_the_same_code_one_wins_the_rest_get_400(live_server, admin_key):
    body = {"code": "water", "name_ja": "上下水道", "name_en": "Water", "dac_code": 14020}
    bodies = []

    results = send_together(
        [json_request(f"{live_server.url}/api/sectors/", "POST", body, key=admin_key)] * CLIENTS, bodies
    )

    assert_one_created_and_the_rest_refused_like_a_duplicate(results, bodies, "code")
    assert Sector.objects.filter(code="water").count() == 1
