"""The list's filters of several values, sorted by the name shown."""

import pytest

from tests.factories import (
    CountryFactory,
    ProjectFactory,
)
from tests.projects.admin.pages import CHANGELIST, numbers

pytestmark = pytest.mark.django_db


# Filters of several values, sorted by the name shown


def _filter_choices(response, title):
    spec = next(spec for spec in response.context["cl"].filter_specs if str(spec.title) == title)
    return list(spec.choices(response.context["cl"]))


def test_a_filter_link_adds_its_value_and_a_chosen_one_removes_it(editor_client, world):
    vietnam, thailand = world["vietnam"], world["bangkok"].country
    response = editor_client.get(CHANGELIST, {"country__id__exact": vietnam.pk})
    choices = {str(choice["display"]): choice for choice in _filter_choices(response, "国")}

    assert choices["ベトナム"]["selected"] and not choices["タイ"]["selected"]
    both = editor_client.get(CHANGELIST + choices["タイ"]["query_string"])
    assert numbers(both) == [1, 2, 10]
    assert (
        choices["タイ"]["query_string"]
        == f"?country__id__exact={vietnam.pk}&country__id__exact={thailand.pk}"
    )
    assert numbers(editor_client.get(CHANGELIST + choices["ベトナム"]["query_string"])) == [1, 2, 10, 70]
    # The sidebar group of a chosen filter is open and names the chosen value; others are closed.
    html = response.content.decode()
    assert '<details data-filter-title="国" open>' in html
    assert '<details data-filter-title="分野">' in html
    assert '<span class="chosen"><span>ベトナム</span></span>' in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ja", ["ケニア", "タイ", "ベトナム", "豪州"]), ("en", ["Australia", "Kenya", "Thailand", "Viet Nam"])],
)
def test_country_filter_is_sorted_by_the_name_shown(editor_client, world, language, expected):
    # AU comes first by ISO code; 豪州 last in Japanese, Australia first in English.
    australia = CountryFactory(iso_code="AU", name_ja="豪州", name_en="Australia", region=world["asia"])
    ProjectFactory(number=80, country=australia)
    editor_client.cookies["django_language"] = language
    response = editor_client.get(CHANGELIST)
    title = "国" if language == "ja" else "country"

    assert [str(choice["display"]) for choice in _filter_choices(response, title)][1:] == expected
