"""Every write path is in the change log exactly once, with who, via what and before/after."""

from datetime import date

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changes.log import Criteria, change_rows, entries
from projects import services
from projects.models import DevelopmentKind, Project, Status
from projects.spreadsheets.apply import apply_preview, import_batch_create
from tests.admin_helpers import form_data, set_field
from tests.clients import user_token_client
from tests.projects.admin.pages import change_url
from tests.workbooks import edit_xlsx, export_xlsx, set_cell

pytestmark = pytest.mark.django_db


def _log(criteria=None):
    return entries(change_rows(criteria or Criteria()))


def _baseline():
    return {entry.key for entry in _log()}


def _new(before):
    return [entry for entry in _log() if entry.key not in before]


def test_admin_form_edit_is_one_entry_with_before_and_after(editor_client, editor, world):
    project = world["bangkok"]
    before = _baseline()
    data = form_data(editor_client.get(change_url(project)), "project_form")
    set_field(data, "name", "バンコク都市鉄道レッドライン")
    editor_client.post(change_url(project), data)

    [entry] = _new(before)
    assert (entry.kind, entry.via, entry.user, entry.project_id) == (
        "project_changed",
        "admin",
        editor,
        project.pk,
    )
    [change] = entry.changes
    assert (change.before, change.after) == ("バンコク都市鉄道", "バンコク都市鉄道レッドライン")


def test_admin_inline_development_and_status_are_one_entry_each(editor_client, world):
    project = world["bangkok"]
    before = _baseline()
    data = form_data(editor_client.get(change_url(project)), "project_form")
    set_field(data, "developments-0-kind", DevelopmentKind.AGREEMENT)
    set_field(data, "developments-0-text", "L/A 締結")
    set_field(data, "developments-0-when", "2024-03")
    set_field(data, "new_status", Status.PREPARATION)
    set_field(data, "status_note", "L/A 締結による")
    editor_client.post(change_url(project), data)

    new = _new(before)
    assert sorted(entry.kind for entry in new) == ["development_added", "status_changed"]
    assert {entry.via for entry in new} == {"admin"}
    status = next(entry for entry in new if entry.kind == "status_changed")
    assert any(c.after == str(Status.PREPARATION.label) for c in status.changes)


def test_api_patch_status_and_development_are_one_entry_each(editor, world):
    project = world["bangkok"]
    client = user_token_client(editor)
    before = _baseline()
    url = f"/api/projects/{project.pk}/"
    response = client.patch(url, {"name_en": "Red Line"}, HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 200, response.json()
    response = client.post(
        f"{url}status-changes/",
        {"status": "procurement", "effective_on": "2024-04-01"},
        HTTP_IF_MATCH=response["ETag"],
    )
    assert response.status_code == 201, response.json()
    response = client.post(
        f"{url}developments/", {"kind": "other", "text": "入札公示"}, HTTP_IF_MATCH=client.get(url)["ETag"]
    )
    assert response.status_code == 201, response.json()

    new = _new(before)
    assert sorted(entry.kind for entry in new) == ["development_added", "project_changed", "status_changed"]
    assert {entry.via for entry in new} == {"api"}
    development = next(entry for entry in new if entry.kind == "development_added")
    assert any(c.after == "入札公示" for c in development.changes)


def test_bulk_status_action_is_one_entry_per_project(editor_client, world):
    projects = [world["hsr"], world["bangkok"]]
    before = _baseline()
    response = editor_client.post(
        reverse("admin:projects_project_changelist"),
        {
            "action": "change_status_selected",
            ACTION_CHECKBOX_NAME: [p.pk for p in projects],
            "status": Status.CANCELLED,
            "apply": "1",
        },
    )
    assert response.status_code == 302

    new = _new(before)
    assert sorted(entry.project_id for entry in new) == sorted(p.pk for p in projects)
    assert {(entry.kind, entry.via) for entry in new} == {("status_changed", "bulk")}


def test_service_create_and_delete_are_one_entry_each(editor, world):
    before = _baseline()
    project = services.project_create(
        user=editor,
        number=99,
        name="新規",
        name_en="New",
        summary="概要",
        country=world["bangkok"].country,
        sectors=list(world["bangkok"].sectors.all()),
    )
    services.development_add(project=project, kind=DevelopmentKind.OTHER, text="調査", user=editor)
    services.project_change_status(project=project, status=Status.PREPARATION, user=editor)
    assert sorted(entry.kind for entry in _new(before)) == [
        "development_added",
        "project_added",
        "status_changed",
    ]

    before = _baseline()
    Project.objects.get(pk=project.pk).delete()
    [entry] = _new(before)
    assert (entry.kind, entry.project_number, entry.project_exists) == ("project_deleted", 99, False)


def test_import_is_one_entry(plan_data, editor):
    before = _baseline()

    def edit(projects, developments):
        set_cell(projects, 3, "status", "implementation")
        set_cell(projects, 2, "name", "改称")

    batch = import_batch_create(source=edit_xlsx(export_xlsx(), edit), filename="week.xlsx", user=editor)
    apply_preview(batch, editor)

    [entry] = _new(before)
    assert (entry.kind, entry.filename, entry.rows, entry.user) == ("import", "week.xlsx", 2, editor)
    # It matches the projects it changed, not the others.
    second = Project.objects.get(number=2)
    assert [e.kind for e in _log(Criteria(projects=[2])) if not e.plan_import] == ["import"]
    assert [e for e in _log(Criteria(projects=[4])) if not e.plan_import] == []
    assert _log(Criteria(countries=[second.country.iso_code], kinds=["import"]))[0].key == entry.key


def test_a_page_costs_the_same_queries_for_10_and_50_entries(editor, world):
    # Every kind of row on both pages: edits, developments and status changes, interleaved.
    statuses = [Status.PREPARATION, Status.PROCUREMENT]
    for index in range(20):
        services.project_update(project=world["bangkok"], user=editor, name_en=f"Name {index}")
        services.development_add(
            project=world["hsr"], kind=DevelopmentKind.OTHER, text=f"t{index}", user=editor
        )
        services.project_change_status(project=world["mombasa"], status=statuses[index % 2], user=editor)
    counts = []
    for size in (10, 50):
        with CaptureQueriesContext(connection) as queries:
            page = entries(change_rows()[:size])
        assert len(page) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8


@pytest.mark.parametrize(
    "criteria, expected",
    [
        (Criteria(countries=["TH"]), {"bangkok"}),
        (Criteria(countries=["VN"]), {"hsr"}),
        (Criteria(regions=["southeast-asia"]), {"hsr", "bangkok"}),
        (Criteria(sectors=["rail"]), {"hsr", "bangkok"}),
        (Criteria(projects=[1]), {"hsr"}),
        (Criteria(kinds=["development_added"]), {"hsr"}),
        (Criteria(since=date(2099, 1, 1)), set()),
        (Criteria(until=date(2000, 1, 1)), set()),
    ],
)
def test_each_filter_narrows(editor, world, criteria, expected):
    services.project_update(project=world["bangkok"], user=editor, name_en="x")
    services.development_add(project=world["hsr"], kind=DevelopmentKind.OTHER, text="t", user=editor)
    keys = {"hsr": world["hsr"].pk, "bangkok": world["bangkok"].pk}
    recent = [e for e in _log(criteria) if e.user == editor]
    assert {name for name, pk in keys.items() if any(e.project_id == pk for e in recent)} == expected


def test_user_filter(editor, world):
    services.project_update(project=world["bangkok"], user=editor, name_en="x")
    assert {e.user for e in _log(Criteria(users=[editor.pk]))} == {editor}
