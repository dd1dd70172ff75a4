"""The cross-project lists of developments and status changes: every role reads them, nobody
writes through them, filters and search narrow them, a page costs the same queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, VIEWER
from projects import services
from projects.admin.developments import DevelopmentAdmin
from projects.admin.status_changes import StatusChangeAdmin
from projects.models import DevelopmentKind, Status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DEVELOPMENTS = "/admin/projects/development/"
STATUS_CHANGES = "/admin/projects/statuschange/"


@pytest.mark.parametrize("url", [DEVELOPMENTS, STATUS_CHANGES])
def test_a_viewer_reads_them_and_nobody_adds(client, url):
    client.force_login(UserFactory(role=VIEWER))
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(role=ADMINISTRATOR))
    assert client.get(f"{url}add/").status_code == 403


def test_developments_filter_search_and_link(editor_client, editor, world):
    services.development_add(project=world["bangkok"], kind=DevelopmentKind.OTHER, text="入札", user=editor)
    html = editor_client.get(DEVELOPMENTS).content.decode()
    assert reverse("admin:projects_project_change", args=[world["hsr"].pk]) in html
    thailand = world["bangkok"].country
    response = editor_client.get(DEVELOPMENTS, {"project__country__id__exact": thailand.pk})
    assert [row.text for row in response.context["cl"].result_list] == ["入札"]
    rows = editor_client.get(DEVELOPMENTS, {"q": "協力準備調査"}).context["cl"].result_list
    assert [row.project for row in rows] == [world["hsr"]]
    rows = editor_client.get(DEVELOPMENTS, {"kind__exact": DevelopmentKind.STUDY}).context["cl"].result_list
    assert {row.kind for row in rows} == {DevelopmentKind.STUDY}


def test_status_changes_filter_by_status_and_date(editor_client, editor, world):
    services.project_change_status(project=world["bangkok"], status=Status.CANCELLED, user=editor)
    rows = editor_client.get(STATUS_CHANGES, {"status__exact": Status.CANCELLED}).context["cl"].result_list
    assert [row.project for row in rows] == [world["bangkok"]]
    changed = rows[0].recorded_at
    params = {"recorded_at__year": changed.year, "recorded_at__month": changed.month}
    assert editor_client.get(STATUS_CHANGES, params).status_code == 200


@pytest.mark.parametrize("url", [DEVELOPMENTS, STATUS_CHANGES])
def test_pages_of_10_and_50_cost_the_same(editor_client, editor, world, url):
    statuses = [Status.PREPARATION, Status.PROCUREMENT]
    for index in range(50):
        services.development_add(
            project=world["hsr"], kind=DevelopmentKind.OTHER, text=f"t{index}", user=editor
        )
        services.project_change_status(project=world["mombasa"], status=statuses[index % 2], user=editor)
    admin_class = DevelopmentAdmin if url == DEVELOPMENTS else StatusChangeAdmin
    counts = []
    for per_page in (10, 50):
        admin_class.list_per_page = per_page
        try:
            with CaptureQueriesContext(connection) as queries:
                response = editor_client.get(url)
        finally:
            admin_class.list_per_page = 100
        assert len(response.context["cl"].result_list) == per_page
        counts.append(len(queries))
    assert counts[0] == counts[1]
