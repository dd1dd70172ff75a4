"""Every write path of tests/projects/test_audit.py (and the plan's and saved filters' services)
bumps the data version inside its own transaction: run inside a transaction that is rolled
back, it bumps exactly once and leaves the version as it was; run for real, it changes it."""

import io
from datetime import date

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from plans import services as plan_services
from projects import services
from projects.models import Development, Status
from readcache import version
from savedfilters.services import saved_filter_create
from tests.admin_helpers import form_data, set_field
from tests.factories import (
    CountryFactory,
    EditionFactory,
    HeadingFactory,
    ProjectFactory,
    SectorFactory,
)
from tests.workbooks import edit_xlsx, export_xlsx, set_cell

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def assert_bumps_in_its_transaction(write):
    before = version.current()
    with pytest.raises(Rollback), transaction.atomic():
        answer = write()
        assert getattr(answer, "status_code", 200) < 400, answer.content.decode()[:500]
        assert version.current() == before + 1  # one transaction, one bump
        raise Rollback
    assert version.current() == before  # rolled back with the write

    write()

    assert version.current() > before


@pytest.fixture
def api(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


@pytest.fixture
def projects():
    return [ProjectFactory() for _ in range(3)]


def test_admin_change_form(editor_client, projects):
    url = reverse("admin:projects_project_change", args=[projects[0].pk])
    data = form_data(editor_client.get(url), "project_form")
    set_field(data, "name", "版テスト事業")

    assert_bumps_in_its_transaction(lambda: editor_client.post(url, data))


def test_admin_add_form(editor_client, projects):
    country, group, sector = CountryFactory(), HeadingFactory(), SectorFactory()
    url = reverse("admin:projects_project_add")
    data = form_data(editor_client.get(url), "project_form")
    values = {"number": "777", "name": "新規", "name_en": "New", "summary": "概要"}
    values |= {"country": str(country.pk), "listing_group": str(group.pk)}
    for name, value in values.items():
        set_field(data, name, value)
    set_field(data, "sectors", str(sector.pk))

    assert_bumps_in_its_transaction(lambda: editor_client.post(url, data))


def test_admin_bulk_status_action(editor_client, projects):
    data = {
        "action": "change_status_selected",
        ACTION_CHECKBOX_NAME: [p.pk for p in projects[:2]],
        "status": Status.IMPLEMENTATION,
        "effective_on": "2024-04-01",
        "apply": "1",
    }

    assert_bumps_in_its_transaction(
        lambda: editor_client.post(reverse("admin:projects_project_changelist"), data)
    )


def test_api_patch_and_create(api, projects):
    url = f"/api/projects/{projects[0].pk}/"
    etag = api.get(url)["ETag"]
    assert_bumps_in_its_transaction(lambda: api.patch(url, {"name_en": "Changed"}, HTTP_IF_MATCH=etag))

    country, group, sector = CountryFactory(), HeadingFactory(), SectorFactory()
    body = {"number": 888, "name": "新港湾", "name_en": "Port", "summary": "概要", "sectors": [sector.code]}
    body |= {"country": country.iso_code, "listing_group": group.number}
    assert_bumps_in_its_transaction(lambda: api.post("/api/projects/", body))


def test_api_development_and_status_posts(api, projects):
    url = f"/api/projects/{projects[0].pk}/"
    assert_bumps_in_its_transaction(
        lambda: api.post(f"{url}developments/", {"kind": "other", "text": "入札"})
    )
    assert_bumps_in_its_transaction(lambda: api.post(f"{url}status-changes/", {"status": "preparation"}))


def test_service_development_update_and_delete(editor, projects):
    development = services.development_add(project=projects[0], kind="other", text="a", user=editor)
    assert_bumps_in_its_transaction(
        lambda: services.development_update(
            development=development, text="b", date=date(2024, 1, 1), date_precision="day", user=editor
        )
    )
    assert_bumps_in_its_transaction(
        lambda: services.development_delete(
            development=Development.objects.get(pk=development.pk), user=editor
        )
    )


def _edit(number):
    """A workbook edit: project `number` now in implementation."""
    return lambda projects, developments: set_cell(projects, number, "status", "implementation")


def test_api_import_apply(projects, api):
    content = edit_xlsx(export_xlsx(), _edit(projects[0].number))
    upload = api.post("/api/imports/", {"file": SimpleUploadedFile("w.xlsx", content)}, format="multipart")
    assert upload.status_code == 201

    assert_bumps_in_its_transaction(lambda: api.post(f"/api/imports/{upload.json()['id']}/apply/"))


def test_import_command(projects, editor, tmp_path):
    path = tmp_path / "w.xlsx"
    path.write_bytes(edit_xlsx(export_xlsx(), _edit(projects[0].number)))
    out = {"stdout": io.StringIO(), "stderr": io.StringIO()}

    assert_bumps_in_its_transaction(
        lambda: call_command("import_projects", str(path), "--user", editor.username, **out)
    )


def test_plan_services_and_saved_filters(editor):
    published = EditionFactory(year=2023)
    ProjectFactory(listing_group=HeadingFactory(edition=published, number=1))
    assert_bumps_in_its_transaction(lambda: plan_services.start_edition(2024, user=editor))
    assert_bumps_in_its_transaction(
        lambda: saved_filter_create(owner=editor, name="鉄道", query="status=preparation", is_default=True)
    )
