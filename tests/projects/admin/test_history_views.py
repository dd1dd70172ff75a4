"""The audit history pages: who changed what, no reverts."""

import pytest
from django.urls import reverse
from django.utils import translation

from projects import services
from projects.models import DatePrecision, DevelopmentKind, Project, Status
from tests.admin_helpers import form_data, set_field
from tests.projects.admin.pages import change_url

pytestmark = pytest.mark.django_db


# History


def test_history_page_shows_every_change_with_before_and_after(editor_client, editor, world):
    project = world["bangkok"]
    data = form_data(editor_client.get(change_url(project)), "project_form")
    set_field(data, "name", "バンコク都市鉄道レッドライン")
    set_field(data, "developments-0-kind", DevelopmentKind.AGREEMENT)
    set_field(data, "developments-0-text", "L/A 締結")
    set_field(data, "developments-0-when", "2024-03")
    set_field(data, "new_status", Status.PREPARATION)
    set_field(data, "status_note", "L/A 締結による")
    editor_client.post(change_url(project), data)

    # In English, the page's own words are their msgids whatever the translations say.
    editor_client.cookies["django_language"] = "en"  # the language switch
    response = editor_client.get(reverse("admin:projects_project_history", args=[project.pk]))

    assert response.status_code == 200
    trail = response.context["audit_trail"]
    subjects = {entry.subject for entry in trail}
    assert {"Project", "Development 1", "Status change 2"} <= subjects
    renamed = next(
        e
        for e in trail
        if e.subject == "Project" and any(c.after == "バンコク都市鉄道レッドライン" for c in e.changes)
    )
    name_change = next(c for c in renamed.changes if c.after == "バンコク都市鉄道レッドライン")
    assert name_change.before == "バンコク都市鉄道"
    assert renamed.user == editor
    with translation.override("en"):
        preparation, identification = str(Status.PREPARATION.label), str(Status.IDENTIFICATION.label)
    status_row = next(
        e for e in trail if e.subject == "Project" and any(c.after == preparation for c in e.changes)
    )
    assert any(c.before == identification for c in status_row.changes)
    development = next(e for e in trail if e.subject == "Development 1")
    assert any(c.after == "L/A 締結" for c in development.changes)
    assert any(c.after == "Mar 2024" for c in development.changes)
    html = response.content.decode()
    assert "バンコク都市鉄道レッドライン" in html and "tanaka" in html


def test_history_page_cannot_revert(editor_client, world):
    project = world["bangkok"]
    record = project.history.first()
    url = reverse("admin:projects_project_simple_history", args=[project.pk, record.history_id])

    assert editor_client.get(url).status_code == 200
    assert editor_client.post(url, {"name": "reverted"}).status_code == 403


def test_history_page_of_a_plan_project(plan_data, editor_client):
    project = Project.objects.get(number=1)
    services.project_update(project=project, name_en="North–South HSR")

    response = editor_client.get(reverse("admin:projects_project_history", args=[project.pk]))

    assert response.status_code == 200
    assert "North–South HSR" in response.content.decode()


def test_editing_a_plan_project_in_english(plan_data, editor_client):
    project = Project.objects.get(number=1)
    url = change_url(project)
    editor_client.cookies["django_language"] = "en"  # the language switch
    data = form_data(editor_client.get(url), "project_form")
    new = project.developments.count()  # the empty row after the existing ones
    set_field(data, f"developments-{new}-kind", DevelopmentKind.DIPLOMACY)
    set_field(data, f"developments-{new}-text", "首脳会談で言及")
    set_field(data, f"developments-{new}-when", "FY2024")
    set_field(data, "new_status", Status.PREPARATION)

    response = editor_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    project.refresh_from_db()
    assert project.status == Status.PREPARATION
    assert project.developments.order_by("-sequence").first().date_precision == DatePrecision.FISCAL_YEAR


# The history page, the admin's index


def test_history_page_names_the_plan_load_and_has_a_translated_title(plan_data, editor_client):
    project = Project.objects.get(number=1)

    response = editor_client.get(reverse("admin:projects_project_history", args=[project.pk]))

    html = response.content.decode()
    assert "<h1>履歴: 1 南北高速鉄道整備事業</h1>" in html
    loaded = response.context["audit_trail"][-1]
    assert (loaded.editor, loaded.action) == ("2023年計画の取込", "取込")


def test_admin_index_lists_projects_first_and_view_site_leads_to_the_api(editor_client, world):
    response = editor_client.get(reverse("admin:index"))

    apps = response.context["app_list"]
    assert apps[0]["app_label"] == "projects"
    assert apps[0]["models"][0]["object_name"] == "Project"
    assert response.context["site_url"] == "/api/"
    html = response.content.decode()
    assert '<a href="/api/">APIを表示</a>' in html and "サイトを表示" not in html
    assert 'id="nav-sidebar"' not in html
