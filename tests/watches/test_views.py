"""The watch pages: the project star (a POST with CSRF, every role), "My watches" with its
add and remove forms, others' watches out of reach, a fixed number of queries."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import EDITOR, VIEWER
from tests.factories import (
    CountryFactory,
    ProjectFactory,
    RegionFactory,
    SchemeFactory,
    SectorFactory,
    UserFactory,
    WatchFactory,
)
from watches.models import Watch

pytestmark = pytest.mark.django_db

INDEX = reverse("watches:index")
TOGGLE = reverse("watches:toggle")
ADD = reverse("watches:add")


@pytest.fixture
def viewer():
    return UserFactory(role=VIEWER, first_name="花子", last_name="山田")


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.mark.parametrize("role", [VIEWER, EDITOR])
def test_the_star_on_the_project_page_toggles_a_watch(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    project = ProjectFactory(number=36)
    page = project.get_absolute_url()

    before = client.get(page).content.decode()
    starred = client.post(TOGGLE, {"project": "36", "next": page})
    after = client.get(page).content.decode()
    unstarred = client.post(TOGGLE, {"project": "36", "next": page})

    assert 'aria-pressed="false"' in before and 'aria-pressed="true"' in after
    assert (starred.status_code, starred["Location"]) == (302, page)
    assert unstarred.status_code == 302
    assert not Watch.objects.filter(user=user).exists()


def test_the_star_needs_the_csrf_token_and_a_post(viewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    ProjectFactory(number=36)

    assert client.post(TOGGLE, {"project": "36"}).status_code == 403
    assert client.get(TOGGLE, {"project": "36"}).status_code == 405
    assert not Watch.objects.exists()


@pytest.mark.parametrize("number", ["999", "abc", "", "1" * 30])
def test_the_star_of_no_project_is_a_4xx_or_a_message(viewer_client, number):
    response = viewer_client.post(TOGGLE, {"project": number})

    assert response.status_code in (302, 404)
    assert not Watch.objects.exists()


def test_next_leading_elsewhere_is_not_followed(viewer_client):
    project = ProjectFactory(number=36)

    response = viewer_client.post(TOGGLE, {"project": "36", "next": "https://evil.example/"})

    assert response["Location"] == project.get_absolute_url()


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(INDEX).status_code == 302
    assert client.post(TOGGLE, {"project": "1"}).status_code == 302


def test_my_watches_lists_each_kind_with_remove_buttons_and_offers_the_rest(viewer_client, viewer):
    region = RegionFactory(code="south-asia", name_ja="南アジア")
    india = CountryFactory(iso_code="IN", name_ja="インド", region=region)
    CountryFactory(iso_code="VN", name_ja="ベトナム")
    rail = SectorFactory(code="rail", name_ja="鉄道")
    SchemeFactory(code="ppp", name_ja="PPP")
    project = ProjectFactory(number=36, name="ムンバイ・アーメダバード間高速鉄道")
    for target in ({"project": project}, {"country": india}, {"sector": rail}):
        WatchFactory(user=viewer, **target)
    WatchFactory(user=UserFactory(), region=region)  # someone else's

    html = viewer_client.get(INDEX).content.decode()

    assert "ムンバイ・アーメダバード間高速鉄道" in html and "インド" in html and "鉄道" in html
    assert html.count('class="remove"') == 3
    start = html.index('name="target"')
    menu = html[start : html.index("</select>", start)]
    assert 'value="country:VN"' in menu and 'value="region:south-asia"' in menu
    assert 'value="country:IN"' not in menu and 'value="sector:rail"' not in menu


def test_adding_and_removing_from_the_page(viewer_client, viewer):
    RegionFactory(code="south-asia")

    added = viewer_client.post(ADD, {"target": "region:south-asia"})
    again = viewer_client.post(ADD, {"target": "region:south-asia"}, follow=True)
    unknown = viewer_client.post(ADD, {"target": "country:ZZ"}, follow=True)
    watch = Watch.objects.get(user=viewer)
    removed = viewer_client.post(reverse("watches:remove", args=[watch.pk]))

    assert added.status_code == removed.status_code == 302
    assert "すでにウォッチしています" in again.content.decode() or "already watch" in again.content.decode()
    assert unknown.status_code == 200 and b"ZZ" in unknown.content
    assert not Watch.objects.exists()


def test_someone_elses_watch_cannot_be_removed(viewer_client):
    theirs = WatchFactory(user=UserFactory(), sector=SectorFactory())

    response = viewer_client.post(reverse("watches:remove", args=[theirs.pk]))

    assert response.status_code == 404
    assert Watch.objects.filter(pk=theirs.pk).exists()


def test_my_watches_takes_a_fixed_number_of_queries(viewer_client, viewer, django_assert_num_queries):
    viewer_client.get(INDEX)
    WatchFactory(user=viewer, project=ProjectFactory())
    # The session, the user, the watches with their targets, the four menus' rows.
    with django_assert_num_queries(7):
        viewer_client.get(INDEX)
    for _ in range(5):
        WatchFactory(user=viewer, project=ProjectFactory())
        WatchFactory(user=viewer, country=CountryFactory())
        WatchFactory(user=viewer, sector=SectorFactory())
    with django_assert_num_queries(7):
        response = viewer_client.get(INDEX)
    assert response.content.decode().count('class="remove"') == 16
