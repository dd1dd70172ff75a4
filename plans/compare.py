"""What changed between two editions of the list: the projects added, those removed (with the
reason recorded in the newer edition), those carried over (with their number and heading in
each), their status changes, and the developments recorded since the older edition.

An edition whose predecessor is not in the database (2023: the 2022 edition) is compared with
what its own text states about it: the counts, and the removals it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plans.models import Edition, Listing, Removal
from plans.services import shown_in
from projects.models import Development


@dataclass(frozen=True)
class Row:
    """A project as one edition lists it."""

    project_id: int | None
    name: str
    number: int | None = None
    heading: str = ""
    status: str = ""


@dataclass(frozen=True)
class Removed:
    row: Row
    reason: str | None = None  # RemovalReason, or None where the newer edition records none
    note: str = ""


@dataclass(frozen=True)
class Carried:
    older: Row
    newer: Row

    @property
    def renumbered(self) -> bool:
        return self.older.number != self.newer.number

    @property
    def moved(self) -> bool:
        return self.older.heading != self.newer.heading

    @property
    def status_changed(self) -> bool:
        return bool(self.older.status and self.newer.status and self.older.status != self.newer.status)


@dataclass
class Comparison:
    older_year: int
    newer_year: int
    older_count: int
    newer_count: int
    stated: bool = False  # the older edition is known only from the newer one's text
    added: list[Row] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    removed_count: int = 0  # as stated where the older edition is not in the database
    carried: list[Carried] = field(default_factory=list)
    carried_count: int = 0
    developments_since: list[Development] = field(default_factory=list)


def _row(listing: Listing) -> Row:
    printed = listing.printed or {}
    project = listing.project
    return Row(
        project_id=listing.project_id,
        name=printed.get("name") or project.name,
        number=listing.number,
        heading=str(listing.heading),
        status=printed.get("status") or project.status,
    )


def _listings(edition: Edition) -> dict[int, Listing]:
    listings = edition.listings.select_related("project", "heading").order_by("number")
    return {listing.project_id: listing for listing in listings}


def _removals(edition: Edition) -> dict[int | None, list[Removal]]:
    by_project: dict[int | None, list[Removal]] = {}
    for removal in edition.removals.order_by("name"):
        by_project.setdefault(removal.project_id, []).append(removal)
    return by_project


def compare(one: Edition, other: Edition | int) -> Comparison:
    """Compare two editions, whichever order they are given in. `other` may be a year: the
    stated predecessor of `one` (its previous_year) when that edition is not in the database."""
    if isinstance(other, int):
        found = Edition.objects.filter(year=other).first()
        if found is None:
            return _compare_with_stated(one, other)
        other = found
    older, newer = sorted((one, other), key=lambda edition: edition.year)
    old, new = _listings(older), _listings(newer)
    removals = _removals(newer)
    comparison = Comparison(
        older_year=older.year, newer_year=newer.year, older_count=len(old), newer_count=len(new)
    )
    comparison.added = [_row(new[pk]) for pk in new if pk not in old]
    for pk, listing in old.items():
        if pk in new:
            continue
        recorded = (removals.get(pk) or [None])[0]
        comparison.removed.append(
            Removed(
                _row(listing),
                reason=recorded.reason if recorded else None,
                note=recorded.note if recorded else "",
            )
        )
    comparison.removed_count = len(comparison.removed)
    comparison.carried = [Carried(_row(old[pk]), _row(new[pk])) for pk in new if pk in old]
    comparison.carried_count = len(comparison.carried)
    shown_before = shown_in(older)
    comparison.developments_since = list(
        # Those of the removed projects too: a win recorded since is why most leave the list.
        Development.objects.filter(project_id__in=[*old, *(pk for pk in new if pk not in old)])
        .exclude(id__in=shown_before)
        .select_related("project")
        .order_by("project__number", "sequence")
    )
    return comparison


def _compare_with_stated(edition: Edition, year: int) -> Comparison:
    """`edition` against the predecessor its text describes (only its own previous_year)."""
    if year != edition.previous_year or edition.stated_previous_count is None:
        raise Edition.DoesNotExist(f"No {year} edition to compare with.")
    listings = _listings(edition)
    added = [_row(listing) for listing in listings.values() if listing.is_new]
    named = [
        Removed(
            Row(project_id=removal.project_id, name=removal.name), reason=removal.reason, note=removal.note
        )
        for removal in edition.removals.order_by("name")
    ]
    removed = edition.stated_removed_count if edition.stated_removed_count is not None else len(named)
    return Comparison(
        older_year=year,
        newer_year=edition.year,
        older_count=edition.stated_previous_count,
        newer_count=len(listings),
        stated=True,
        added=added,
        removed=named,
        removed_count=removed,
        carried_count=edition.stated_previous_count - removed,
    )
