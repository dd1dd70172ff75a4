"""plans/services.py: the yearly workflow on small editions built with the factories."""

from datetime import date

import pytest

from plans import services
from plans.models import Edition, EditionState, Listing, Removal, RemovalReason
from projects.choices import DatePrecision, DevelopmentKind
from projects.models import Status
from tests.factories import (
    DevelopmentFactory,
    EditionFactory,
    HeadingFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    """A published 2023 edition: headings 1 and 2, projects A, B under 1 and C under 2."""
    edition = EditionFactory(year=2023)
    one, two = HeadingFactory(edition=edition, number=1), HeadingFactory(edition=edition, number=2)
    a = ProjectFactory(listing_group=one, number=1)
    b = ProjectFactory(listing_group=one, number=2)
    c = ProjectFactory(listing_group=two, number=3, is_new=True)
    return edition, (a, b, c)


def numbers(edition):
    return list(
        edition.listings.order_by("number").values_list("number", "heading__number", "project__number")
    )


def test_start_carries_headings_and_listings_none_new_nothing_chosen(published):
    edition, (a, b, c) = published

    draft = services.start_edition(2024)

    assert (draft.state, draft.previous_year, draft.title) == (
        EditionState.DRAFT,
        2023,
        "国土交通省インフラシステム海外展開行動計画2024",
    )
    assert list(draft.headings.values_list("number", "name_ja")) == list(
        edition.headings.values_list("number", "name_ja")
    )
    assert numbers(draft) == [(1, 1, 1), (2, 1, 2), (3, 2, 3)]
    assert not draft.listings.filter(is_new=True).exists()
    assert not Listing.developments.through.objects.filter(listing__edition=draft).exists()


@pytest.mark.parametrize("year", [2023, 2022])
def test_start_refuses_an_existing_year_or_one_not_after_the_latest_published(published, year):
    with pytest.raises(services.EditionError):
        services.start_edition(year)
    assert Edition.objects.count() == 1


def test_start_refuses_a_second_draft(published):
    services.start_edition(2024)
    with pytest.raises(services.EditionError, match="2024"):
        services.start_edition(2025)
    assert list(Edition.objects.values_list("year", flat=True)) == [2024, 2023]


def test_add_move_remove_keep_numbers_in_heading_order(published):
    _edition, (a, b, c) = published
    draft = services.start_edition(2024)
    new = ProjectFactory(listing_group=None, number=4)

    added = services.add_listing(draft, new, 1, position=1)
    assert added.is_new
    assert numbers(draft) == [(1, 1, 4), (2, 1, 1), (3, 1, 2), (4, 2, 3)]

    services.move_listing(draft.listings.get(project=a), 2)  # last under heading 2
    assert numbers(draft) == [(1, 1, 4), (2, 1, 2), (3, 2, 3), (4, 2, 1)]

    services.move_listing(draft.listings.get(project=a), position=1)  # first under its heading
    assert numbers(draft) == [(1, 1, 4), (2, 1, 2), (3, 2, 1), (4, 2, 3)]

    removal = services.remove_listing(draft.listings.get(project=b), RemovalReason.WON, "受注")
    assert (removal.project, removal.name, removal.reason, removal.note) == (b, b.name, "won", "受注")
    assert numbers(draft) == [(1, 1, 4), (2, 2, 1), (3, 2, 3)]


def test_renumber_follows_the_headings_order(published):
    draft = services.start_edition(2024)
    # Numbers scrambled around the services: renumber puts them back in heading order.
    Listing.objects.filter(edition=draft, project__number=3).update(number=1)
    Listing.objects.filter(edition=draft, project__number=1).update(number=7)

    services.renumber(draft)

    assert numbers(draft) == [(1, 1, 2), (2, 1, 1), (3, 2, 3)]


def test_add_refuses_a_listed_project_and_an_unknown_heading(published):
    _edition, (a, _b, _c) = published
    draft = services.start_edition(2024)
    with pytest.raises(services.EditionError):
        services.add_listing(draft, a, 1)
    with pytest.raises(services.EditionError):
        services.add_listing(draft, ProjectFactory(listing_group=None), 9)
    with pytest.raises(services.EditionError):
        services.remove_listing(draft.listings.first(), "lost")


def test_adding_back_a_removed_project_forgets_its_removal(published):
    _edition, (a, _b, _c) = published
    draft = services.start_edition(2024)
    services.remove_listing(draft.listings.get(project=a), RemovalReason.OTHER)

    services.add_listing(draft, a, 1, is_new=False)

    assert not draft.removals.exists()
    assert draft.listings.get(project=a).is_new is False


def test_choose_only_the_rows_own_developments_and_the_default(published):
    _edition, (a, b, _c) = published
    old = DevelopmentFactory(project=a, sequence=1, date=date(2022, 5, 1), date_precision=DatePrecision.MONTH)
    Listing.objects.get(edition__year=2023, project=a).developments.set([old])
    since = DevelopmentFactory(
        project=a, sequence=2, date=date(2024, 1, 1), date_precision=DatePrecision.MONTH
    )
    undated = DevelopmentFactory(project=a, sequence=3)
    draft = services.start_edition(2024)
    row = draft.listings.get(project=a)

    # Default: what 2023 did not show, and the undated ones.
    assert services.shown_developments(row) == [since, undated]

    with pytest.raises(services.EditionError, match="そのプロジェクト自身の動き"):
        services.choose_developments(row, [DevelopmentFactory(project=b)])
    services.choose_developments(row, [old])
    assert services.shown_developments(row) == [old]

    services.choose_developments(row, [])  # back to the default
    assert services.shown_developments(row) == [since, undated]


def test_publish_freezes_the_printed_rows(published):
    _edition, (a, _b, _c) = published
    line = DevelopmentFactory(project=a, sequence=1, text="E/N署名")
    draft = services.start_edition(2024)

    edition = services.publish(draft)

    assert edition.state == EditionState.PUBLISHED and edition.published_at is not None
    row = edition.listings.get(project=a)
    assert row.printed == {
        "name": a.name,
        "summary": a.summary,
        "note": a.note,
        "developments": ["E/N署名"],
        "status": Status.IDENTIFICATION,
    }
    assert list(row.developments.all()) == [line]
    before = {listing.pk: listing.printed for listing in edition.listings.all()}

    # Recorded later: a development and a rename. The printed rows stay as they were.
    DevelopmentFactory(project=a, sequence=2, text="L/A締結", kind=DevelopmentKind.AWARD)
    a.name = "改名"
    a.save()
    assert {listing.pk: listing.printed for listing in edition.listings.all()} == before
    assert services.shown_developments(edition.listings.get(project=a)) == [line]


def test_writes_to_a_published_edition_are_refused(published):
    edition, (a, _b, _c) = published
    row = edition.listings.get(project=a)
    for write in (
        lambda: services.add_listing(edition, ProjectFactory(listing_group=None), 1),
        lambda: services.move_listing(row, 2),
        lambda: services.remove_listing(row, RemovalReason.WON),
        lambda: services.choose_developments(row, []),
        lambda: services.publish(edition),
        lambda: services.delete_draft(edition),
    ):
        with pytest.raises(services.EditionPublished) as refused:
            write()
        assert refused.value.status == 409
    assert numbers(edition) == [(1, 1, 1), (2, 1, 2), (3, 2, 3)]
    assert not Removal.objects.exists()


def test_a_stale_version_is_refused(published):
    draft = services.start_edition(2024)
    seen = draft.version
    services.move_listing(draft.listings.first(), 2, expected_version=seen)
    draft.refresh_from_db()
    assert draft.version == seen + 1

    with pytest.raises(services.StaleEdition) as refused:
        services.remove_listing(draft.listings.first(), RemovalReason.WON, expected_version=seen)

    assert refused.value.status == 412 and refused.value.headers() == {"ETag": draft.etag}
    assert draft.listings.count() == 3


def test_proposed_removals_are_the_projects_won_since_the_last_edition(published):
    edition, (a, b, c) = published
    shown = DevelopmentFactory(project=b, sequence=1, kind=DevelopmentKind.AWARD)
    Listing.objects.get(edition=edition, project=b).developments.set([shown])
    draft = services.start_edition(2024)
    assert services.proposed_removals(draft) == []

    award = DevelopmentFactory(project=a, sequence=1, kind=DevelopmentKind.AWARD)
    DevelopmentFactory(project=c, sequence=1, kind=DevelopmentKind.OTHER)

    (proposal,) = services.proposed_removals(draft)
    assert (proposal.listing.project, proposal.awards) == (a, [award])
    assert draft.listings.count() == 3  # proposed, not applied


def test_delete_draft(published):
    draft = services.start_edition(2024)
    services.delete_draft(draft)
    assert list(Edition.objects.values_list("year", flat=True)) == [2023]


def test_publishing_an_empty_edition_is_refused():
    draft = services.start_edition(2024)  # no published edition: an empty draft
    with pytest.raises(services.EditionError):
        services.publish(draft)
    assert Edition.objects.get(year=2024).state == EditionState.DRAFT


def test_removing_two_projects_of_the_same_name(published):
    edition = Edition.objects.get(year=2023)
    heading = edition.headings.get(number=1)
    twins = [
        ProjectFactory(listing_group=heading, number=n, name="AIオンデマンド交通サービス等提供事業")
        for n in (8, 9)
    ]
    draft = services.start_edition(2024)

    first, second = (
        services.remove_listing(draft.listings.get(project=twin), RemovalReason.OTHER) for twin in twins
    )

    assert first.name == "AIオンデマンド交通サービス等提供事業"
    assert second.name == f"AIオンデマンド交通サービス等提供事業（{twins[1].country.name_ja}）"
    assert draft.removals.count() == 2
