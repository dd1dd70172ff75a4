"""Each change a follower cares about writes exactly one event, in the change's transaction."""

from datetime import date

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from accounts.roles import EDITOR
from events.models import Event, EventKind
from plans import services as plan_services
from plans.models import RemovalReason
from projects import services
from projects.models import Development, DevelopmentKind, Status
from tests.factories import (
    EditionFactory,
    HeadingFactory,
    ListingFactory,
    ProjectFactory,
    SectorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return UserFactory(username="sato", role=EDITOR)


@pytest.fixture
def project():
    project = ProjectFactory(listing_group=None)
    Event.objects.all().delete()  # the factory's own "added"
    return project


def kinds():
    return [event.kind for event in Event.objects.order_by("id")]


def test_adding_a_development_writes_one_event_with_what_it_said(project, editor):
    services.development_add(
        project=project,
        kind=DevelopmentKind.PROCUREMENT,
        text="入札公示",
        date=date(2024, 5, 1),
        date_precision="day",
        user=editor,
    )

    event = Event.objects.get()
    assert event.kind == EventKind.DEVELOPMENT_ADDED
    assert (event.project, event.project_number, event.actor) == (project, project.number, editor)
    assert event.payload["development"]["text"] == "入札公示"
    assert event.payload["development"]["date"] == "2024-05-01"
    assert event.payload["project"]["name"] == project.name
    assert event.seq is None  # numbered later, in commit order


def test_a_status_change_is_one_event_not_two(project, editor):
    services.project_change_status(project=project, status=Status.IMPLEMENTATION, user=editor)

    assert kinds() == [EventKind.STATUS_CHANGED]
    change = Event.objects.get().payload["status_change"]
    assert (change["previous_status"], change["status"]) == (Status.IDENTIFICATION, Status.IMPLEMENTATION)


def test_a_new_project_is_one_added_event(editor):
    project = services.project_create(
        user=editor,
        number=901,
        name="新規事業",
        name_en="New project",
        summary="概要",
        country=ProjectFactory(listing_group=None).country,
        sectors=[SectorFactory()],
    )

    added = Event.objects.filter(project=project)
    assert [event.kind for event in added] == [EventKind.PROJECT_ADDED]


def test_a_project_a_command_creates_without_a_user_is_added_too():
    project = services.project_create(
        number=902,
        name="コマンドの事業",
        name_en="Command project",
        summary="概要",
        country=ProjectFactory(listing_group=None).country,
        sectors=[SectorFactory()],
    )

    assert [event.kind for event in Event.objects.filter(project=project)] == [EventKind.PROJECT_ADDED]


def test_loading_the_plan_writes_no_event(plan_data):
    assert not Event.objects.filter(kind__in=[EventKind.PROJECT_ADDED, EventKind.PROJECT_CHANGED]).exists()


def test_an_edit_names_the_fields_it_changed(project, editor):
    services.project_update(project=project, user=editor, summary="新しい概要", name_en="Renamed")

    event = Event.objects.get()
    assert event.kind == EventKind.PROJECT_CHANGED
    assert event.payload["fields"] == ["name_en", "summary"]


def test_an_edit_that_changes_nothing_writes_no_event(project, editor):
    services.project_update(project=project, user=editor, summary=project.summary)

    assert kinds() == []


def test_a_development_edited_and_deleted(project, editor):
    development = services.development_add(project=project, kind=DevelopmentKind.OTHER, text="a", user=editor)
    services.development_update(development=development, text="b", user=editor)
    services.development_delete(development=Development.objects.get(pk=development.pk), user=editor)

    assert kinds() == [
        EventKind.DEVELOPMENT_ADDED,
        EventKind.DEVELOPMENT_CHANGED,
        EventKind.DEVELOPMENT_DELETED,
    ]


def test_deleting_a_project_is_one_event_that_outlives_it(project, editor):
    services.development_add(project=project, kind=DevelopmentKind.OTHER, text="a", user=editor)
    number = project.number
    Event.objects.all().delete()

    project.delete()

    event = Event.objects.get()
    assert (event.kind, event.project, event.project_number) == (EventKind.PROJECT_DELETED, None, number)


def test_a_rolled_back_change_leaves_no_event(project, editor):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.development_add(project=project, kind=DevelopmentKind.OTHER, text="a", user=editor)
        raise RuntimeError

    assert kinds() == []


def test_the_api_writes_the_event_with_its_origin(project, editor):
    client = APIClient()
    client.force_authenticate(editor)

    response = client.post(
        f"/api/projects/{project.pk}/developments/",
        {"kind": DevelopmentKind.OTHER, "text": "API から"},
        format="json",
    )

    assert response.status_code == 201, response.content
    event = Event.objects.get()
    assert (event.kind, event.via, event.actor) == (EventKind.DEVELOPMENT_ADDED, "api", editor)


def test_publishing_an_edition_tells_what_it_added_and_dropped(editor):
    previous = EditionFactory(year=2030)
    kept, dropped, added = (ProjectFactory(listing_group=None) for _ in range(3))
    for p in (kept, dropped):
        ListingFactory(edition=previous, project=p, heading=HeadingFactory(edition=previous))
    edition = plan_services.start_edition(2031, user=editor)
    plan_services.remove_listing(edition.listings.get(project=dropped), RemovalReason.WON, user=editor)
    plan_services.add_listing(edition, added, heading=edition.headings.first(), user=editor)
    Event.objects.all().delete()

    plan_services.publish(edition, user=editor)

    events = {(event.kind, event.project_number) for event in Event.objects.all()}
    assert events == {
        (EventKind.EDITION_PUBLISHED, None),
        (EventKind.LISTED, added.number),
        (EventKind.UNLISTED, dropped.number),
    }
    assert Event.objects.get(kind=EventKind.EDITION_PUBLISHED).edition_year == 2031
