import pytest
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, EDITOR
from countries.models import Country
from tests.factories import CountryFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def asia():
    region = RegionFactory(code="southeast-asia", name_ja="東南アジア", name_en="Southeast Asia")
    CountryFactory(iso_code="VN", name_ja="ベトナム", name_en="Viet Nam", region=region)
    CountryFactory(iso_code="TH", name_ja="タイ", name_en="Thailand", region=region)
    return region


@pytest.fixture
def administrator_client(client):
    client.force_login(UserFactory(username="kanri", role=ADMINISTRATOR))
    return client


def test_country_list_searches_names_and_codes(administrator_client, asia):
    url = reverse("admin:countries_country_changelist")

    by_japanese = administrator_client.get(url, {"q": "ベトナム"})
    by_code = administrator_client.get(url, {"q": "th"})
    by_region = administrator_client.get(url, {"region__id__exact": asia.pk})

    assert [c.iso_code for c in by_japanese.context["cl"].result_list] == ["VN"]
    assert [c.iso_code for c in by_code.context["cl"].result_list] == ["TH"]
    assert by_region.context["cl"].result_count == 2


def test_region_list_counts_countries(administrator_client, asia):
    response = administrator_client.get(reverse("admin:countries_region_changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_list[0].country_count == 2


def test_administrator_adds_a_country(administrator_client, asia):
    response = administrator_client.post(
        reverse("admin:countries_country_add"),
        {"iso_code": "KH", "name_ja": "カンボジア", "name_en": "Cambodia", "region": asia.pk},
    )

    assert response.status_code == 302
    assert Country.objects.get(iso_code="KH").region == asia


def test_a_bad_iso_code_is_refused(administrator_client, asia):
    response = administrator_client.post(
        reverse("admin:countries_country_add"),
        {"iso_code": "kh", "name_ja": "カンボジア", "name_en": "Cambodia", "region": asia.pk},
    )

    assert response.status_code == 200
    assert not Country.objects.filter(name_en="Cambodia").exists()


def test_editor_cannot_add_or_delete_a_country(client, asia):
    client.force_login(UserFactory(username="tanto", role=EDITOR))
    country = Country.objects.get(iso_code="VN")

    add = client.post(
        reverse("admin:countries_country_add"),
        {"iso_code": "KH", "name_ja": "カンボジア", "name_en": "Cambodia", "region": asia.pk},
    )
    delete = client.post(reverse("admin:countries_country_delete", args=[country.pk]), {"post": "yes"})
    listing = client.get(reverse("admin:countries_country_changelist"))

    assert add.status_code == 403
    assert delete.status_code == 403
    assert listing.status_code == 200
    assert not Country.objects.filter(iso_code="KH").exists()


def test_country_autocomplete_serves_the_project_form(client, asia):
    client.force_login(UserFactory(username="tanto", role=EDITOR))

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "projects", "model_name": "project", "field_name": "country", "term": "タイ"},
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["タイ"]
