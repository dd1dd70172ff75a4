"""portal.summary: the portfolio's counts are the project list's counts, in a fixed number of
queries, on the real data and on random filters."""

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.selection import as_listed
from portal.summary import DIMENSIONS, PARAMETER, SUMMARY_QUERIES, filterset, project_list, summarize
from projects.models import Development, DevelopmentKind, Project, SchemeFamily, Status
from tests.factories import (
    CountryFactory,
    DevelopmentFactory,
    ProjectFactory,
    RegionFactory,
    SchemeFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db


def list_count(params) -> int:
    """The API list's count for `params` (ProjectFilterSet, as the list applies it)."""
    filters = filterset(QueryDict(params, mutable=False) if isinstance(params, str) else params)
    assert filters.is_valid(), filters.errors
    return as_listed(filters.qs).count()


def test_the_real_plan_counts_93_projects(plan_data):
    summary = summarize(project_list())
    assert summary.total == 93
    assert sum(summary.counts("by_status").values()) == 93
    assert sum(summary.counts("by_region").values()) == 93
    assert sum(summary.counts("by_country").values()) == 93
    assert list(summary.counts("by_status")) == Status.values  # every status, in order
    assert list(summary.counts("by_scheme_family")) == SchemeFamily.values
    assert all(bucket.count > 0 for bucket in summary.by_country)  # no zero countries
    assert summary.new == list_count("is_new=true") > 0
    assert summary.won == list_count("won=true")
    # A project with two sectors counts in both: the sectors' counts add up to more.
    assert sum(summary.counts("by_sector").values()) >= 93


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_each_real_count_is_the_list_count_with_that_value(plan_data, dimension):
    summary = summarize(project_list(QueryDict("region=southeast-asia")))
    for code, count in summary.counts(dimension).items():
        if dimension == "by_region":
            expected = list_count(f"region={code}") if code == "southeast-asia" else 0
        else:
            expected = list_count(f"region=southeast-asia&{PARAMETER[dimension]}={code}")
        assert count == expected, (dimension, code)


def test_names_follow_the_language(plan_data, english):
    summary = summarize(project_list())
    assert summary.by_status[0].name == "Identification"
    assert all(bucket.name.isascii() for bucket in summary.by_country)


def _projects(n):
    region = RegionFactory()
    sectors = [SectorFactory(), SectorFactory()]
    schemes = [SchemeFactory(family=SchemeFamily.ODA), SchemeFactory(family=SchemeFamily.PPP)]
    countries = [CountryFactory(region=region) for _ in range(3)]
    for i in range(n):
        project = ProjectFactory(country=countries[i % 3], is_new=i % 4 == 0, sectors=sectors[: 1 + i % 2])
        project.schemes.set(schemes[: i % 3])
        if i % 5 == 0:
            DevelopmentFactory(project=project, kind=DevelopmentKind.AWARD)


@pytest.mark.parametrize("n", [10, 100])
def test_the_count_of_queries_is_fixed(django_assert_num_queries, n):
    _projects(n)
    queryset = project_list(QueryDict("won=false"))
    with django_assert_num_queries(SUMMARY_QUERIES):
        summary = summarize(queryset)
    assert summary.total == list_count("won=false") == n - len(range(0, n, 5))


# --- property: random filters ------------------------------------------------------------

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Filters drawn from the data _world() makes; each is a list filter the summary has a dimension
# for, or one it has not (q, won, is_new).
FILTERS = {
    "status": st.sampled_from(["identification", "implementation", "identification,completed"]),
    "region": st.sampled_from(["prop-a", "prop-b", "prop-a,prop-b"]),
    "country": st.sampled_from(["QA", "QB", "QC", "QA,QC"]),
    "sector": st.sampled_from(["prop-rail", "prop-port", "prop-rail,prop-port"]),
    "scheme": st.sampled_from(["ODA", "PPP", "prop-loan"]),
    "won": st.sampled_from(["true", "false"]),
    "is_new": st.sampled_from(["true", "false"]),
    "q": st.sampled_from(["鉄道", "港湾", "Railway"]),
}
SINGLE_VALUED = {"status", "region", "country"}  # a project has one of each


def _world():
    a, b = RegionFactory(code="prop-a"), RegionFactory(code="prop-b")
    countries = [
        CountryFactory(iso_code="QA", region=a),
        CountryFactory(iso_code="QB", region=a),
        CountryFactory(iso_code="QC", region=b),
    ]
    rail, port = SectorFactory(code="prop-rail"), SectorFactory(code="prop-port")
    loan = SchemeFactory(code="prop-loan", family=SchemeFamily.ODA)
    ppp = SchemeFactory(code="prop-ppp", family=SchemeFamily.PPP)
    statuses = ["identification", "implementation", "completed", "cancelled"]
    for i in range(24):
        project = ProjectFactory(
            name=("鉄道" if i % 2 else "港湾") + f"事業{i}",
            country=countries[i % 3],
            status=statuses[i % 4],
            is_new=i % 5 == 0,
            sectors=[[rail], [port], [rail, port]][i % 3],
        )
        project.schemes.set([[], [loan], [ppp], [loan, ppp]][i % 4])
        if i % 6 == 1:
            DevelopmentFactory(project=project, kind=DevelopmentKind.AWARD)


def _values(value):
    return {part.casefold() for part in value.split(",")}


@pytest.fixture
def world(db):
    _world()


@FUZZ
@given(params=st.fixed_dictionaries({}, optional=FILTERS))
def test_every_count_is_the_list_count_with_that_value_added(world, params):
    summary = summarize(project_list(QueryDict(mutable=True) | params if params else None))
    assert summary.total == list_count(params)
    for dimension in DIMENSIONS:
        key = PARAMETER[dimension]
        for code, count in summary.counts(dimension).items():
            if key in params and key in SINGLE_VALUED:
                # The value replaces the filter's: the same projects if it was one of its values.
                expected = list_count({**params, key: code}) if code.casefold() in _values(params[key]) else 0
            elif key in params:
                continue  # "rail or port" narrowed to "port" is no list filter
            else:
                expected = list_count({**params, key: code})
            assert count == expected, (dimension, code, params)
    for key, value in (("won", summary.won), ("is_new", summary.new)):
        if key in params:
            assert value == (summary.total if params[key] == "true" else 0)
        else:
            assert value == list_count({**params, key: "true"})


def test_development_less_projects_count_as_not_won(world):
    assert Development.objects.filter(kind=DevelopmentKind.AWARD).count() == 4
    assert summarize(project_list()).won == 4 == Project.objects.filter(developments__kind="award").count()
