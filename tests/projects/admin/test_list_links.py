"""The project list's two spellings of its filters (projects/admin/list_links.py): codes for the
API and the front page, row ids for the admin's list. A link built one way opens the admin list
on exactly the projects the API lists for the same filters."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from accounts.roles import VIEWER
from countries.models import Country
from projects.admin.list_links import admin_query, filter_params
from projects.models import Sector
from tests.clients import client_for

pytestmark = pytest.mark.django_db


def test_codes_become_the_admin_lists_ids(plan_data):
    vietnam, thailand = Country.objects.get(iso_code="VN"), Country.objects.get(iso_code="TH")
    rail = Sector.objects.get(code="rail")
    query = admin_query(
        QueryDict("country=vn,TH&sector=rail&scheme=ODA&status=preparation,Procurement&won=true&q=鉄道")
    )
    assert query.getlist("country__id__exact") == [str(vietnam.pk), str(thailand.pk)]
    assert query.getlist("sectors__id__exact") == [str(rail.pk)]
    assert query.getlist("scheme_family") == ["ODA"]
    assert query.getlist("status__exact") == ["preparation", "procurement"]
    assert query["won"] == "yes"
    assert query["q"] == "鉄道"


def test_the_admin_lists_ids_become_codes_again(plan_data):
    params = QueryDict(
        "region=south-asia&sector=rail,port&scheme=JOIN,oda-loan&status=procurement&won=false&is_new=true"
        "&edition=2023"
    )
    back = filter_params(admin_query(params))
    assert back.dict() == {
        "region": "south-asia",
        "sector": "rail,port",
        "scheme": "JOIN,oda-loan",
        "status": "procurement",
        "won": "false",
        "is_new": "true",
        "edition": "2023",
    }


def test_unknown_ids_and_codes_are_dropped(plan_data):
    assert not admin_query(QueryDict("country=ZZ")).getlist("country__id__exact")
    assert filter_params(QueryDict("country__id__exact=999999&country__id__exact=x")).dict() == {}


@pytest.mark.parametrize(
    "params",
    [
        "region=south-asia",
        "sector=rail&scheme=ODA",
        "status=procurement,implementation",
        "won=true",
        "country=VN,IN",
        "is_new=true",
        "is_new=false&region=southeast-asia",
    ],
)
def test_the_admin_link_lists_what_the_api_lists(plan_data, params):
    client = client_for(VIEWER)
    api = client.get("/api/projects/?" + params, HTTP_ACCEPT="application/json")
    assert api.status_code == 200, api.content
    admin = client.get(
        reverse("admin:projects_project_changelist") + "?" + admin_query(QueryDict(params)).urlencode()
    )
    assert admin.status_code == 200
    assert admin.context["cl"].result_count == api.json()["count"]
    assert api.json()["count"] > 0
