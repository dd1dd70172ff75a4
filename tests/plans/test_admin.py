"""The editions' admin: who may start, edit and publish, a published edition read-only, a stale
page refused with a message, and the draft page's queries on the real 93 rows."""

import pytest
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from plans import services
from plans.models import Edition, Removal
from projects.models import Project
from tests.factories import UserFactory

CHANGELIST = reverse("admin:plans_edition_changelist")
START = reverse("admin:plans_edition_start")


def _client(client, role):
    client.force_login(UserFactory(username=f"u-{role}", role=role))
    return client


def _list(year):
    return reverse("admin:plans_edition_list", args=[year])


def _change(year):
    return reverse("admin:plans_edition_list_change", args=[year])


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.django_db
def test_an_editor_starts_the_next_edition_and_lands_on_its_draft(plan_data, client):
    client = _client(client, EDITOR)

    response = client.post(START)

    assert response.status_code == 302
    assert response["Location"] == _list(2024)
    draft = Edition.objects.get(year=2024)
    assert (draft.state, draft.listings.count()) == ("draft", 93)
    page = client.get(CHANGELIST)
    assert "次の版を作成" in page.content.decode()


@pytest.mark.django_db
def test_a_viewer_may_not_start_an_edition_nor_see_a_draft(plan_data, client):
    services.start_edition(2024)
    client = _client(client, VIEWER)

    assert client.post(START).status_code == 403
    assert client.get(_list(2024)).status_code == 404
    assert client.get(_list(2023)).status_code == 200


@pytest.mark.django_db
def test_publishing_asks_for_confirmation_and_is_the_administrators(plan_data, client):
    draft = services.start_edition(2024)
    publish = reverse("admin:plans_edition_publish", args=[2024])
    editor = _client(client, EDITOR)
    assert editor.get(publish).status_code == 403
    assert editor.post(publish, {"version": draft.version}).status_code == 403

    admin = _client(client, ADMINISTRATOR)
    confirm = admin.get(publish)
    assert confirm.status_code == 200
    assert Edition.objects.get(year=2024).state == "draft"  # the GET only asks
    response = admin.post(publish, {"version": draft.version})

    assert response.status_code == 302
    assert Edition.objects.get(year=2024).state == "published"


@pytest.mark.django_db
def test_a_published_edition_is_read_only_in_the_admin(plan_data, client):
    client = _client(client, EDITOR)
    edition = Edition.objects.get(year=2023)
    listing = edition.listings.order_by("number").first()

    page = client.get(reverse("admin:plans_edition_change", args=[edition.pk]))
    response = client.post(
        _change(2023),
        {"version": edition.version, "listing": listing.pk, "action": "remove", "reason": "won"},
    )

    assert page.status_code == 200
    assert 'name="headings-0-name_ja"' not in page.content.decode()
    assert response.status_code == 302
    assert edition.listings.count() == 93
    assert Removal.objects.filter(edition=edition, project=listing.project).count() == 0


@pytest.mark.django_db
def test_a_stale_page_is_refused_with_a_message_not_saved_over(plan_data, client):
    draft = services.start_edition(2024)
    client = _client(client, EDITOR)
    first, second = draft.listings.order_by("number")[:2]
    services.move_listing(first, position=2, expected_version=draft.version)  # a colleague

    response = client.post(
        _change(2024),
        {"version": draft.version, "listing": second.pk, "action": "remove", "reason": "won"},
        follow=True,
    )

    assert response.status_code == 200
    assert any("2024" in message for message in _messages(response))
    assert draft.listings.filter(pk=second.pk).exists()


@pytest.mark.django_db
def test_remove_add_and_move_go_through_the_services(plan_data, client):
    draft = services.start_edition(2024)
    client = _client(client, EDITOR)
    won = draft.listings.get(project__number=25)
    client.post(_change(2024), {"version": draft.version, "listing": won.pk, "action": "remove_won"})
    draft.refresh_from_db()
    project = Project.objects.create(number=500, name="新規試験事業", country=won.project.country)
    client.post(
        _change(2024),
        {"version": draft.version, "action": "add", "project": project.pk, "heading": 1, "position": 1},
    )
    draft.refresh_from_db()

    assert draft.removals.get(project__number=25).reason == "won"
    added = draft.listings.get(project=project)
    assert (added.number, added.is_new) == (1, True)
    assert draft.listings.count() == 93


@pytest.mark.django_db
def test_the_draft_page_runs_a_fixed_number_of_queries_for_93_rows(
    plan_data, client, django_assert_max_num_queries
):
    services.start_edition(2024)
    client = _client(client, EDITOR)
    with django_assert_max_num_queries(25):
        response = client.get(_list(2024))
    assert response.status_code == 200
    assert response.content.decode().count('<tr id="row-') == 93


@pytest.mark.django_db
def test_the_compare_page_gives_the_2023_text_facts(plan_data, client):
    client = _client(client, VIEWER)
    response = client.get(reverse("admin:plans_edition_compare"), {"one": 2023, "other": 2022})

    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert (comparison.older_count, comparison.removed_count, len(comparison.added)) == (87, 4, 10)
    bad = client.get(reverse("admin:plans_edition_compare"), {"one": 2023, "other": "x"})
    assert bad.status_code == 200 and bad.context["error"]


@pytest.mark.django_db
def test_the_project_page_lists_its_editions_and_the_list_filters_by_edition(plan_data, client):
    services.start_edition(2024)
    client = _client(client, EDITOR)
    project = Project.objects.get(number=1)

    page = client.get(reverse("admin:projects_project_change", args=[project.pk])).content.decode()
    listed = client.get(reverse("admin:projects_project_changelist"), {"edition": "2023"})

    assert "2023" in page and "2024" in page
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 93
