import pytest
from rest_framework.test import APIClient

from accounts.roles import ADMINISTRATOR, VIEWER
from countries.models import Country
from tests.factories import CountryFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_as(role):
    client = APIClient()
    client.force_login(UserFactory(role=role))
    return client


def test_countries_list_with_their_region(plan_data):
    response = client_as(VIEWER).get("/api/countries/?limit=100", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.data["count"] == 30
    vietnam = next(c for c in response.data["results"] if c["iso_code"] == "VN")
    assert vietnam["region"] == "southeast-asia"
    assert vietnam["label"] == vietnam["name_en"]


def test_regions_list_in_order(plan_data):
    response = client_as(VIEWER).get("/api/regions/")

    assert response.data["count"] == 12
    assert response.data["results"][0]["code"] == "southeast-asia"


def test_country_detail_by_iso_code():
    CountryFactory(iso_code="KE", name_en="Kenya")

    response = client_as(VIEWER).get("/api/countries/KE/")

    assert response.status_code == 200
    assert response.data["name_en"] == "Kenya"


def test_administrator_adds_a_country():
    RegionFactory(code="africa")

    response = client_as(ADMINISTRATOR).post(
        "/api/countries/", {"iso_code": "RW", "name_ja": "ルワンダ", "name_en": "Rwanda", "region": "africa"}
    )

    assert response.status_code == 201, response.data
    assert Country.objects.get(iso_code="RW").region.code == "africa"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"iso_code": "rw"}, "iso_code"),
        ({"iso_code": "RWA"}, "iso_code"),
        ({"iso_code": "KE"}, "iso_code"),  # exists
        ({"region": "atlantis"}, "region"),
    ],
)
def test_bad_country_is_400_not_500(body, field):
    RegionFactory(code="africa")
    CountryFactory(iso_code="KE")
    payload = {"iso_code": "RW", "name_ja": "ルワンダ", "name_en": "Rwanda", "region": "africa", **body}

    response = client_as(ADMINISTRATOR).post("/api/countries/", payload)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_countries_cannot_be_deleted():
    CountryFactory(iso_code="KE")

    response = client_as(ADMINISTRATOR).delete("/api/countries/KE/")

    assert response.status_code == 405
    assert Country.objects.filter(iso_code="KE").exists()
