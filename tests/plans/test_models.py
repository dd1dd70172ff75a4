import pytest
from django.db import IntegrityError, transaction

from plans.models import Edition, Heading, Listing, Removal
from tests.factories import EditionFactory, HeadingFactory, ListingFactory, ProjectFactory, RemovalFactory

pytestmark = pytest.mark.django_db


def test_a_heading_prints_its_mark_before_its_name():
    heading = HeadingFactory(number=23, name_ja="ミャンマー", name_en="Myanmar")
    assert heading.mark == "㉓"
    assert str(heading) == "㉓ミャンマー"


def test_every_model_is_found_by_its_natural_key():
    project = ProjectFactory(number=42, listing_group=HeadingFactory(number=3))
    listing = project.listings.get()
    removal = RemovalFactory(name="台湾高速鉄道車両調達事業")
    rows = [
        (Edition, listing.edition, (2023,)),
        (Heading, listing.heading, (2023, 3)),
        (Listing, listing, (2023, 42)),
        (Removal, removal, (2023, "台湾高速鉄道車両調達事業")),
    ]
    for model, row, key in rows:
        assert row.natural_key() == key, model
        assert model.objects.get_by_natural_key(*key) == row, model


def _refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_the_database_refuses_a_project_listed_twice_in_an_edition():
    listing = ListingFactory()
    _refused(
        lambda: Listing.objects.create(
            edition=listing.edition, project=listing.project, heading=listing.heading, number=2
        )
    )


def test_the_database_refuses_two_headings_with_one_number_and_a_heading_beyond_50():
    heading = HeadingFactory(number=1)
    _refused(lambda: Heading.objects.create(edition=heading.edition, number=1, name_ja="x", name_en="x"))
    _refused(lambda: Heading.objects.create(edition=heading.edition, number=51, name_ja="x", name_en="x"))


def test_the_database_refuses_an_unknown_state_reason_and_a_previous_year_after_the_year():
    edition = EditionFactory()
    _refused(lambda: Edition.objects.filter(pk=edition.pk).update(state="frozen"))
    _refused(lambda: Edition.objects.filter(pk=edition.pk).update(previous_year=2024))
    _refused(lambda: Removal.objects.create(edition=edition, name="x", reason="sold"))


def test_a_project_is_removed_once_per_edition():
    project = ProjectFactory(listing_group=None)
    RemovalFactory(project=project, name="a")
    _refused(lambda: RemovalFactory(project=project, name="b"))


def test_latest_published_skips_drafts():
    EditionFactory(year=2023)
    EditionFactory(year=2024, state="draft")
    assert Edition.objects.latest_published().year == 2023
