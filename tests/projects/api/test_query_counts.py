"""Every list endpoint runs the same number of queries whatever the page size: nested data
comes from joins, annotations and prefetches, never from a query per row."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.roles import VIEWER
from countries.models import Country, Region
from plans.models import Listing
from projects.models import DatePrecision, Development, Project, Scheme, Sector, Status, StatusChange
from tests.factories import HeadingFactory, UserFactory
from tokens.models import APIToken

pytestmark = pytest.mark.django_db

ROWS = 520
PAGE_SIZES = [1, 50, 500]


@pytest.fixture
def many():
    """520 projects over 20 countries, each with 2 sectors, a scheme and 2 developments (one an
    award); 520 regions, countries, sectors and schemes; 520 developments and status changes
    on the first project. Bulk-created: factories would take minutes."""
    regions = Region.objects.bulk_create(
        Region(code=f"r{i}", name_ja=f"地域{i}", name_en=f"Region {i}", order=i) for i in range(ROWS)
    )
    codes = [a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"][:ROWS]
    countries = Country.objects.bulk_create(
        Country(iso_code=code, name_ja=f"国{code}", name_en=f"Country {code}", region=regions[i % 20])
        for i, code in enumerate(codes)
    )
    sectors = Sector.objects.bulk_create(
        Sector(code=f"s{i}", name_ja=f"分野{i}", name_en=f"Sector {i}", dac_code=21030, order=i)
        for i in range(ROWS)
    )
    schemes = Scheme.objects.bulk_create(
        Scheme(code=f"m{i}", family="ODA", name_ja=f"スキーム{i}", name_en=f"Scheme {i}", order=i)
        for i in range(ROWS)
    )
    groups = [HeadingFactory(number=n) for n in range(1, 51)]
    projects = Project.objects.bulk_create(
        Project(
            number=i + 1,
            name=f"事業{i}",
            name_en=f"Project {i}",
            summary="概要",
            country=countries[i % 20],
            status=Status.PREPARATION,
        )
        for i in range(ROWS)
    )
    Listing.objects.bulk_create(
        Listing(edition=groups[0].edition, project=p, heading=groups[i % 50], number=p.number)
        for i, p in enumerate(projects)
    )
    Project.sectors.through.objects.bulk_create(
        Project.sectors.through(project=p, sector=s)
        for i, p in enumerate(projects)
        for s in sectors[i % 7 : i % 7 + 2]
    )
    Project.schemes.through.objects.bulk_create(
        Project.schemes.through(project=p, scheme=schemes[i % 5]) for i, p in enumerate(projects)
    )
    Development.objects.bulk_create(
        Development(
            project=p,
            sequence=seq,
            kind="award" if seq == 1 else "study",
            text=f"動き{i}-{seq}",
            date=datetime.date(2020 + seq, 1 + i % 12, 1),
            date_precision=DatePrecision.MONTH,
        )
        for i, p in enumerate(projects)
        for seq in (1, 2)
    )
    first = projects[0]
    Development.objects.bulk_create(
        Development(project=first, sequence=seq, kind="other", text=f"追加{seq}")
        for seq in range(3, ROWS + 3)
    )
    StatusChange.objects.bulk_create(
        StatusChange(project=first, sequence=seq, status=Status.PREPARATION) for seq in range(1, ROWS + 1)
    )
    return first


@pytest.fixture
def client():
    _token, key = APIToken.objects.issue(user=UserFactory(role=VIEWER), name="counts")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def queries_for(client, path, limit):
    with CaptureQueriesContext(connection) as context:
        response = client.get(f"{path}{'&' if '?' in path else '?'}limit={limit}")
    assert response.status_code == 200, response.data
    assert response.data["count"] > 0, path  # an empty page would skip the page query
    assert len(response.data["results"]) == min(limit, response.data["count"])
    return [query["sql"] for query in context.captured_queries]


# The token, its user and the user's permissions, own and groups' (tokens.models): 1 query.
AUTH_QUERIES = 1


@pytest.mark.parametrize(
    ("path", "own_queries"),
    [
        (
            "/api/projects/",
            4,
        ),  # the data version (readcache: the ETag), the default edition, count, page (sectors
        # and schemes as JSON in the page query)
        # Reference codes are checked against the cache (projects/codes.py): no query.
        ("/api/projects/?ordering=-latest_development&scheme=ODA,m1&sector=s1,s2&won=true", 4),
        (
            "/api/projects/?country=AA,AB&region=r0,r1&listing_group=1,2&status=preparation&is_new=false",
            5,
        ),  # + the headings
        ("/api/projects/{first}/developments/", 3),  # project, count, page
        ("/api/projects/{first}/status-changes/", 3),
        ("/api/developments/", 2),
        ("/api/developments/?country=AA,AB&kind=award,study", 2),
        ("/api/regions/", 2),
        ("/api/countries/", 2),
        ("/api/sectors/", 2),
        ("/api/schemes/", 2),
        ("/api/editions/", 5),  # count, page, headings, new listings, removals
    ],
)
def test_list_query_count_does_not_grow_with_the_page(many, client, path, own_queries, settings):
    settings.READ_CACHE = False  # each page built, not read back from the cache (readcache)
    path = path.format(first=many.pk)
    queries_for(client, path, 1)  # once-per-connection checks (SQLite's JSON support) out of the way

    counts = {limit: len(queries_for(client, path, limit)) for limit in PAGE_SIZES}

    assert counts == dict.fromkeys(PAGE_SIZES, AUTH_QUERIES + own_queries), queries_for(client, path, 50)


def test_project_detail_query_count_is_fixed(many, client):
    many.responsible.add(*(UserFactory() for _ in range(3)))
    client.get(f"/api/projects/{many.pk}/")
    with CaptureQueriesContext(connection) as context:
        response = client.get(f"/api/projects/{many.pk}/")

    assert response.status_code == 200
    assert len(response.data["developments"]) == ROWS + 2
    assert len(response.data["status_history"]) == ROWS
    assert len(response.data["responsible"]) == 3
    # The project with every relation (country, region, sectors, schemes, its listings in the
    # visible editions, developments, status changes with their recorders, responsible
    # officers) in one query.
    assert len(context.captured_queries) == AUTH_QUERIES + 1, [q["sql"] for q in context.captured_queries]


def test_project_detail_conditional_reads_take_the_same_queries(many, client):
    first = client.get(f"/api/projects/{many.pk}/")
    etag = first["ETag"]

    with CaptureQueriesContext(connection) as current:
        not_modified = client.get(f"/api/projects/{many.pk}/", HTTP_IF_NONE_MATCH=etag)
    with CaptureQueriesContext(connection) as stale:
        modified = client.get(f"/api/projects/{many.pk}/", HTTP_IF_NONE_MATCH='"p1-v999"')

    assert not_modified.status_code == 304 and not_modified["ETag"] == etag
    assert len(current.captured_queries) == AUTH_QUERIES + 1
    assert modified.status_code == 200 and modified.json() == first.json()
    assert len(stale.captured_queries) == AUTH_QUERIES + 1
