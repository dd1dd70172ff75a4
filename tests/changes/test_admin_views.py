"""The change log's admin page: every role reads it, filters narrow it, a page costs the same."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from projects import services
from projects.models import DevelopmentKind, Status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/admin/changes/"


def test_anonymous_goes_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("role", [VIEWER, EDITOR, ADMINISTRATOR])
def test_every_role_reads_it_and_finds_it_on_the_index(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(URL).status_code == 200
    assert URL in client.get(reverse("admin:index")).content.decode()


def test_a_user_without_a_role_is_refused(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(URL).status_code == 403


def test_entries_link_to_their_project_and_filters_narrow(editor_client, editor, world):
    services.project_update(project=world["bangkok"], user=editor, name_en="Red Line")
    services.development_add(project=world["hsr"], kind=DevelopmentKind.OTHER, text="入札公示", user=editor)

    html = editor_client.get(URL, {"country": "TH"}).content.decode()

    assert reverse("admin:projects_project_change", args=[world["bangkok"].pk]) in html
    assert "Red Line" in html and "入札公示" not in html
    html = editor_client.get(URL, {"kind": "development_added", "country": ""}).content.decode()
    assert "入札公示" in html and "Red Line" not in html


def test_a_bad_filter_is_a_form_error(editor_client, world):
    response = editor_client.get(URL, {"country": "XX"})
    assert response.status_code == 200
    assert response.context["invalid"] and "country" in response.context["form"].errors
    assert response.context["entries"] == []


def test_pages_cost_the_same_queries(editor_client, editor, world):
    statuses = [Status.PREPARATION, Status.PROCUREMENT]
    for index in range(20):  # 60 entries, every kind on both pages
        services.project_update(project=world["bangkok"], user=editor, name_en=f"Name {index}")
        services.development_add(
            project=world["hsr"], kind=DevelopmentKind.OTHER, text=f"t{index}", user=editor
        )
        services.project_change_status(project=world["mombasa"], status=statuses[index % 2], user=editor)
    editor_client.get(URL)

    counts = []
    for page in ("1", "2"):  # 50 entries, then 10
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get(URL, {"page": page, "user": editor.pk})
        counts.append((len(response.context["entries"]), len(queries)))
    assert [entries for entries, _queries in counts] == [50, 10]
    assert counts[0][1] == counts[1][1]


def test_the_real_plan_shows(plan_data, editor_client):
    response = editor_client.get(URL)
    assert response.status_code == 200
    assert response.context["page"].paginator.count >= 0


def test_the_portal_links_to_it(rf, editor):
    request = rf.get("/")
    request.user = editor
    html = render_to_string("portal/base.html", request=request)
    assert f'href="{URL}"' in html


def test_a_projects_values_set_from_nothing_are_folded_and_a_status_change_is_not(plan_data, client):
    from accounts.roles import EDITOR
    from projects.models import Project, Status
    from projects.services import project_change_status
    from tests.factories import UserFactory

    user = UserFactory(role=EDITOR)
    project = Project.objects.get(number=1)
    project_change_status(project=project, status=Status.PROCUREMENT, user=user, note="試験")
    client.force_login(user)
    response = client.get("/admin/changes/")
    entries = response.context["entries"]
    status = next(entry for entry in entries if entry.kind == "status_changed")
    assert not status.all_new
    imported = [entry for entry in entries if entry.plan_import and entry.kind.startswith("project_")]
    assert imported and all(entry.all_new for entry in imported)
    html = response.content.decode()
    assert html.count('<details class="change-log-details">') == sum(entry.all_new for entry in entries)
