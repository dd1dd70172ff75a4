"""The front page: login, filters, links to the admin's lists, since-last-visit, query count."""

import datetime
import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from portal.models import Visit
from projects.models import DevelopmentKind
from tests.factories import (
    CountryFactory,
    DevelopmentFactory,
    ProjectFactory,
    RegionFactory,
    SectorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/"


@pytest.fixture
def viewer(client):
    user = UserFactory(role=VIEWER)
    client.force_login(user)
    client.user = user
    return client


def test_anonymous_goes_to_the_admin_login_and_back():
    from django.test import Client

    response = Client().get(URL)

    assert response.status_code == 302
    assert response.url == reverse("admin:login") + "?next=/"


def test_logging_in_without_next_lands_on_the_front_page(client):
    UserFactory(username="reader", role=VIEWER)

    page = client.get(reverse("admin:login"))
    assert 'name="next" value="/"' in page.content.decode()
    response = client.post(
        reverse("admin:login"),
        {"username": "reader", "password": "correct-horse-battery-staple", "next": "/"},
    )
    assert response.status_code == 302 and response.url == "/"
    assert client.get(reverse("admin:index")).status_code == 200  # the index stays reachable


@pytest.mark.parametrize("role", [VIEWER, EDITOR, ADMINISTRATOR])
def test_every_role_sees_the_page(plan_data, client, role):
    client.force_login(UserFactory(role=role))

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["summary"].total == 93
    assert 'class="map-section' in response.content.decode()


def test_filters_narrow_the_figures_and_the_recent_lists(plan_data, viewer):
    everything = viewer.get(URL).context
    narrowed = viewer.get(URL, {"region": "south-asia", "q": ""}).context  # empty fields are ignored

    assert 0 < narrowed["summary"].total < everything["summary"].total
    countries = {item["project"].country.region.code for item in narrowed["developments"]}
    assert countries == {"south-asia"}
    assert narrowed["params"].dict() == {"region": "south-asia"}


def _admin_count(client, href) -> int:
    page = client.get(href)
    assert page.status_code == 200, href
    return page.context["cl"].result_count


def test_figures_link_to_admin_lists_of_that_many_projects(plan_data, client):
    client.force_login(UserFactory(role=EDITOR))
    response = client.get(URL, {"region": "southeast-asia"})
    html = response.content.decode()
    summary = response.context["summary"]

    assert _admin_count(client, unescape(response.context["total_href"])) == summary.total
    assert _admin_count(client, unescape(response.context["won_href"])) == summary.won
    assert _admin_count(client, unescape(response.context["new_href"])) == summary.new > 0
    for country in response.context["country_rows"][:3]:
        assert _admin_count(client, country["href"]) == country["count"]
    # The charts' bars: href and label of each SVG link.
    bars = re.findall(r'<a href="([^"]+)" class="chart-bar[^"]*" aria-label="([^"]+)"', html)
    assert len(bars) >= 8 + 4  # every status and scheme family at least
    for href, label in bars[:3] + bars[-3:]:
        count = int(re.search(r"(\d+)", unescape(label).rsplit(":", 1)[-1]).group(1))
        assert _admin_count(client, unescape(href)) == count, label


@pytest.mark.parametrize(
    "query", [{"region": "atlantis"}, {"won": "maybe"}, {"as_of": "2024-01-01"}, {"edition": "1900"}]
)
def test_a_bad_filter_is_a_form_error_and_a_400(plan_data, viewer, query):
    response = viewer.get(URL, query)

    assert response.status_code == 400
    assert set(response.context["errors"]) == set(query)
    assert 'class="form-errors"' in response.content.decode()


def test_new_since_the_last_visit(viewer):
    project = ProjectFactory()
    old = DevelopmentFactory(project=project, kind=DevelopmentKind.STUDY)
    old.recorded_at = timezone.now() - datetime.timedelta(days=3)
    old.save()

    first = viewer.get(URL).context
    assert first["since"] is None
    assert [item["new"] for item in first["developments"]] == [False]  # nothing is new on a first visit
    Visit.objects.filter(user=viewer.user).update(seen_at=timezone.now() - datetime.timedelta(days=1))
    fresh = DevelopmentFactory(project=project, kind=DevelopmentKind.AWARD)

    second = viewer.get(URL)
    marks = {item["object"].pk: item["new"] for item in second.context["developments"]}
    assert marks == {fresh.pk: True, old.pk: False}
    # The development, and the project's first status change (recorded when it was created).
    assert second.content.decode().count("recent-item is-new") == 2
    assert [item["new"] for item in second.context["changes"]] == [True]
    third = viewer.get(URL).context
    assert not any(item["new"] for item in third["developments"])  # seen now
    assert Visit.objects.get(user=viewer.user).seen_at > fresh.recorded_at


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"won": "false", "region": "prop-a"})
    assert response.status_code == 200
    return len(queries)


def test_the_page_takes_a_fixed_number_of_queries(viewer):
    region = RegionFactory(code="prop-a")

    def add(n):
        for _ in range(n):
            project = ProjectFactory(country=CountryFactory(region=region), sectors=[SectorFactory()])
            DevelopmentFactory(project=project)

    add(5)
    viewer.get(URL)  # the visit exists
    _page_queries(viewer)  # and every once-per-process cache is warm (PostgreSQL: one more query)
    few = _page_queries(viewer)
    add(35)
    many = _page_queries(viewer)

    assert few == many <= 32  # a fixed number, not one per project or link


def test_the_map_links_each_country_to_its_list(plan_data, viewer):
    response = viewer.get(URL, {"region": "south-asia"})
    html = response.content.decode()
    rows = response.context["country_rows"]
    links = re.findall(r'<a href="([^"]+)" class="country-map-country[^"]*" aria-label="([^"]+)"', html)
    assert len(links) == len(rows) > 0
    assert {unescape(href) for href, _label in links} == {row["href"] for row in rows}
    for row in rows:
        assert any(row["name"] in unescape(label) and str(row["count"]) in label for _href, label in links)


def test_the_downloads_are_the_lists_files_for_the_same_filters(plan_data, viewer):
    response = viewer.get(URL, {"sector": "rail", "region": "southeast-asia"})
    downloads = dict(response.context["downloads"])
    oc4ids = viewer.get(downloads["OC4IDS (JSON)"])
    assert oc4ids.status_code == 200
    package = json.loads(b"".join(oc4ids.streaming_content) if oc4ids.streaming else oc4ids.content)
    assert len(package["projects"]) == response.context["summary"].total > 0
    for label in ("CSV", "Excel (XLSX)", "IATI (XML)"):
        assert viewer.get(downloads[label]).status_code == 200, label


def test_recent_items_open_the_readers_project_page(plan_data, viewer):
    response = viewer.get(URL)
    development = response.context["developments"][0]
    assert development["href"] == f"/projects/{development['project'].number}/"
    assert viewer.get(development["href"]).status_code == 200


def test_a_saved_default_opens_with_the_page_and_every_project_is_one_click_away(plan_data, viewer):
    from savedfilters.models import SavedFilter

    response = viewer.post(
        reverse("savedfilters:save"),
        {"name": "南アジア", "query": "region=south-asia", "is_default": "on", "next": "/?region=south-asia"},
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get(owner=viewer.user)
    assert saved.is_default and saved.query == "region=south-asia"

    opened = viewer.get(URL)
    assert opened.status_code == 200
    assert opened.context["params"].dict() == {"region": "south-asia"}
    assert 0 < opened.context["summary"].total < 93
    assert [item.name for item in opened.context["saved_filters"]["filters"]] == ["南アジア"]
    assert opened.context["saved_filters"]["share_url"] == "http://testserver/?region=south-asia"

    everything = viewer.get(opened.context["saved_filters"]["show_all_url"])
    assert everything.status_code == 200
    assert everything.context["summary"].total == 93


@pytest.mark.parametrize("is_new", ["true", "false"])
def test_under_the_new_filter_every_link_keeps_it(plan_data, client, is_new):
    client.force_login(UserFactory(role=EDITOR))
    response = client.get(URL, {"is_new": is_new})
    summary = response.context["summary"]
    assert summary.total == (10 if is_new == "true" else 83)  # the plan's 【新規案件】 marks
    assert _admin_count(client, unescape(response.context["total_href"])) == summary.total
    for row in response.context["country_rows"][:3]:
        assert _admin_count(client, row["href"]) == row["count"]


def test_under_a_sector_filter_only_its_own_bars_link(plan_data, client):
    client.force_login(UserFactory(role=EDITOR))
    response = client.get(URL, {"sector": "rail"})
    html = response.content.decode()
    sectors = re.search(r'<figure class="chart" id="chart-sector">(.*?)</figure>', html, re.S).group(1)
    linked = re.findall(r'<a href="([^"]+)" class="chart-bar[^"]*" aria-label="([^"]+)"', sectors)
    unlinked = re.findall(r'<g class="chart-bar chart-nolink[^"]*" role="img" aria-label="([^"]+)"', sectors)
    # Rail's bar lists the rail projects; a bar of another sector counts rail projects that
    # also have it, which no admin list shows: it is a figure without a link.
    assert len(linked) == 1
    href, label = linked[0]
    assert _admin_count(client, unescape(href)) == response.context["summary"].total
    assert len(unlinked) == len(response.context["summary"].by_sector) - 1 > 0
