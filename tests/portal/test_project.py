"""A project's page (portal/views/project.py): what it shows, to whom, in how many queries."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from plans.models import Edition, EditionState, Listing
from projects.models import DatePrecision, DevelopmentKind, Project
from tests.factories import (
    DevelopmentFactory,
    EditionFactory,
    HeadingFactory,
    ProjectFactory,
    RemovalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _page(client, role, number, **extra):
    client.force_login(UserFactory(role=role))
    return client.get(reverse("portal:project", args=[number]), **extra)


def _text(response) -> str:
    """The page's visible text, tags removed and white space folded."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_anonymous_reader_goes_to_the_login_page_and_back(client):
    project = ProjectFactory()

    response = client.get(project.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next=/projects/{project.number}/"


def test_a_project_with_ranges_shows_them_formatted(plan_data, client):
    response = _page(client, VIEWER, 11)

    text = _text(response)
    assert response.status_code == 200
    assert "AIオンデマンド交通サービス等提供事業" in text
    assert "AI On-Demand Transport Service Provision Project (Viet Nam)" in text
    assert "2021年12月～2022年1月" in text and "2022年12月～2023年1月" in text
    assert "ベトナム" in text and "東南アジア" in text
    assert "交通ソフトインフラ" in text  # its sector
    assert "調査・準備中" in text  # its status
    # Oldest first; the undated "協議中" (the situation as of the plan) closes the timeline.
    assert text.index("2021年12月～2022年1月") < text.index("2022年12月～2023年1月") < text.index("協議中")
    assert "実証" in text  # the kind, translated (pilot)


def test_a_same_year_range_leaves_out_the_repeated_year(plan_data, client):
    text = _text(_page(client, VIEWER, 7))

    assert "2023年4月～7月" in text


def test_the_editions_that_list_it_are_shown(plan_data, client):
    html = _page(client, VIEWER, 11).content.decode()

    row = re.search(r"<tbody>.*?</tbody>", html.split('id="editions-title"')[1], re.S).group(0)
    assert "2023" in row and ">11<" in row and "①ベトナム" in row
    assert "【新規】" not in row


def test_new_mark_removal_and_drafts_only_for_editors(client):
    project = ProjectFactory(is_new=True)
    draft = EditionFactory(year=2024, state=EditionState.DRAFT, published_at=None)
    RemovalFactory(edition=draft, project=project, name=project.name, note="本邦企業が受注")

    viewer_text = _text(_page(client, VIEWER, project.number))
    editor_text = _text(_page(client, EDITOR, project.number))

    assert "【新規】" in viewer_text and "【新規】" in editor_text
    assert "2024" not in viewer_text
    assert "2024" in editor_text and "本邦企業が受注" in editor_text


@pytest.mark.parametrize(("role", "may_edit"), [(VIEWER, False), (EDITOR, True), (ADMINISTRATOR, True)])
def test_edit_link_only_for_those_who_may_change_projects(client, role, may_edit):
    project = ProjectFactory()

    html = _page(client, role, project.number).content.decode()

    change = reverse("admin:projects_project_change", args=[project.pk])
    assert (f'href="{change}"' in html) is may_edit
    assert f'href="{reverse("admin:projects_project_history", args=[project.pk])}"' in html
    assert f'href="{reverse("project-detail", args=[project.pk])}"' in html
    assert f'href="{reverse("admin:projects_project_changelist")}"' in html


def test_won_project_is_marked(client):
    project = ProjectFactory()
    DevelopmentFactory(project=project, kind=DevelopmentKind.AWARD, text="本邦企業が受注")

    text = _text(_page(client, VIEWER, project.number))

    assert "受注済み" in text


def test_not_won_project_has_no_mark(client):
    project = ProjectFactory()

    assert "受注済み" not in _text(_page(client, VIEWER, project.number))


def test_status_history_names_the_change_its_date_and_who(client):
    project = ProjectFactory()
    recorder = UserFactory(username="desk-officer", first_name="", last_name="")
    project.status_changes.create(
        sequence=2,
        status="procurement",
        previous_status="identification",
        effective_on=datetime.date(2022, 4, 1),
        effective_precision=DatePrecision.FISCAL_YEAR,
        note="入札公告",
        recorded_by=recorder,
    )

    text = _text(_page(client, VIEWER, project.number))

    assert "構想・検討中 → 入札・交渉中" in text
    assert "2022年度" in text and "入札公告" in text and "desk-officer" in text


def _queries(client, user, number) -> int:
    client.force_login(user)
    url = reverse("portal:project", args=[number])
    client.get(url)  # a warm session and content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [VIEWER, EDITOR])
def test_query_count_does_not_grow_with_the_developments(client, role):
    user = UserFactory(role=role)
    few, many = ProjectFactory(), ProjectFactory()
    for project, count in ((few, 2), (many, 20)):
        for index in range(count):
            DevelopmentFactory(
                project=project,
                date=datetime.date(2020, 1 + index % 12, 1),
                date_precision=DatePrecision.MONTH,
            )
        project.status_changes.create(sequence=2, status="preparation", previous_status="identification")
    draft = EditionFactory(year=2024, state=EditionState.DRAFT, published_at=None)
    Listing.objects.create(edition=draft, project=many, heading=HeadingFactory(edition=draft), number=3)

    # The session, the user, their permissions; the project (with its country, region and
    # "won" and the reader's star), its sectors, schemes, responsible officers, developments,
    # status changes, listings and removals.
    few.responsible.add(UserFactory(role=EDITOR))
    many.responsible.add(UserFactory(role=EDITOR), UserFactory(role=EDITOR))
    assert _queries(client, user, few.number) == _queries(client, user, many.number) == 11


def test_unknown_number_is_the_sites_404_page(client):
    response = _page(client, VIEWER, 99999)

    assert response.status_code == 404
    assert b'href="/admin/"' in response.content  # templates/404.html's way home


@pytest.mark.parametrize("path", ["/projects/abc/", "/projects/-1/", "/projects/1.5/", "/projects/%00/"])
def test_junk_numbers_are_not_found(client, path):
    client.force_login(UserFactory(role=VIEWER))

    assert client.get(path).status_code == 404


def test_english_puts_the_english_name_first(client, english):
    project = ProjectFactory(name="日本語名事業", name_en="English Name Project")
    client.force_login(UserFactory(role=VIEWER))
    client.cookies["django_language"] = "en"

    html = client.get(project.get_absolute_url()).content.decode()

    assert re.search(r"<h1[^>]*>English Name Project</h1>", html)
    assert '<p class="secondary-name" lang="ja">日本語名事業</p>' in html
    assert "Identification" in html


def test_english_without_an_english_name_shows_the_japanese_one(client, english):
    project = ProjectFactory(name="日本語名事業", name_en="")
    client.force_login(UserFactory(role=VIEWER))
    client.cookies["django_language"] = "en"

    html = client.get(project.get_absolute_url()).content.decode()

    assert re.search(r"<h1[^>]*>日本語名事業</h1>", html)


def test_view_on_site_in_the_admin_leads_to_this_page(client):
    project = ProjectFactory()
    client.force_login(UserFactory(role=EDITOR))
    content_type = ContentType.objects.get_for_model(Project)
    view_on_site = reverse("admin:view_on_site", args=[content_type.pk, project.pk])

    form = client.get(reverse("admin:projects_project_change", args=[project.pk])).content.decode()
    response = client.get(view_on_site)

    assert f'href="{view_on_site}"' in form
    assert response.status_code == 302
    assert response["Location"] == f"http://testserver/projects/{project.number}/"


def test_summary_keeps_its_line_breaks(client):
    project = ProjectFactory(summary="一行目\n二行目")

    html = _page(client, VIEWER, project.number).content.decode()

    assert "一行目<br>二行目" in html


def test_edition_listing_counts_once(client):
    """A project listed in two published editions shows both, newest first."""
    project = ProjectFactory()
    later = Edition.objects.create(year=2024, title="2024", state=EditionState.PUBLISHED)
    Listing.objects.create(edition=later, project=project, heading=HeadingFactory(edition=later), number=7)

    html = _page(client, VIEWER, project.number).content.decode()
    editions = html.split('id="editions-title"')[1]

    assert editions.index("<td>2024") < editions.index("<td>2023")


def test_the_sites_icon_is_served_where_browsers_look(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("portal/favicon.svg")
