import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path
from django.utils import translation
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIClient

from accounts.roles import EDITOR, VIEWER
from projects.api.imports import router_register
from projects.models import ImportBatch, Project, Status, StatusChange
from tests.factories import UserFactory
from tests.workbooks import edit_xlsx, export_xlsx, set_cell, snapshot

# /api/imports/ as tracker/api_router.py registers it, independent of the rest of the API.
_router = DefaultRouter()
router_register(_router)
urlpatterns = [path("api/", include(_router.urls))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__), pytest.mark.usefixtures("english")]


def _status_edit(projects, developments):
    set_cell(projects, 3, "status", "implementation")


def _bad_edit(projects, developments):
    set_cell(projects, 3, "status", "implementation")
    set_cell(projects, 4, "status", "finished")


def _client(role):
    client = APIClient()
    user = UserFactory(username=f"user-{role}", role=role)
    client.force_authenticate(user)
    client.user = user
    return client


def _upload(client, content, **extra):
    file = SimpleUploadedFile("weekly.xlsx", content)
    return client.post("/api/imports/", {"file": file, **extra}, format="multipart")


def test_upload_preview_then_apply(plan_data):
    client = _client(EDITOR)
    response = _upload(client, edit_xlsx(export_xlsx(), _status_edit), note="週次", effective_on="2024-03-01")

    assert response.status_code == 201, response.data
    body = response.json()
    assert body["state"] == "previewed"
    assert body["errors"] == []
    assert body["note"] == "週次" and body["effective_on"] == "2024-03-01"
    assert [(c["number"], c["field"], c["row"], c["sheet"]) for c in body["changes"]] == [
        (3, "status", 4, "案件")
    ]
    assert "old" not in body["changes"][0]
    assert Project.objects.get(number=3).status == Status.IDENTIFICATION

    detail = client.get(f"/api/imports/{body['id']}/")
    assert detail.status_code == 200 and detail.json()["changes"] == body["changes"]
    listing = client.get("/api/imports/")
    assert listing.status_code == 200 and listing.json()["results"][0]["counts"]["status_changes"] == 1

    applied = client.post(f"/api/imports/{body['id']}/apply/")

    assert applied.status_code == 200, applied.data
    assert applied.json()["state"] == "applied"
    assert Project.objects.get(number=3).status == Status.IMPLEMENTATION
    change = StatusChange.objects.filter(project__number=3).latest("sequence")
    assert change.recorded_by == client.user and change.note == "Imported from weekly.xlsx\n週次"

    again = client.post(f"/api/imports/{body['id']}/apply/")
    assert again.status_code == 409
    assert again.json()["code"] == "already_applied"


def test_a_file_with_row_errors_is_stored_rejected_and_cannot_be_applied(plan_data):
    client = _client(EDITOR)
    before = snapshot()
    response = _upload(client, edit_xlsx(export_xlsx(), _bad_edit))
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "rejected"
    assert len(body["errors"]) == 1
    error = body["errors"][0]
    assert (error["sheet"], error["row"], error["cell"]) == ("案件", 5, "H5")
    assert "Unknown status: finished" in error["message"]

    applied = client.post(f"/api/imports/{body['id']}/apply/")

    assert applied.status_code == 409
    assert applied.json()["code"] == "has_errors"
    assert applied.json()["import"]["errors"] == body["errors"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "content", [b"", b"plain text, not a workbook", b"PK\x03\x04garbage"], ids=["empty", "text", "broken zip"]
)
def test_a_hostile_file_is_a_400_and_nothing_is_stored(plan_data, content):
    client = _client(EDITOR)
    response = _upload(client, content)
    assert response.status_code == 400
    assert response.json()["code"] in ("refused_file", "invalid")
    assert ImportBatch.objects.count() == 0


def test_a_huge_request_is_refused_before_it_is_read(plan_data):
    client = _client(EDITOR)
    response = client.generic(
        "POST",
        "/api/imports/",
        b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH="999999999",
    )
    assert response.status_code == 413
    assert ImportBatch.objects.count() == 0


def test_permissions(plan_data):
    editor = _client(EDITOR)
    batch_id = _upload(editor, edit_xlsx(export_xlsx(), _status_edit)).json()["id"]
    viewer = _client(VIEWER)

    assert viewer.get(f"/api/imports/{batch_id}/").status_code == 200
    assert _upload(viewer, edit_xlsx(export_xlsx(), _status_edit)).status_code == 403
    assert viewer.post(f"/api/imports/{batch_id}/apply/").status_code == 403
    assert APIClient().get("/api/imports/").status_code in (401, 403)
    assert APIClient().post(f"/api/imports/{batch_id}/apply/").status_code in (401, 403)
    assert ImportBatch.objects.get().state == ImportBatch.State.PREVIEWED
    assert Project.objects.get(number=3).status == Status.IDENTIFICATION


def test_the_schema_describes_the_endpoints(plan_data):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(patterns=urlpatterns).get_schema(request=None, public=True)
    assert "/api/imports/" in schema["paths"]
    assert "409" in schema["paths"]["/api/imports/{id}/apply/"]["post"]["responses"]
    assert "multipart/form-data" in schema["paths"]["/api/imports/"]["post"]["requestBody"]["content"]


def test_error_messages_are_in_the_readers_language_and_labels_in_the_sheets(plan_data):
    """A Japanese uploader's errors were stored in Japanese and shown so to an English reader;
    the message listed internal status codes instead of the sheet's labels."""
    client = _client(EDITOR)
    with translation.override("ja"):
        content = edit_xlsx(export_xlsx("ja"), _bad_edit)
        labels = [str(label) for label in Status.labels]
    file = SimpleUploadedFile("weekly.xlsx", content)
    uploaded = client.post("/api/imports/", {"file": file}, format="multipart", HTTP_ACCEPT_LANGUAGE="ja")
    assert uploaded.status_code == 201
    [japanese] = uploaded.json()["errors"]
    assert japanese["message"].startswith("不明なステータスです: finished")

    english = client.get(f"/api/imports/{uploaded.json()['id']}/", HTTP_ACCEPT_LANGUAGE="en").json()
    [error] = english["errors"]
    assert error["message"] == f"Unknown status: finished (use one of: {', '.join(labels)})"
    assert set(error) == {"sheet", "row", "column", "cell", "message"}
    assert error["column"] == japanese["column"]  # the column as the sheet names it
