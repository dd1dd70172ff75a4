"""Responsible officers (担当者) in the project admin: picked among active staff by full name,
saved through project_update, shown in the list with a "Mine" filter; and the list's star."""

import pytest
from django.test import Client

from accounts.roles import ADMINISTRATOR, VIEWER
from tests.admin_helpers import form_data, set_field
from tests.factories import UserFactory, WatchFactory
from tests.projects.admin.pages import CHANGELIST, change_url, numbers
from watches.models import Watch

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague():
    return UserFactory(username="suzuki", first_name="Ichiro", last_name="Suzuki")


def test_the_form_offers_active_staff_by_full_name(editor_client, world, colleague):
    UserFactory(username="gone", first_name="退職", last_name="者", is_active=False)
    UserFactory(username="outsider", first_name="外部", last_name="者", is_staff=False)

    html = editor_client.get(change_url(world["bangkok"])).content.decode()
    select = html[
        html.index('name="responsible"') : html.index("</select>", html.index('name="responsible"'))
    ]

    assert "Ichiro Suzuki" in select
    assert "退職" not in select and "外部" not in select


def test_an_editor_sets_the_officers_through_the_service(editor_client, editor, world, colleague):
    project = world["bangkok"]
    audit_rows = project.history.count()
    data = form_data(editor_client.get(change_url(project)), "project_form")
    set_field(data, "responsible", editor.pk, colleague.pk)

    response = editor_client.post(change_url(project), data)

    assert response.status_code == 302
    project.refresh_from_db()
    assert set(project.responsible.all()) == {editor, colleague}
    assert project.version == 2
    assert project.history.count() == audit_rows  # not part of the project's history
    assert set(Watch.objects.filter(project=project).values_list("user", flat=True)) == {
        editor.pk,
        colleague.pk,
    }


def test_an_inactive_officer_already_responsible_stays_on_the_form(editor_client, world):
    gone = UserFactory(username="gone", first_name="退職", last_name="者", is_active=False)
    project = world["bangkok"]
    project.responsible.add(gone)
    data = form_data(editor_client.get(change_url(project)), "project_form")
    set_field(data, "name_en", "Bangkok Red Line")

    assert data["responsible"] == [str(gone.pk)]
    assert editor_client.post(change_url(project), data).status_code == 302
    assert list(project.responsible.all()) == [gone]


def test_the_list_shows_the_officers_and_filters_mine(editor_client, editor, world, colleague):
    world["bangkok"].responsible.add(editor, colleague)
    world["hsr"].responsible.add(colleague)

    everything = editor_client.get(CHANGELIST)
    mine = editor_client.get(CHANGELIST, {"responsible": "me"})

    assert "Ichiro Suzuki" in everything.content.decode()
    assert numbers(mine) == [world["bangkok"].number]
    assert "自分" in everything.content.decode()


def test_the_list_star_posts_the_pages_toggle_form(editor_client, editor, world):
    WatchFactory(user=editor, project=world["hsr"])

    html = editor_client.get(CHANGELIST).content.decode()

    assert html.count('form="watch-toggle-form"') == 4  # one star a project
    assert f'value="{world["hsr"].number}" form="watch-toggle-form" aria-pressed="true"' in html
    assert '<form id="watch-toggle-form" method="post" action="/watches/toggle/">' in html


@pytest.mark.parametrize("role", [VIEWER, ADMINISTRATOR])
def test_every_role_stars_from_the_list(world, role):
    user = UserFactory(role=role)
    client = Client()
    client.force_login(user)
    page = client.get(CHANGELIST)
    data = form_data(page, "watch-toggle-form")

    response = client.post("/watches/toggle/", {**data, "project": world["hsr"].number})

    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    assert Watch.objects.filter(user=user, project=world["hsr"]).exists()
