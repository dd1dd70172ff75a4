"""The open-data formats over HTTP: who may download them, their headers, the 400s, the admin's
links, and a fixed number of queries whatever the number of projects."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree
from rest_framework.test import APIClient

from accounts.roles import EDITOR, VIEWER
from projects.models import Project
from tests.clients import user_token_client
from tests.factories import DevelopmentFactory, ProjectFactory, SchemeFactory, SectorFactory, UserFactory
from tests.opendata.conftest import content_of
from tests.opendata.standards import iati_errors, oc4ids_errors

pytestmark = pytest.mark.django_db

FORMATS = {"oc4ids": ("application/json", "json"), "iati": ("application/xml", "xml")}


@pytest.mark.parametrize("export_format", FORMATS)
def test_anonymous_gets_401(export_format):
    response = APIClient().get(f"/api/projects/?format={export_format}")
    assert response.status_code == 401


@pytest.mark.parametrize("export_format", FORMATS)
def test_a_user_without_a_role_gets_403(export_format):
    client = APIClient()
    client.force_login(UserFactory(role=None))
    assert client.get(f"/api/projects/?format={export_format}").status_code == 403


@pytest.mark.parametrize("export_format", FORMATS)
def test_a_token_downloads_with_type_and_file_name(export_format):
    ProjectFactory()
    response = user_token_client(UserFactory(role=VIEWER)).get(f"/api/projects/?format={export_format}")
    media_type, extension = FORMATS[export_format]
    assert response.status_code == 200
    assert response["Content-Type"] == f"{media_type}; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="projects_{export_format}_{today}.{extension}"'
    )
    assert response.streaming  # streamed, not built in memory
    content_of(response)


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("country=XX", "country"),
        ("is_new=maybe", "is_new"),
        ("limit=10", "limit"),
        ("bogus=1", "bogus"),
        ("as_of=2023-04-01", "as_of"),
        ("country=", "country"),
    ],
)
@pytest.mark.parametrize("export_format", FORMATS)
def test_bad_filters_are_a_json_400_naming_them(api, export_format, query, parameter):
    ProjectFactory()
    response = api.get(f"/api/projects/?format={export_format}&{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["code"] == "invalid_query"
    assert list(body["errors"]) == [parameter]


def test_an_unknown_format_names_the_known_ones(api):
    response = api.get("/api/projects/?format=ocds")
    assert response.status_code == 400
    message = json.loads(response.content)["errors"]["format"][0]
    assert "iati" in message and "oc4ids" in message


def test_an_unknown_format_and_an_unknown_parameter_are_refused_together(api):
    # Found by the filters' fuzz test: the format's refusal used to hide the parameter's.
    response = api.get("/api/projects/?format=0&0=&country=VN")
    assert response.status_code == 400
    assert set(json.loads(response.content)["errors"]) == {"format", "0"}


@pytest.mark.parametrize("export_format", FORMATS)
def test_one_project_has_no_open_data_format(api, export_format):
    project = ProjectFactory()
    assert api.get(f"/api/projects/{project.pk}/?format={export_format}").status_code == 400


def _projects(count):
    """`count` more projects with two sectors, a scheme and two developments each."""
    sectors = [SectorFactory(code="rail"), SectorFactory(code="road", dac_code=21020)]
    scheme = SchemeFactory(code="oda-loan")
    for _ in range(count):
        project = ProjectFactory(sectors=sectors, schemes=[scheme])
        DevelopmentFactory(project=project, sequence=1)
        DevelopmentFactory(project=project, sequence=2)


@pytest.mark.parametrize("export_format", FORMATS)
def test_the_export_runs_a_fixed_number_of_queries(api, export_format):
    counts = []
    _projects(10)
    # Warm the filters' cache of known codes (projects.filtersets), which is per process.
    content_of(api.get(f"/api/projects/?format={export_format}&sector=rail"))
    for size in (10, 50):
        _projects(size - Project.objects.count())
        with CaptureQueriesContext(connection) as context:
            content = content_of(api.get(f"/api/projects/?format={export_format}&sector=rail"))
        assert (
            content.count(b'"id": "oc4ids-')
            if export_format == "oc4ids"
            else content.count(b"<iati-activity ")
        ) == size
        counts.append(len(context.captured_queries))
    # Session, user, permissions, the data version (the file's ETag), the edition, the last
    # update (OC4IDS) or the edition's year (IATI), the projects, their sectors, schemes and
    # developments: per chunk of 500, not per row.
    assert counts[0] == counts[1] == 10


# The admin: the changelist's links, for its current filters.


@pytest.fixture
def admin_editor(client, plan_data):
    client.force_login(UserFactory(role=EDITOR))
    return client


def test_admin_changelist_links_both_formats_with_the_filters(admin_editor):
    html = admin_editor.get("/admin/projects/project/?status__exact=implementation&q=鉄道").content.decode()
    for export_format in FORMATS:
        assert f"/admin/projects/project/export/{export_format}/?status__exact=implementation&amp;q=" in html
    assert "OC4IDS（JSON）" in html and "IATI（XML）" in html


def test_admin_downloads_are_the_changelist_projects(admin_editor):
    expected = [
        p.number
        for p in admin_editor.get("/admin/projects/project/?status__exact=implementation")
        .context["cl"]
        .result_list
    ]
    assert expected
    response = admin_editor.get("/admin/projects/project/export/oc4ids/?status__exact=implementation")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="projects_oc4ids_')
    package = json.loads(content_of(response))
    assert oc4ids_errors(package) == []
    assert [p["id"] for p in package["projects"]] == [f"oc4ids-xxxxxx-{n}" for n in expected]

    response = admin_editor.get("/admin/projects/project/export/iati/?status__exact=implementation")
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="projects_iati_')
    content = content_of(response)
    assert iati_errors(content) == []
    assert etree.fromstring(content).xpath("//iati-identifier/text()") == [
        f"XM-DAC-701-MLIT-{n}" for n in expected
    ]


@pytest.mark.parametrize("export_format", FORMATS)
def test_admin_download_needs_view_permission(client, plan_data, export_format):
    client.force_login(UserFactory(role=None))
    assert client.get(f"/admin/projects/project/export/{export_format}/").status_code == 403
