"""Filter codes are checked against cached reference codes (projects/codes.py): no query when
they are known, never a wrong refusal when a row was just added, an immediate refusal when one
was renamed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.roles import VIEWER
from projects.models import Sector
from tests.factories import ProjectFactory, SchemeFactory, SectorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(settings):
    settings.READ_CACHE = False  # each answer built, so the codes are checked (not readcache's copy)
    client = APIClient()
    client.force_authenticate(UserFactory(role=VIEWER))
    return client


@pytest.fixture(params=["local memory", "redis"])
def cache_backend(request):
    """Each test of the codes runs with the quick start's cache and with production's, the
    machine's Redis (CACHE_URL=redis://)."""
    if request.param == "redis":
        request.getfixturevalue("shared_cache")
    return request.param


@pytest.fixture
def rail(cache_backend):
    sector = SectorFactory(code="rail")
    ProjectFactory(sectors=[sector], number=1)
    ProjectFactory(sectors=[SectorFactory(code="port")], number=2)
    return sector


def get(client, query):
    with CaptureQueriesContext(connection) as context:
        response = client.get(f"/api/projects/?{query}")
    return response, [q["sql"] for q in context.captured_queries]


def code_queries(queries):
    return [sql for sql in queries if sql.startswith('SELECT "projects_sector"."code"')]


def test_the_codes_are_read_once_then_served_from_the_cache(client, rail):
    first, first_queries = get(client, "sector=rail")
    second, second_queries = get(client, "sector=rail")

    assert [p["number"] for p in first.data["results"]] == [1]
    assert second.data == first.data
    assert len(code_queries(first_queries)) == 1
    assert code_queries(second_queries) == []


def test_a_code_added_without_signals_is_looked_up_not_refused(client, rail):
    get(client, "sector=rail")  # the cache now holds rail and port
    Sector.objects.bulk_create([Sector(code="airport", name_ja="空港", name_en="Airports", dac_code=21050)])

    response, queries = get(client, "sector=airport")

    assert response.status_code == 200
    assert response.data["count"] == 0
    assert len(code_queries(queries)) == 1  # the unknown code sent it to the database


def test_an_unknown_code_is_a_400_whether_or_not_the_cache_is_warm(client, rail):
    get(client, "sector=rail")

    response, _queries = get(client, "sector=rail,nonsense")

    assert response.status_code == 400
    assert "nonsense" in str(response.data["errors"]["sector"])


def test_renaming_a_code_forgets_the_cached_codes(client, rail):
    get(client, "sector=rail")
    rail.code = "railway"
    rail.save()

    old, _queries = get(client, "sector=rail")
    new, _queries = get(client, "sector=railway")

    assert old.status_code == 400
    assert [p["number"] for p in new.data["results"]] == [1]


def test_scheme_codes_use_the_cache_too(client, rail):
    scheme = SchemeFactory(code="oda-loan")
    ProjectFactory(sectors=[rail], schemes=[scheme], number=3)
    get(client, "scheme=oda-loan")

    response, queries = get(client, "scheme=oda-loan")

    assert [p["number"] for p in response.data["results"]] == [3]
    assert not [sql for sql in queries if sql.startswith('SELECT "projects_scheme"."code"')]


def test_a_rename_forgets_the_codes_again_when_it_commits(client, rail, django_capture_on_commit_callbacks):
    """Another worker may read the old codes between the save and the commit, and store them
    in the shared cache: the commit forgets them again."""
    from django.core.cache import cache

    from projects.codes import _key

    with django_capture_on_commit_callbacks(execute=True):
        rail.code = "railway"
        rail.save()
        cache.set(_key(Sector, "code"), frozenset({"rail", "port"}))  # that worker's read

    old, _queries = get(client, "sector=rail")

    assert old.status_code == 400
