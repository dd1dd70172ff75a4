"""Every write path leaves exactly one audit (simple-history) row per changed row, with the user.

Each test runs one write path and compares the audited tables before and after: a row that was
added, deleted or had an audited field changed must have exactly one new history row, recorded
for the acting user; a row that did not change must have none.
"""

import io
from datetime import date

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from projects import services
from projects.models import Development, Project, Status, StatusChange
from tests.admin_helpers import form_data, set_field
from tests.factories import CountryFactory, HeadingFactory, ProjectFactory, SectorFactory
from tests.workbooks import edit_xlsx, export_xlsx, set_cell

pytestmark = pytest.mark.django_db

AUDITED = [Project, StatusChange, Development]
# Bookkeeping that every write bumps; the audited change is the one that caused it.
UNAUDITED_FIELDS = {"search_text", "version", "updated"}


def _rows(model) -> dict:
    fields = [f.attname for f in model._meta.concrete_fields if f.name not in UNAUDITED_FIELDS]
    rows = {row["pk"]: row for row in model.objects.values("pk", *fields)}
    if model is Project:
        for project in Project.objects.prefetch_related("sectors", "schemes"):
            rows[project.pk]["sectors"] = sorted(s.pk for s in project.sectors.all())
            rows[project.pk]["schemes"] = sorted(s.pk for s in project.schemes.all())
    return rows


def _state():
    return {
        model: (_rows(model), set(model.history.model.objects.values_list("history_id", flat=True)))
        for model in AUDITED
    }


def assert_one_audit_row_per_change(before, user, *, expect_changes=True):
    after = _state()
    total = 0
    for model in AUDITED:
        old_rows, old_history = before[model]
        new_rows, _ = after[model]
        changed = {pk for pk in old_rows.keys() | new_rows.keys() if old_rows.get(pk) != new_rows.get(pk)}
        new_history = model.history.model.objects.exclude(history_id__in=old_history)
        audited = [row.id for row in new_history]
        assert sorted(audited) == sorted(changed), (model.__name__, audited, changed)
        for row in new_history.select_related("history_user"):
            assert row.history_user == user, (model.__name__, row.id, row.history_user, user)
        total += len(changed)
    if expect_changes:
        assert total, "the write path changed nothing"
    return total


@pytest.fixture
def api(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


@pytest.fixture
def projects():
    return [ProjectFactory() for _ in range(3)]


# The admin


def test_admin_change_form(editor_client, editor, projects):
    project = projects[0]
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = form_data(editor_client.get(url), "project_form")
    set_field(data, "name", "監査テスト事業")
    before = _state()

    assert editor_client.post(url, data).status_code == 302

    assert assert_one_audit_row_per_change(before, editor) == 1


def test_admin_add_form(editor_client, editor, projects):
    country, group, sector = CountryFactory(), HeadingFactory(), SectorFactory()
    url = reverse("admin:projects_project_add")
    data = form_data(editor_client.get(url), "project_form")
    for name, value in {
        "number": "777",
        "name": "新規事業",
        "name_en": "New project",
        "summary": "概要",
        "country": str(country.pk),
        "listing_group": str(group.pk),
    }.items():
        set_field(data, name, value)
    set_field(data, "sectors", str(sector.pk))
    before = _state()

    response = editor_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert assert_one_audit_row_per_change(before, editor) == 2  # the project and its first status


def test_admin_bulk_status_action(editor_client, editor, projects):
    before = _state()

    response = editor_client.post(
        reverse("admin:projects_project_changelist"),
        {
            "action": "change_status_selected",
            ACTION_CHECKBOX_NAME: [p.pk for p in projects[:2]],
            "status": Status.IMPLEMENTATION,
            "effective_on": "2024-04-01",
            "note": "一括",
            "apply": "1",
        },
    )

    assert response.status_code == 302
    assert assert_one_audit_row_per_change(before, editor) == 4  # two projects, two status changes


# The API


def test_api_patch_project(api, editor, projects):
    project = projects[0]
    etag = api.get(f"/api/projects/{project.pk}/")["ETag"]
    before = _state()

    response = api.patch(f"/api/projects/{project.pk}/", {"name_en": "Audited"}, HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.json()
    assert assert_one_audit_row_per_change(before, editor) == 1


def test_api_create_project(api, editor):
    country, group, sector = CountryFactory(), HeadingFactory(), SectorFactory()
    before = _state()

    response = api.post(
        "/api/projects/",
        {
            "number": 888,
            "name": "新港湾",
            "name_en": "New port",
            "summary": "概要",
            "country": country.iso_code,
            "listing_group": group.number,
            "sectors": [sector.code],
        },
    )

    assert response.status_code == 201, response.json()
    assert assert_one_audit_row_per_change(before, editor) == 2


def test_api_post_development(api, editor, projects):
    project = projects[0]
    before = _state()

    response = api.post(f"/api/projects/{project.pk}/developments/", {"kind": "other", "text": "入札公示"})

    assert response.status_code == 201, response.json()
    assert assert_one_audit_row_per_change(before, editor) == 1


def test_api_post_status_change(api, editor, projects):
    project = projects[0]
    etag = api.get(f"/api/projects/{project.pk}/")["ETag"]
    before = _state()

    response = api.post(
        f"/api/projects/{project.pk}/status-changes/", {"status": "preparation"}, HTTP_IF_MATCH=etag
    )

    assert response.status_code == 201, response.json()
    assert assert_one_audit_row_per_change(before, editor) == 2


# Services used by the admin's inline developments


def test_service_development_update_and_delete(editor, projects):
    project = projects[0]
    development = services.development_add(project=project, kind="other", text="a", user=editor)
    before = _state()
    services.development_update(
        development=development, text="b", date=date(2024, 1, 1), date_precision="day", user=editor
    )
    assert assert_one_audit_row_per_change(before, editor) == 1

    before = _state()
    services.development_delete(development=development, user=editor)
    assert assert_one_audit_row_per_change(before, editor) == 1


# Imports: the API, and the management command


def _status_and_development_edit(projects, developments):
    set_cell(projects, 3, "status", "implementation")
    set_cell(projects, 4, "name_en", "Audited by import")


def test_api_import_apply(plan_data, api, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = edit_xlsx(export_xlsx(), _status_and_development_edit)
    upload = api.post("/api/imports/", {"file": SimpleUploadedFile("w.xlsx", content)}, format="multipart")
    assert upload.status_code == 201, upload.json()
    before = _state()

    applied = api.post(f"/api/imports/{upload.json()['id']}/apply/")

    assert applied.status_code == 200, applied.json()
    assert assert_one_audit_row_per_change(before, editor) == 3  # two projects, one status change


def test_import_command(plan_data, editor, tmp_path):
    path = tmp_path / "w.xlsx"
    path.write_bytes(edit_xlsx(export_xlsx(), _status_and_development_edit))
    before = _state()

    call_command(
        "import_projects", str(path), "--user", editor.username, stdout=io.StringIO(), stderr=io.StringIO()
    )

    assert assert_one_audit_row_per_change(before, editor) == 3


def test_read_only_paths_write_no_audit_rows(api, editor_client, editor, projects):
    before = _state()

    api.get("/api/projects/")
    api.get(f"/api/projects/{projects[0].pk}/")
    editor_client.get(reverse("admin:projects_project_changelist"))
    editor_client.get(reverse("admin:projects_project_change", args=[projects[0].pk]))

    assert assert_one_audit_row_per_change(before, editor, expect_changes=False) == 0
