"""What each role can see and do in the admin: viewer, editor, administrator."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER, sync_roles
from plans.models import Listing
from projects.models import Development, DevelopmentKind, Project, Status, StatusChange
from tests.admin_helpers import form_data, set_field
from tests.factories import CountryFactory, DevelopmentFactory, ProjectFactory, SectorFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:projects_project_changelist")


@pytest.fixture
def project():
    project = ProjectFactory(number=5, name="ジャカルタ都市高速鉄道")
    DevelopmentFactory(project=project, sequence=1, text="E/N 署名")
    return project


def login(client, role):
    user = UserFactory(username=f"user-{role}", role=role)
    client.force_login(user)
    return user


def change_url(project):
    return reverse("admin:projects_project_change", args=[project.pk])


# Viewer: reads everything, writes nothing


def test_history_of_an_unknown_project_is_not_found(client):
    login(client, VIEWER)

    assert client.get(reverse("admin:projects_project_history", args=["abc"])).status_code == 404
    assert client.get(reverse("admin:projects_project_history", args=["999"])).status_code == 404


def test_viewer_sees_the_list_and_the_project_read_only(client, project):
    login(client, VIEWER)

    listing = client.get(CHANGELIST)
    page = client.get(change_url(project))
    client.cookies["django_language"] = "en"  # the language switch
    history = client.get(reverse("admin:projects_project_history", args=[project.pk]))

    assert listing.status_code == page.status_code == history.status_code == 200
    assert "change_status_selected" not in listing.content.decode()
    assert listing.context["has_add_permission"] is False
    html = page.content.decode()
    assert page.context["has_change_permission"] is False
    assert 'name="name"' not in html
    assert 'name="_save"' not in html
    assert 'name="new_status"' not in html
    assert 'name="developments-0-text"' not in html
    assert "E/N 署名" in html  # developments are listed, read only
    assert "ジャカルタ都市高速鉄道" in html


def test_viewer_posting_a_change_anyway_is_refused(client, project):
    editor_client_data = _editor_form(project)
    login(client, VIEWER)
    set_field(editor_client_data, "name", "viewer was here")
    set_field(editor_client_data, "new_status", Status.CANCELLED)

    response = client.post(change_url(project), editor_client_data)

    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name == "ジャカルタ都市高速鉄道"
    assert project.status == Status.IDENTIFICATION
    assert project.version == 1


def test_viewer_cannot_add_delete_or_run_the_bulk_action(client, project):
    login(client, VIEWER)

    add = client.get(reverse("admin:projects_project_add"))
    delete = client.post(reverse("admin:projects_project_delete", args=[project.pk]), {"post": "yes"})
    action = client.post(
        CHANGELIST,
        {
            "action": "change_status_selected",
            ACTION_CHECKBOX_NAME: [project.pk],
            "status": Status.CANCELLED,
            "apply": "1",
        },
    )

    assert add.status_code == 403
    assert delete.status_code == 403
    assert action.status_code in (200, 302)
    project.refresh_from_db()
    assert project.status == Status.IDENTIFICATION
    assert Project.objects.filter(pk=project.pk).exists()


def _editor_form(project):
    """The project form as an editor's browser would post it back."""
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(username="form-source", role=EDITOR))
    return form_data(client.get(change_url(project)), "project_form")


# Editor: projects, developments and status changes; no deletes, no reference data, no users


def test_editor_can_edit_add_developments_and_change_status(client, project):
    user = login(client, EDITOR)
    data = form_data(client.get(change_url(project)), "project_form")
    set_field(data, "summary", "更新した概要")
    set_field(data, "developments-1-kind", DevelopmentKind.AGREEMENT)
    set_field(data, "developments-1-text", "L/A 締結")
    set_field(data, "new_status", Status.IMPLEMENTATION)

    response = client.post(change_url(project), data)

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.summary == "更新した概要"
    assert project.status == Status.IMPLEMENTATION
    assert project.developments.count() == 2
    assert project.status_changes.order_by("-sequence").first().recorded_by == user


def test_editor_sees_no_delete_controls_and_a_delete_is_refused(client, project):
    login(client, EDITOR)

    page = client.get(change_url(project)).content.decode()
    delete = client.post(reverse("admin:projects_project_delete", args=[project.pk]), {"post": "yes"})
    listing = client.get(CHANGELIST).content.decode()

    assert "deletelink" not in page
    # A development recorded by someone else: its delete box is there, but disabled.
    assert 'name="developments-0-DELETE" disabled' in page
    assert delete.status_code == 403
    assert "delete_selected" not in listing
    assert "change_status_selected" in listing
    assert Project.objects.filter(pk=project.pk).exists()


def test_editor_cannot_delete_a_development_by_posting_the_flag(client, project):
    login(client, EDITOR)
    data = form_data(client.get(change_url(project)), "project_form")
    data["developments-0-DELETE"] = ["on"]

    response = client.post(change_url(project), data)

    assert response.status_code == 302
    assert project.developments.count() == 1


def test_editor_cannot_change_someone_elses_development_by_posting(client, project):
    login(client, EDITOR)
    data = form_data(client.get(change_url(project)), "project_form")
    set_field(data, "developments-0-text", "書き換え")

    response = client.post(change_url(project), data)

    assert response.status_code == 302
    assert project.developments.get().text == "E/N 署名"
    assert not Development.history.filter(history_type="~").exists()


def test_editor_corrects_and_deletes_a_development_they_recorded(client, project):
    user = login(client, EDITOR)
    own = DevelopmentFactory(project=project, sequence=2, text="誤記", recorded_by=user)
    data = form_data(client.get(change_url(project)), "project_form")
    assert data["developments-0-id"] == [str(own.pk)]  # newest first
    set_field(data, "developments-0-text", "正しい記述")
    assert client.post(change_url(project), data).status_code == 302
    own.refresh_from_db()
    assert own.text == "正しい記述"

    data = form_data(client.get(change_url(project)), "project_form")
    assert "developments-1-DELETE" not in data  # the other row's box stays unticked
    data["developments-0-DELETE"] = ["on"]
    data["developments-1-DELETE"] = ["on"]  # someone else's: ignored
    assert client.post(change_url(project), data).status_code == 302

    assert list(project.developments.values_list("text", flat=True)) == ["E/N 署名"]
    audit = Development.history.filter(id=own.pk).order_by("history_id")
    assert [(row.history_type, row.history_user) for row in audit][1:] == [("~", user), ("-", user)]


def test_recorder_names_link_only_for_readers_who_may_open_accounts(client, project):
    recorder = UserFactory(username="recorder")
    project.developments.update(recorded_by=recorder)
    project.status_changes.update(recorded_by=recorder)
    account = reverse("admin:auth_user_change", args=[recorder.pk])
    pages = {}
    for role in (VIEWER, EDITOR, ADMINISTRATOR):
        login(client, role)
        pages[role] = client.get(change_url(project)).content.decode()

    for role in (VIEWER, EDITOR):
        assert account not in pages[role]
        assert pages[role].count("recorder") >= 2  # the name, in both tables
    assert pages[ADMINISTRATOR].count(f'href="{account}"') == 2


def test_nobody_edits_the_status_history_on_the_project_page(client, project):
    for role in (EDITOR, ADMINISTRATOR):
        login(client, role)
        page = client.get(change_url(project))
        inline = next(f for f in page.context["inline_admin_formsets"] if f.formset.model is StatusChange)
        assert not (inline.has_add_permission or inline.has_change_permission or inline.has_delete_permission)
        assert 'name="status_changes-0-status"' not in page.content.decode()


def test_posted_status_history_rows_are_ignored(client, project):
    login(client, ADMINISTRATOR)
    data = form_data(client.get(change_url(project)), "project_form")
    data["status_changes-0-status"] = [Status.CANCELLED]
    data["status_changes-0-note"] = ["rewritten"]
    data["status_changes-0-DELETE"] = ["on"]

    response = client.post(change_url(project), data)

    assert response.status_code == 302
    change = project.status_changes.get()
    assert (change.status, change.note) == (Status.IDENTIFICATION, "initial")


def test_editor_sees_reference_data_read_only(client):
    login(client, EDITOR)
    country = CountryFactory(iso_code="VN", name_ja="ベトナム")
    sector = SectorFactory(code="rail")
    url = reverse("admin:countries_country_change", args=[country.pk])

    page = client.get(url)
    post = client.post(
        url, {"iso_code": "VN", "name_ja": "改名", "name_en": "x", "region": country.region_id}
    )
    add_sector = client.get(reverse("admin:projects_sector_add"))
    change_sector = client.post(reverse("admin:projects_sector_change", args=[sector.pk]), {"code": "x"})

    assert page.status_code == 200 and 'name="name_ja"' not in page.content.decode()
    assert post.status_code == 403
    assert add_sector.status_code == 403
    assert change_sector.status_code == 403
    country.refresh_from_db()
    assert country.name_ja == "ベトナム"


@pytest.mark.parametrize(
    "url_name", ["admin:auth_user_changelist", "admin:auth_group_changelist", "admin:auth_user_add"]
)
@pytest.mark.parametrize("role", [VIEWER, EDITOR])
def test_no_user_management_below_administrator(client, role, url_name):
    login(client, role)

    assert client.get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize("role", [VIEWER, EDITOR])
def test_the_index_lists_no_user_management(client, role):
    login(client, role)

    apps = {app["app_label"] for app in client.get(reverse("admin:index")).context["app_list"]}

    # no auth (users and groups); the change log, their own saved filters and digest preference for every role
    assert apps == {"projects", "countries", "plans", "changes", "savedfilters", "digests"}


# Administrator: everything, but the status history still goes through the service


def test_administrator_edits_reference_data_and_manages_users(client):
    login(client, ADMINISTRATOR)
    country = CountryFactory(iso_code="VN", name_ja="ベトナム", name_en="Viet Nam")
    url = reverse("admin:countries_country_change", args=[country.pk])
    data = form_data(client.get(url), "country_form")
    set_field(data, "name_en", "Vietnam")

    response = client.post(url, data)

    assert response.status_code == 302
    country.refresh_from_db()
    assert country.name_en == "Vietnam"
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200


def test_administrator_deletes_a_development_through_the_service(client, project):
    user = login(client, ADMINISTRATOR)
    data = form_data(client.get(change_url(project)), "project_form")
    assert "developments-0-DELETE" not in data  # the box is there, unticked
    data["developments-0-DELETE"] = ["on"]

    response = client.post(change_url(project), data)

    assert response.status_code == 302
    assert not project.developments.exists()
    deleted = Development.history.get(history_type="-")
    assert deleted.history_user == user
    project.refresh_from_db()
    assert project.version == 2


def test_a_project_an_edition_lists_cannot_be_deleted(client, project):
    login(client, ADMINISTRATOR)

    response = client.post(reverse("admin:projects_project_delete", args=[project.pk]), {"post": "yes"})

    assert response.status_code == 200  # the admin's "cannot delete: protected" page
    assert Project.objects.filter(pk=project.pk).exists()


def test_administrator_can_delete_a_project(client, project):
    login(client, ADMINISTRATOR)
    # A project an edition lists cannot go (its listing PROTECTs it): this one is delisted first.
    Listing.objects.filter(project=project).delete()

    response = client.post(reverse("admin:projects_project_delete", args=[project.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()
    # The audit trail outlives the project.
    client.cookies["django_language"] = "en"  # the language switch
    history = client.get(reverse("admin:projects_project_history", args=[project.pk]))
    assert history.status_code == 200
    actions = {(entry.subject, entry.action) for entry in history.context["audit_trail"]}
    assert ("Project", "Deleted") in actions and ("Development 1", "Deleted") in actions


# The plan's editions: editors edit the draft's list; publishing is the administrators'.


def _plans_permissions(role):
    user = UserFactory(username=f"plans-{role}", role=role)
    return {name for name in user.get_all_permissions() if name.startswith("plans.")}


def test_the_roles_permissions_on_editions():
    view = {f"plans.view_{model}" for model in ("edition", "heading", "listing", "removal")}
    edit = {
        "plans.add_edition",
        "plans.change_edition",
        *(
            f"plans.{action}_{model}"
            for action in ("add", "change", "delete")
            for model in ("heading", "listing", "removal")
        ),
    }

    assert _plans_permissions(VIEWER) == view
    assert _plans_permissions(EDITOR) == view | edit
    assert _plans_permissions(ADMINISTRATOR) == view | edit | {
        "plans.delete_edition",
        "plans.publish_edition",
    }


def test_sync_roles_counts_the_plans_permissions():
    counts = sync_roles()

    # Without plans: viewer 11, editor 19 (projects, countries). plans adds its 4 view permissions to every role and
    # 11 edit permissions to editors; every role keeps its own saved filters, watches and digest preference (4 each);
    # administrators have every permission, plans' 17 included.
    own = 4 + 4 + 4
    assert (counts[VIEWER], counts[EDITOR]) == (11 + 4 + own, 19 + 4 + 11 + own)
    assert counts[ADMINISTRATOR] == Permission.objects.count()
    assert Permission.objects.filter(content_type__app_label="plans").count() == 17
