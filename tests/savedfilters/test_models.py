"""The saved filter's rules: one default per owner (a database constraint), a name unique per
owner, a query checked by the project list's filter form and stored normalised."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from savedfilters.models import SavedFilter
from savedfilters.services import default_filter, saved_filter_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_second_default_for_one_owner():
    owner = UserFactory()
    SavedFilter.objects.create(owner=owner, name="a", query="", is_default=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        SavedFilter.objects.create(owner=owner, name="b", query="", is_default=True)

    SavedFilter.objects.create(owner=UserFactory(), name="a", query="", is_default=True)  # another owner's
    assert SavedFilter.objects.filter(is_default=True).count() == 2


def test_a_new_default_replaces_the_previous_one(plan_data):
    owner = UserFactory()
    first = saved_filter_create(owner=owner, name="rail", query="sector=rail", is_default=True)

    second = saved_filter_create(owner=owner, name="road", query="sector=road", is_default=True)

    first.refresh_from_db()
    assert (first.is_default, default_filter(owner)) == (False, second)


def test_the_query_is_stored_normalised(plan_data):
    saved = saved_filter_create(
        owner=UserFactory(), name="x", query="?sector=rail&region=south-asia&region=africa&status=&q= 鉄道 "
    )

    assert saved.query == "q=%E9%89%84%E9%81%93&region=south-asia%2Cafrica&sector=rail"


@pytest.mark.parametrize(
    ("query", "named"),
    [("region=nowhere", "region"), ("won=maybe", "won"), ("limit=5", "limit"), ("edition=1999", "edition")],
)
def test_a_bad_query_is_refused_and_nothing_is_written(plan_data, query, named):
    with pytest.raises(ValidationError) as refused:
        saved_filter_create(owner=UserFactory(), name="bad", query=query)

    assert list(refused.value.message_dict) == ["query"]
    assert refused.value.message_dict["query"][0].startswith(f"{named}: ")
    assert not SavedFilter.objects.exists()


def test_a_refused_default_leaves_the_previous_default(plan_data):
    owner = UserFactory()
    saved_filter_create(owner=owner, name="rail", query="sector=rail", is_default=True)

    with pytest.raises(ValidationError):
        saved_filter_create(owner=owner, name="bad", query="sector=nothing", is_default=True)

    assert default_filter(owner).name == "rail"


def test_a_name_is_unique_per_owner(plan_data):
    owner = UserFactory()
    saved_filter_create(owner=owner, name="rail", query="sector=rail")

    with pytest.raises(ValidationError) as refused:
        saved_filter_create(owner=owner, name="rail", query="sector=road")

    assert list(refused.value.message_dict) == ["name"]
    saved_filter_create(owner=UserFactory(), name="rail", query="sector=road")  # another owner may
