import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path, reverse
from django.utils import translation

from accounts.roles import EDITOR, VIEWER
from projects.models import ImportBatch, Project, Status, StatusChange
from tests.factories import UserFactory
from tests.workbooks import edit_xlsx, export_xlsx, set_cell, snapshot

# The admin's URLs as they are once ImportBatchAdmin is registered, whatever the import order.
urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("watches.urls")),  # the admin's user links and list name them
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__), pytest.mark.usefixtures("english")]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _status_edit(projects, developments):
    set_cell(projects, 3, "status", "implementation")


def _bad_edit(projects, developments):
    set_cell(projects, 3, "status", "implementation")
    set_cell(projects, 4, "country", "Atlantis")


def _upload(client, content, **extra):
    data = {"file": SimpleUploadedFile("weekly.xlsx", content, content_type=XLSX), **extra}
    return client.post(reverse("admin:projects_importbatch_upload"), data)


@pytest.fixture
def editor_client(client):
    user = UserFactory(username="editor", role=EDITOR)
    client.force_login(user)
    client.user = user
    return client


def test_editor_uploads_previews_and_confirms(plan_data, editor_client):
    changelist = editor_client.get(reverse("admin:projects_importbatch_changelist"))
    assert changelist.status_code == 200
    add = editor_client.get(reverse("admin:projects_importbatch_add"))
    assert add.status_code == 302 and add.url == reverse("admin:projects_importbatch_upload")
    form = editor_client.get(reverse("admin:projects_importbatch_upload"))
    assert form.status_code == 200 and b'enctype="multipart/form-data"' in form.content

    response = _upload(
        editor_client, edit_xlsx(export_xlsx(), _status_edit), note="週次", effective_on="2024-03-01"
    )

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:projects_importbatch_change", args=[batch.pk])
    preview = editor_client.get(response.url)
    assert preview.status_code == 200
    content = preview.content.decode()
    assert 'id="import-changes"' in content
    with translation.override("ja"):  # the uploaded export is Japanese: its labels are shown
        labels = str(Status.IDENTIFICATION.label), str(Status.IMPLEMENTATION.label)
    assert labels[0] in content and labels[1] in content
    assert 'id="import-apply"' in content
    assert Project.objects.get(number=3).status == Status.IDENTIFICATION

    applied = editor_client.post(reverse("admin:projects_importbatch_apply", args=[batch.pk]), follow=True)

    assert applied.status_code == 200
    assert "weekly.xlsx" in applied.content.decode()
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.APPLIED
    assert Project.objects.get(number=3).status == Status.IMPLEMENTATION
    change = StatusChange.objects.filter(project__number=3).latest("sequence")
    assert change.recorded_by == editor_client.user
    assert change.note == "Imported from weekly.xlsx\n週次"
    assert str(change.effective_on) == "2024-03-01"
    assert 'id="import-apply"' not in applied.content.decode()  # no second confirm


def test_a_file_with_errors_shows_them_by_row_and_column_and_cannot_be_confirmed(plan_data, editor_client):
    before = snapshot()
    response = _upload(editor_client, edit_xlsx(export_xlsx(), _bad_edit))
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.REJECTED
    page = editor_client.get(response.url).content.decode()
    assert 'id="import-errors"' in page
    assert "Unknown country: Atlantis" in page
    assert "<td>D5</td>" in page
    assert 'id="import-apply"' not in page
    editor_client.post(reverse("admin:projects_importbatch_apply", args=[batch.pk]))
    assert snapshot() == before


def test_a_hostile_file_is_refused_on_the_form_and_nothing_stored(plan_data, editor_client):
    response = _upload(editor_client, b"not a spreadsheet at all")
    assert response.status_code == 200
    assert "not an XLSX workbook" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_apply_needs_post(plan_data, editor_client):
    _upload(editor_client, edit_xlsx(export_xlsx(), _status_edit))
    batch = ImportBatch.objects.get()
    response = editor_client.get(reverse("admin:projects_importbatch_apply", args=[batch.pk]))
    assert response.status_code == 405
    assert ImportBatch.objects.get().state == ImportBatch.State.PREVIEWED


def test_viewer_can_read_imports_but_not_upload_or_apply(plan_data, client, editor_client):
    _upload(editor_client, edit_xlsx(export_xlsx(), _status_edit))
    batch = ImportBatch.objects.get()
    viewer = UserFactory(username="viewer", role=VIEWER)
    client.force_login(viewer)

    assert client.get(reverse("admin:projects_importbatch_changelist")).status_code == 200
    page = client.get(reverse("admin:projects_importbatch_change", args=[batch.pk]))
    assert page.status_code == 200 and 'id="import-apply"' not in page.content.decode()
    assert client.get(reverse("admin:projects_importbatch_upload")).status_code == 403
    refused = _upload(client, edit_xlsx(export_xlsx(), _status_edit))
    assert refused.status_code == 403
    assert client.post(reverse("admin:projects_importbatch_apply", args=[batch.pk])).status_code == 403
    assert ImportBatch.objects.count() == 1
    assert ImportBatch.objects.get().state == ImportBatch.State.PREVIEWED
    assert Project.objects.get(number=3).status == Status.IDENTIFICATION
