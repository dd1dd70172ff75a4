"""/api/watches/: the user's own watches only, created from a kind and a code, 400s by field,
a fixed number of queries."""

import pytest

from accounts.roles import VIEWER
from tests.clients import user_token_client
from tests.factories import (
    CountryFactory,
    ProjectFactory,
    RegionFactory,
    SchemeFactory,
    SectorFactory,
    UserFactory,
    WatchFactory,
)
from watches.models import Watch

pytestmark = pytest.mark.django_db

URL = "/api/watches/"


@pytest.fixture
def viewer():
    return UserFactory(role=VIEWER)


@pytest.fixture
def targets():
    region = RegionFactory(code="south-asia")
    return {
        "project": ProjectFactory(number=36),
        "country": CountryFactory(iso_code="VN", region=region),
        "region": region,
        "sector": SectorFactory(code="rail"),
        "scheme": SchemeFactory(code="ppp"),
    }


@pytest.mark.parametrize(
    ("kind", "code", "stored"),
    [
        ("project", "36", "36"),
        ("country", "vn", "VN"),
        ("region", "south-asia", "south-asia"),
        ("sector", "RAIL", "rail"),
        ("scheme", "ppp", "ppp"),
    ],
)
def test_a_viewer_watches_each_kind_by_its_code(viewer, targets, kind, code, stored):
    client = user_token_client(viewer)

    created = client.post(URL, {"kind": kind, "code": code}, format="json")

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kind"], body["code"]) == (kind, stored)
    assert Watch.objects.get(pk=body["id"]).target == targets[kind]
    listed = client.get(URL).json()
    assert [row["id"] for row in listed] == [body["id"]]
    if kind == "project":
        assert listed[0]["target_url"].endswith(f"/api/projects/{targets['project'].pk}/")
    else:
        assert listed[0]["target_url"].endswith(f"/api/projects/?{kind}={stored}")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "country", "code": "ZZ"}, "code"),
        ({"kind": "project", "code": "No.36x"}, "code"),
        ({"kind": "project", "code": "99999999999999999999"}, "code"),
        ({"kind": "planet", "code": "mars"}, "kind"),
        ({"kind": "sector"}, "code"),
        ({"kind": "sector", "code": ""}, "code"),
        ({"kind": "sector", "code": "x" * 41}, "code"),
    ],
)
def test_an_unknown_target_is_a_400_naming_the_field(viewer, targets, body, field):
    response = user_token_client(viewer).post(URL, body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Watch.objects.exists()


def test_watching_twice_is_a_400(viewer, targets):
    client = user_token_client(viewer)
    assert client.post(URL, {"kind": "sector", "code": "rail"}, format="json").status_code == 201

    again = client.post(URL, {"kind": "sector", "code": "Rail"}, format="json")

    assert again.status_code == 400
    assert list(again.json()["errors"]) == ["code"]
    assert Watch.objects.count() == 1


def test_others_watches_are_neither_listed_nor_found(viewer, targets):
    theirs = WatchFactory(user=UserFactory(role=VIEWER), sector=targets["sector"])
    mine = WatchFactory(user=viewer, sector=targets["sector"])
    client = user_token_client(viewer)

    assert [row["id"] for row in client.get(URL).json()] == [mine.pk]
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.delete(f"{URL}{theirs.pk}/").status_code == 404
    assert client.delete(f"{URL}{mine.pk}/").status_code == 204
    assert list(Watch.objects.all()) == [theirs]


def test_a_watch_is_not_changed_in_place(viewer, targets):
    mine = WatchFactory(user=viewer, sector=targets["sector"])

    response = user_token_client(viewer).patch(f"{URL}{mine.pk}/", {"code": "ppp"}, format="json")

    assert response.status_code == 405


def test_the_list_takes_a_fixed_number_of_queries(viewer, targets, django_assert_num_queries):
    client = user_token_client(viewer)
    WatchFactory(user=viewer, project=targets["project"])
    client.get(URL)  # the token's first use out of the way
    with django_assert_num_queries(2):  # the token with its user, the watches with their targets
        few = client.get(URL).json()
    for kind in ("country", "region", "sector", "scheme"):
        WatchFactory(user=viewer, **{kind: targets[kind]})
    for number in range(5):
        WatchFactory(user=viewer, project=ProjectFactory(number=100 + number))
    with django_assert_num_queries(2):
        many = client.get(URL).json()

    assert (len(few), len(many)) == (1, 10)
