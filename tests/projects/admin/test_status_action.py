"""The bulk status change action on the project list."""

from datetime import date

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from projects.models import Project, Status
from tests.projects.admin.pages import CHANGELIST

pytestmark = pytest.mark.django_db


# The bulk status change


def _action(client, projects, **extra):
    data = {"action": "change_status_selected", ACTION_CHECKBOX_NAME: [p.pk for p in projects], **extra}
    return client.post(CHANGELIST, data)


def test_bulk_status_change_asks_for_confirmation_first(editor_client, world):
    response = _action(editor_client, [world["hsr"], world["bangkok"]], index="0")

    assert response.status_code == 200
    assert response.templates[0].name == "admin/projects/project/change_status_selected.html"
    html = response.content.decode()
    assert "南北高速鉄道整備事業" in html and "バンコク都市鉄道" in html
    assert Project.objects.filter(status=Status.IDENTIFICATION).count() == 3


def test_bulk_status_change_applies_to_all_and_skips_those_already_there(editor_client, editor, world):
    selected = [world["hsr"], world["port"], world["bangkok"]]

    response = _action(
        editor_client,
        selected,
        status=Status.IMPLEMENTATION,
        effective_on="2024-04-01",
        note="閣議決定（一括）",
        apply="1",
    )

    assert response.status_code == 302
    for project in selected:
        project.refresh_from_db()
        assert project.status == Status.IMPLEMENTATION
    changed = [p for p in selected if p.status_changes.count() == 2]
    assert {p.number for p in changed} == {1, 10}
    for project in changed:
        change = project.status_changes.get(sequence=2)
        assert (change.note, change.effective_on, change.recorded_by) == (
            "閣議決定（一括）",
            date(2024, 4, 1),
            editor,
        )
    assert world["port"].status_changes.count() == 1  # already implementation: skipped
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("2" in m for m in messages)
    assert any(str(world["port"].number) in m for m in messages)


def test_bulk_status_change_without_a_status_shows_the_form_again(editor_client, world):
    response = _action(editor_client, [world["hsr"]], status="", apply="1")

    assert response.status_code == 200
    assert response.context["form"].errors
    world["hsr"].refresh_from_db()
    assert world["hsr"].status == Status.IDENTIFICATION
