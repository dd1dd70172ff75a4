"""An edition's headline figures for the front page: how many projects it lists, how many are
new, and how many won or removed since the edition before.

Counted from the database where the previous edition is stored (plans.compare's terms: removed
= listed before, not now; won = a removal recorded with the reason "won"). Where it is not (2023:
the 2022 edition was never entered), the figures are those the edition's own text states
(Edition.stated_*), and `stated` says so: the page labels them "as stated in the plan".
"""

from dataclasses import dataclass

from django.db.models import Count, Q

from plans.models import Edition, Listing, Removal, RemovalReason


@dataclass(frozen=True)
class Headline:
    edition: Edition
    listed: int
    new: int
    previous_year: int | None = None
    previous_count: int | None = None
    won: int | None = None
    removed: int | None = None
    added: int | None = None
    stated: bool = False


def headline(edition: Edition | None) -> Headline | None:
    """The figures of `edition` (None: no edition, no headline). Four queries at most."""
    if edition is None:
        return None
    counts = Listing.objects.filter(edition=edition).aggregate(
        listed=Count("pk"), new=Count("pk", filter=Q(is_new=True))
    )
    removals = Removal.objects.filter(edition=edition).aggregate(
        won=Count("pk", filter=Q(reason=RemovalReason.WON)), removed=Count("pk")
    )
    previous = (
        Edition.objects.filter(year=edition.previous_year).first()
        if edition.previous_year is not None
        else None
    )
    if previous is not None:
        before = Listing.objects.filter(edition=previous)
        previous_count = before.count()
        removed = before.exclude(project__listings__edition=edition).count()
        return Headline(
            edition=edition,
            listed=counts["listed"],
            new=counts["new"],
            previous_year=previous.year,
            previous_count=previous_count,
            won=removals["won"],
            removed=removed,
            added=counts["new"],
        )
    if edition.stated_previous_count is None:
        return Headline(edition=edition, listed=counts["listed"], new=counts["new"])
    return Headline(
        edition=edition,
        listed=counts["listed"],
        new=counts["new"],
        previous_year=edition.previous_year,
        previous_count=edition.stated_previous_count,
        won=removals["won"] or None,
        removed=edition.stated_removed_count,
        added=edition.stated_added_count,
        stated=True,
    )
