"""The admin project list's saved filters: saved from a filtered list, opened from the menu on
the same projects, the default view on a bare visit, "show all", and the owner's rows only."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import VIEWER
from projects.admin.list_links import admin_query
from savedfilters.models import SavedFilter
from savedfilters.services import saved_filter_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/projects/project/"
FILTERS = "region=southeast-asia&sector=rail"


@pytest.fixture
def viewer():
    return UserFactory(role=VIEWER)


@pytest.fixture
def browser(viewer):
    client = Client()
    client.force_login(viewer)
    return client


def admin_url(query=FILTERS):
    return f"{LIST}?{admin_query(QueryDict(query)).urlencode()}"


def test_saved_from_a_filtered_list_the_menu_opens_the_same_projects(plan_data, browser, viewer):
    filtered = browser.get(admin_url())
    count = filtered.context["cl"].result_count
    assert 0 < count < 93
    form = filtered.context["saved_filters"]["form"]

    saved = browser.post(
        "/saved-filters/save/",
        {"name": "東南アジアの鉄道", "query": form["query"].value(), "next": admin_url()},
    )

    assert saved.status_code == 302 and saved["Location"] == admin_url()
    row = SavedFilter.objects.get(owner=viewer)
    assert (row.name, row.query, row.is_default) == ("東南アジアの鉄道", FILTERS, False)
    menu = browser.get(LIST + "?all=1")
    link = next(s.link for s in menu.context["saved_filters"]["filters"])
    assert f'href="{link}"' in menu.content.decode()
    opened = browser.get(link, follow=True)
    assert opened.redirect_chain[-1][0] == admin_url()
    assert opened.context["cl"].result_count == count


def test_the_bare_list_opens_on_the_default_view_and_show_all_does_not(plan_data, browser, viewer):
    saved_filter_create(owner=viewer, name="rail", query=FILTERS, is_default=True)

    bare = browser.get(LIST)
    everything = browser.get(LIST + "?all=1")
    from_the_list = browser.get(LIST, HTTP_REFERER="http://testserver" + LIST + "?sectors__id__exact=1")

    assert (bare.status_code, bare["Location"]) == (302, admin_url())
    assert everything.status_code == 200 and "e=1" not in everything.get("Location", "")
    assert everything.context["cl"].result_count == 93
    assert from_the_list.status_code == 200
    assert browser.get(LIST + "?sectors__id__exact=1").status_code == 200  # a query: no redirect


def test_without_a_default_the_bare_list_is_every_project(plan_data, browser, viewer):
    saved_filter_create(owner=viewer, name="rail", query=FILTERS)

    response = browser.get(LIST)

    assert response.status_code == 200 and response.context["cl"].result_count == 93


def test_another_users_saved_filter_is_not_opened_nor_listed(plan_data, browser):
    theirs = saved_filter_create(
        owner=UserFactory(role=VIEWER), name="theirs", query=FILTERS, is_default=True
    )

    opened = browser.get(f"{LIST}?saved={theirs.pk}")
    bare = browser.get(LIST)
    their_admin_page = browser.get(reverse("admin:savedfilters_savedfilter_change", args=[theirs.pk]))
    their_rows = browser.get(reverse("admin:savedfilters_savedfilter_changelist"))

    assert (opened.status_code, opened["Location"]) == (302, LIST + "?all=1")
    assert bare.status_code == 200 and bare.context["saved_filters"]["filters"] == []
    assert their_admin_page.status_code == 302  # the admin's "doesn't exist" redirect
    assert their_rows.context["cl"].result_count == 0


def test_the_menu_costs_one_query_however_many_filters(plan_data, browser, viewer):
    def menu_queries():
        with CaptureQueriesContext(connection) as captured:
            browser.get(LIST + "?all=1")
        return len(captured)

    saved_filter_create(owner=viewer, name="one", query="sector=rail")
    one = menu_queries()
    for name, query in [
        ("two", "sector=road&region=south-asia"),
        ("three", "scheme=ODA"),
        ("four", "won=true"),
    ]:
        saved_filter_create(owner=viewer, name=name, query=query)

    assert menu_queries() == one


def test_a_bad_save_is_refused_with_a_message_and_writes_nothing(plan_data, browser):
    response = browser.post(
        "/saved-filters/save/", {"name": "x", "query": "region=nowhere", "next": admin_url()}, follow=True
    )

    assert not SavedFilter.objects.exists()
    assert any("region" in str(message) for message in response.context["messages"])


def test_the_save_view_needs_a_login_and_a_post(plan_data, browser):
    assert Client().post("/saved-filters/save/", {"name": "x"}).status_code == 302
    assert browser.get("/saved-filters/save/").status_code == 405
    assert not SavedFilter.objects.exists()


def test_an_offsite_next_is_not_followed(plan_data, browser):
    response = browser.post(
        "/saved-filters/save/", {"name": "x", "query": "sector=rail", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/?sector=rail"


def test_the_admin_renames_and_makes_a_default(plan_data, browser, viewer):
    first = saved_filter_create(owner=viewer, name="a", query="sector=rail", is_default=True)
    second = saved_filter_create(owner=viewer, name="b", query="sector=road")
    url = reverse("admin:savedfilters_savedfilter_change", args=[second.pk])

    response = browser.post(url, {"name": "道路", "query": "sector=road", "is_default": "on"})

    assert response.status_code == 302, response.context["adminform"].errors
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.name, second.is_default, first.is_default) == ("道路", True, False)
    taken = browser.post(url, {"name": "a", "query": "sector=road"})
    assert taken.status_code == 200 and "name" in taken.context["adminform"].form.errors
