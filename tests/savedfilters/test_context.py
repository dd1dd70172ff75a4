"""The front page's pieces: the menu and save form's context from one function, the menu's
links to `/?<query>`, and the user's default filters for a bare `/`."""

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts.roles import VIEWER
from savedfilters.context import default_params, for_request
from savedfilters.services import saved_filter_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def request_for(user, query=""):
    request = RequestFactory().get(f"/?{query}")
    request.user = user
    return request


def test_the_menu_links_to_the_front_page_with_each_filters_query(plan_data):
    user = UserFactory(role=VIEWER)
    saved_filter_create(owner=user, name="鉄道", query="sector=rail&region=south-asia", is_default=True)
    request = request_for(user, "sector=road&page=2")

    context = for_request(request, request.GET)
    menu = render_to_string("savedfilters/menu.html", {"saved_filters": context}, request=request)
    form = render_to_string("savedfilters/save_form.html", {"saved_filters": context}, request=request)

    assert 'href="/?region=south-asia&amp;sector=rail"' in menu
    assert 'href="/?ordering=number"' in menu  # show all
    assert 'name="query" value="sector=road"' in form  # the filters shown, not the page
    assert 'action="/saved-filters/save/"' in form and 'name="next" value="/?sector=road&amp;page=2"' in form
    assert 'value="http://testserver/?sector=road" readonly' in form  # the filters, to share


def test_the_default_filters_apply_to_a_bare_front_page_only(plan_data):
    user = UserFactory(role=VIEWER)
    saved_filter_create(owner=user, name="鉄道", query="sector=rail", is_default=True)

    assert default_params(request_for(user)) == QueryDict("sector=rail")
    assert default_params(request_for(user, "ordering=number")) is None
    assert default_params(request_for(UserFactory())) is None


def test_the_context_costs_one_query(plan_data, django_assert_num_queries):
    user = UserFactory(role=VIEWER)
    for name in ("a", "b", "c"):
        saved_filter_create(owner=user, name=name, query="sector=rail")
    request = request_for(user)

    with django_assert_num_queries(1):
        for_request(request, request.GET)
