"""Property test (hypothesis): for random filters of the list, the OC4IDS package holds exactly
the projects the list counts, in its order, and it validates (a non-empty one: the schema
accepts no package of nothing); the IATI document holds the same projects."""

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.opendata.conftest import content_of, oc4ids_of
from tests.opendata.standards import oc4ids_errors

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # a fixed seed: CI runs the same examples every time
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _several(values):
    return st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True).map(",".join)


filters = st.fixed_dictionaries(
    {},
    optional={
        "country": _several(["VN", "TH", "ID", "IN", "PH", "MM", "KE", "TW", "US", "PE"]),
        "sector": _several(["rail", "port", "aviation", "urban", "water", "road", "disaster"]),
        "scheme": _several(["ODA", "oda-loan", "oda-grant", "PPP", "JOIN", "PRIVATE"]),
        "status": _several(["identification", "preparation", "procurement", "implementation", "suspended"]),
        "won": st.sampled_from(["true", "false"]),
        "is_new": st.sampled_from(["true", "false"]),
        "q": st.sampled_from(["鉄道", "空港", "PPP", "２０２３年", "港湾 整備"]),
        "development_after": st.sampled_from(["2022-01-01", "2023-01-01"]),
        "ordering": st.sampled_from(["number", "-number", "name", "-latest_development"]),
    },
)


@EXAMPLES
@given(params=filters)
def test_the_package_is_exactly_the_listed_projects(api, plan_data, params):
    listed = api.get(f"/api/projects/?{urlencode({**params, 'limit': 1000})}")
    assert listed.status_code == 200, listed.content
    numbers = [item["number"] for item in listed.data["results"]]
    assert listed.data["count"] == len(numbers)

    package = oc4ids_of(api.get(f"/api/projects/?{urlencode({**params, 'format': 'oc4ids'})}"))
    assert [p["id"] for p in package["projects"]] == [f"oc4ids-xxxxxx-{n}" for n in numbers]
    if numbers:
        assert oc4ids_errors(package) == []

    document = etree.fromstring(
        content_of(api.get(f"/api/projects/?{urlencode({**params, 'format': 'iati'})}"))
    )
    assert document.xpath("//iati-identifier/text()") == [f"XM-DAC-701-MLIT-{n}" for n in numbers]
