"""plans/compare.py on small editions: added, removed with the recorded reason, carried over
with their number, heading and status changes; and an edition against its stated predecessor."""

import pytest

from plans.compare import compare
from plans.models import Edition, RemovalReason
from projects.models import Status
from tests.factories import EditionFactory, HeadingFactory, ListingFactory, ProjectFactory, RemovalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years():
    e1, e2 = EditionFactory(year=2023), EditionFactory(year=2024, previous_year=2023)
    h1, h1b = HeadingFactory(edition=e1, number=1, name_ja="ベトナム"), HeadingFactory(edition=e1, number=2)
    h2, h2b = HeadingFactory(edition=e2, number=1, name_ja="ベトナム"), HeadingFactory(edition=e2, number=2)
    kept, moved, gone, new = (ProjectFactory(listing_group=None, number=n) for n in (1, 2, 3, 4))
    ListingFactory(
        edition=e1, project=kept, heading=h1, number=1, printed={"name": "旧名", "status": "preparation"}
    )
    ListingFactory(edition=e1, project=moved, heading=h1, number=2)
    ListingFactory(edition=e1, project=gone, heading=h1b, number=3)
    ListingFactory(
        edition=e2, project=kept, heading=h2, number=1, printed={"name": "新名", "status": "procurement"}
    )
    ListingFactory(edition=e2, project=moved, heading=h2b, number=3)
    ListingFactory(edition=e2, project=new, heading=h2, number=2, is_new=True)
    RemovalFactory(edition=e2, project=gone, name=gone.name, reason=RemovalReason.CANCELLED, note="中止")
    return e1, e2, (kept, moved, gone, new)


def test_compare_two_editions(two_years):
    e1, e2, (kept, moved, gone, new) = two_years

    comparison = compare(e2, e1)  # either order: older first

    assert (comparison.older_year, comparison.newer_year, comparison.older_count, comparison.newer_count) == (
        2023,
        2024,
        3,
        3,
    )
    assert [row.project_id for row in comparison.added] == [new.pk]
    assert [(r.row.project_id, r.reason, r.note) for r in comparison.removed] == [
        (gone.pk, RemovalReason.CANCELLED, "中止")
    ]
    carried = {c.newer.project_id: c for c in comparison.carried}
    assert comparison.carried_count == 2 == len(carried)
    # The printed rows are what compare reads: the name and status as each edition printed them.
    assert (carried[kept.pk].older.name, carried[kept.pk].newer.name) == ("旧名", "新名")
    assert carried[kept.pk].status_changed and not carried[kept.pk].moved
    assert not carried[kept.pk].renumbered
    assert carried[moved.pk].moved and carried[moved.pk].renumbered
    assert not carried[moved.pk].status_changed


def test_a_removal_without_a_record_has_no_reason(two_years):
    e1, e2, (_kept, _moved, gone, _new) = two_years
    e2.removals.all().delete()

    (removed,) = compare(e1, e2).removed

    assert (removed.row.project_id, removed.reason, removed.note) == (gone.pk, None, "")


def test_compare_with_the_stated_predecessor():
    edition = EditionFactory(
        year=2023,
        previous_year=2022,
        stated_previous_count=5,
        stated_removed_count=2,
        stated_added_count=1,
    )
    heading = HeadingFactory(edition=edition, number=1)
    new = ProjectFactory(listing_group=heading, is_new=True)
    ProjectFactory(listing_group=heading)
    RemovalFactory(edition=edition, name="受注された事業", reason=RemovalReason.WON)

    comparison = compare(edition, 2022)

    assert comparison.stated
    assert (comparison.older_year, comparison.older_count, comparison.newer_count) == (2022, 5, 2)
    assert (comparison.removed_count, comparison.carried_count) == (2, 3)
    assert [row.project_id for row in comparison.added] == [new.pk]
    assert [(r.row.name, r.reason) for r in comparison.removed] == [("受注された事業", RemovalReason.WON)]


def test_an_unknown_year_that_is_not_the_stated_predecessor_is_refused():
    edition = EditionFactory(year=2023, previous_year=2022, stated_previous_count=5)
    with pytest.raises(Edition.DoesNotExist):
        compare(edition, 2019)


def test_status_change_needs_both_statuses():
    e1, e2 = EditionFactory(year=2023), EditionFactory(year=2024)
    project = ProjectFactory(listing_group=HeadingFactory(edition=e1, number=1), status=Status.PREPARATION)
    ListingFactory(
        edition=e2, project=project, heading=HeadingFactory(edition=e2, number=1), number=project.number
    )

    (carried,) = compare(e1, e2).carried

    # Neither printed: both read the project's status today, so nothing changed.
    assert not carried.status_changed
