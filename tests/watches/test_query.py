"""Who watches what: a watch of a project, its country, its region, a sector or a scheme covers
it; a responsible officer watches their project."""

import pytest
from django.db import IntegrityError, transaction

from projects.models import Project
from tests.factories import (
    CountryFactory,
    ProjectFactory,
    SchemeFactory,
    SectorFactory,
    UserFactory,
    WatchFactory,
)
from watches.models import Watch
from watches.query import watched_projects, watchers

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio():
    """Three projects: two in one country (one railway, one port), one elsewhere."""
    rail, port = SectorFactory(code="rail"), SectorFactory(code="port")
    country, other = CountryFactory(), CountryFactory()
    ppp = SchemeFactory(code="ppp")
    a = ProjectFactory(country=country, listing_group=None)
    a.sectors.set([rail])
    a.schemes.set([ppp])
    b = ProjectFactory(country=country, listing_group=None)
    b.sectors.set([port])
    c = ProjectFactory(country=other, listing_group=None)
    c.sectors.set([rail])
    return {"a": a, "b": b, "c": c, "rail": rail, "ppp": ppp, "country": country}


@pytest.mark.parametrize(
    "target, expected",
    [
        ("project", {"a"}),
        ("country", {"a", "b"}),
        ("region", {"a", "b"}),
        ("sector", {"a", "c"}),
        ("scheme", {"a"}),
    ],
)
def test_each_kind_of_watch_covers_its_projects(portfolio, target, expected):
    user = UserFactory()
    value = {
        "project": portfolio["a"],
        "country": portfolio["country"],
        "region": portfolio["country"].region,
        "sector": portfolio["rail"],
        "scheme": portfolio["ppp"],
    }[target]
    WatchFactory(user=user, **{target: value})

    numbers = set(watched_projects(user).values_list("number", flat=True))
    assert numbers == {portfolio[key].number for key in expected}
    for key in "abc":
        assert (user in watchers(portfolio[key])) == (key in expected)


def test_overlapping_watches_list_a_project_once(portfolio):
    user = UserFactory()
    WatchFactory(user=user, project=portfolio["a"])
    WatchFactory(user=user, sector=portfolio["rail"])
    WatchFactory(user=user, country=portfolio["country"])

    assert sorted(watched_projects(user).values_list("number", flat=True)) == sorted(
        portfolio[k].number for k in "abc"
    )
    assert list(watchers(portfolio["a"])) == [user]


def test_others_watches_and_inactive_watchers_do_not_count(portfolio):
    user, other = UserFactory(), UserFactory(is_active=False)
    WatchFactory(user=other, project=portfolio["a"])

    assert not watched_projects(user).exists()
    assert not watchers(portfolio["a"]).exists()


def test_a_watch_has_exactly_one_target_and_is_not_repeated(portfolio):
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Watch.objects.create(user=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Watch.objects.create(user=user, project=portfolio["a"], country=portfolio["country"])
    WatchFactory(user=user, project=portfolio["a"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Watch.objects.create(user=user, project=portfolio["a"])


def test_being_made_responsible_adds_a_watch_once(portfolio):
    user = UserFactory()
    project = portfolio["a"]
    project.responsible.add(user)
    user.responsible_for.add(portfolio["b"])
    project.responsible.remove(user)
    project.responsible.add(user)  # the watch is already there

    assert sorted(Watch.objects.filter(user=user).values_list("project__number", flat=True)) == sorted(
        [project.number, portfolio["b"].number]
    )
    assert set(Project.objects.filter(responsible=user)) == {project, portfolio["b"]}
