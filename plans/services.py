"""The yearly workflow: start next year's draft from the latest published edition, edit its
list (add, remove with a reason, move, reorder, choose each row's developments), and publish it,
which freezes every row as printed.

Every write locks the edition row, refuses a published edition (EditionPublished, a 409) and a
stale version (StaleEdition, a 412, when the caller sends the version it edited), renumbers the
list in its headings' order and bumps the edition's version. The admin and the API call these;
nothing else writes editions.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

import readcache.version
from events import record as events
from plans.models import Edition, EditionState, Heading, Listing, Removal, RemovalReason
from projects.models import Development, Project
from projects.querysets import WON_KIND
from projects.services import acting_user
from tracker.errors import ApplicationError

TITLE = "国土交通省インフラシステム海外展開行動計画{year}"


class EditionError(ApplicationError):
    """A change the workflow does not allow (400); the message says why."""

    code = "edition_invalid"


class EditionPublished(ApplicationError):
    """A write to a published edition: its list is frozen (409)."""

    status = 409
    code = "edition_published"

    def __init__(self, edition: Edition):
        super().__init__(edition)
        self.edition = edition

    def __str__(self):
        return _("The %(year)s edition is published: its list can no longer change.") % {
            "year": self.edition.year
        }


class StaleEdition(ApplicationError):
    """The caller edited an older version of the edition than the one stored (412)."""

    status = 412
    code = "stale_version"

    def __init__(self, edition: Edition):
        super().__init__(edition)
        self.edition = edition

    def body(self) -> dict:
        return {**super().body(), "etag": self.edition.etag}

    def headers(self) -> dict[str, str]:
        return {"ETag": self.edition.etag}

    def __str__(self):
        return _(
            "The %(year)s edition was changed since you read it. Reload it and make your change again."
        ) % {"year": self.edition.year}


# --- reading --------------------------------------------------------------------------------


def previous_edition(edition: Edition) -> Edition | None:
    """The edition in the database that this one revises (its previous_year), if it is there."""
    if edition.previous_year is None:
        return None
    return Edition.objects.filter(year=edition.previous_year).first()


def shown_in(edition: Edition | None) -> set[int]:
    """Ids of the developments `edition`'s rows showed (none for no edition)."""
    if edition is None:
        return set()
    through = Listing.developments.through
    return set(through.objects.filter(listing__edition=edition).values_list("development_id", flat=True))


def default_developments(
    listing: Listing, previous: Edition | None, shown_before: set[int]
) -> list[Development]:
    """A draft row's 直近における動き when nobody chose: the project's developments that the
    previous edition did not show (recorded since), and the undated "as of" ones."""
    developments = sorted(listing.project.developments.all(), key=lambda d: d.sequence)
    return [d for d in developments if d.id not in shown_before or d.date is None]


def shown_developments(
    listing: Listing, previous: Edition | None = None, shown_before=None
) -> list[Development]:
    """The developments a row shows: the chosen ones, else the default choice. Published rows
    keep the ones they were published with."""
    chosen = sorted(listing.developments.all(), key=lambda d: d.sequence)
    if chosen or listing.edition.is_published:
        return chosen
    if shown_before is None:
        previous = previous_edition(listing.edition)
        shown_before = shown_in(previous)
    return default_developments(listing, previous, shown_before)


@dataclass(frozen=True)
class ProposedRemoval:
    """A project of the draft won since the previous edition was published: to remove (as
    won), which only an editor does."""

    listing: Listing
    awards: list[Development]


def proposed_removals(edition: Edition) -> list[ProposedRemoval]:
    """The draft's projects with an award development the previous edition did not show."""
    if edition.is_published:
        return []
    shown_before = shown_in(previous_edition(edition))
    awards = (
        Development.objects.filter(project__listings__edition=edition, kind=WON_KIND)
        .exclude(id__in=shown_before)
        .order_by("project_id", "sequence")
    )
    by_project: dict[int, list[Development]] = {}
    for award in awards:
        by_project.setdefault(award.project_id, []).append(award)
    listings = (
        edition.listings.filter(project_id__in=by_project)
        .select_related("project", "heading")
        .order_by("number")
    )
    return [ProposedRemoval(listing, by_project[listing.project_id]) for listing in listings]


# --- writing --------------------------------------------------------------------------------


def _locked(edition: Edition, expected_version: int | None = None) -> Edition:
    locked = Edition.objects.select_for_update().get(pk=edition.pk)
    if locked.is_published:
        raise EditionPublished(locked)
    if expected_version is not None and expected_version != locked.version:
        raise StaleEdition(locked)
    return locked


def _changed(edition: Edition) -> None:
    """Renumber the list in its headings' order and bump the version."""
    renumber(edition)
    Edition.objects.filter(pk=edition.pk).update(version=F("version") + 1)
    readcache.version.bump()  # update() and bulk writes send no signal (readcache.signals)
    edition.refresh_from_db(fields=["version"])


def renumber(edition: Edition) -> None:
    """Number the rows 1..N: by heading, then in their order within it."""
    listings = list(
        edition.listings.select_related("heading").order_by("heading__number", "number", "project__number")
    )
    changed = []
    for number, listing in enumerate(listings, start=1):
        if listing.number != number:
            listing.number = number
            changed.append(listing)
    Listing.objects.bulk_update(changed, ["number"])
    readcache.version.bump()


def start_edition(year: int, *, user=None) -> Edition:
    """Next year's draft: every heading and listed project of the latest published edition,
    none of them new, each row's developments left to the default choice."""
    with transaction.atomic():
        base = Edition.objects.select_for_update().published().order_by("-year").first()
        if Edition.objects.filter(year=year).exists():
            raise EditionError(_("The %(year)s edition already exists.") % {"year": year})
        draft = Edition.objects.filter(state=EditionState.DRAFT).first()
        if draft is not None:
            raise EditionError(
                _("The %(year)s edition is still a draft: publish or delete it first.") % {"year": draft.year}
            )
        if base is not None and year <= base.year:
            raise EditionError(
                _("The next edition comes after %(year)s, the latest published one.") % {"year": base.year}
            )
        edition = Edition(
            year=year,
            title=TITLE.format(year=year),
            state=EditionState.DRAFT,
            previous_year=base.year if base else None,
        )
        edition.full_clean()
        edition.save()
        if base is None:
            return edition
        headings = {
            heading.pk: Heading.objects.create(
                edition=edition, number=heading.number, name_ja=heading.name_ja, name_en=heading.name_en
            )
            for heading in base.headings.all()
        }
        Listing.objects.bulk_create(
            Listing(
                edition=edition,
                project_id=listing.project_id,
                heading=headings[listing.heading_id],
                number=listing.number,
                is_new=False,
            )
            for listing in base.listings.order_by("number")
        )
        readcache.version.bump()
        return edition


def _heading(edition: Edition, heading: Heading | int) -> Heading:
    number = heading.number if isinstance(heading, Heading) else heading
    if isinstance(heading, Heading) and heading.edition_id != edition.pk:
        raise EditionError(_("That heading belongs to another edition."))
    found = edition.headings.filter(number=number).first()
    if found is None:
        raise EditionError(
            _("The %(year)s edition has no heading %(number)s.") % {"year": edition.year, "number": number}
        )
    return found


def _place(edition: Edition, listing: Listing, heading: Heading, position: int | None) -> None:
    """Put the row under `heading`, at `position` among its rows (1 = first; None = last).
    The numbers given here only order the heading's rows; renumber() then numbers the list."""
    siblings = list(
        edition.listings.filter(heading=heading).exclude(pk=listing.pk).order_by("number", "project__number")
    )
    if position is not None and position < 1:
        raise EditionError(_("A position starts at 1."))
    if position is None or position > len(siblings):
        position = len(siblings) + 1
    siblings.insert(position - 1, listing)
    listing.heading = heading
    for number, row in enumerate(siblings, start=1):
        row.number = number
    if listing.pk is None:
        listing.save()
    Listing.objects.bulk_update(siblings, ["number", "heading"])
    readcache.version.bump()


def add_listing(
    edition: Edition,
    project: Project,
    heading: Heading | int,
    *,
    position: int | None = None,
    is_new: bool = True,
    user=None,
    expected_version: int | None = None,
) -> Listing:
    """List `project` in the draft under `heading` (at `position` in it; last by default),
    marked new unless told otherwise."""
    with transaction.atomic():
        edition = _locked(edition, expected_version)
        heading = _heading(edition, heading)
        if edition.listings.filter(project=project).exists():
            raise EditionError(
                _("This project is already listed in the %(year)s edition.") % {"year": edition.year}
            )
        edition.removals.filter(project=project).delete()
        listing = Listing(edition=edition, project=project, heading=heading, number=1, is_new=is_new)
        _place(edition, listing, heading, position)
        _changed(edition)
        listing.refresh_from_db()
        return listing


def move_listing(
    listing: Listing,
    heading: Heading | int | None = None,
    *,
    position: int | None = None,
    is_new: bool | None = None,
    user=None,
    expected_version: int | None = None,
) -> Listing:
    """Move the row to another heading and/or position (None: keep), or change its new mark."""
    with transaction.atomic():
        edition = _locked(listing.edition, expected_version)
        listing = Listing.objects.select_related("heading").get(pk=listing.pk)
        target = listing.heading if heading is None else _heading(edition, heading)
        if is_new is not None:
            listing.is_new = is_new
            listing.save(update_fields=["is_new"])
        if target != listing.heading or position is not None:
            _place(edition, listing, target, position)
        _changed(edition)
        listing.refresh_from_db()
        return listing


def remove_listing(
    listing: Listing,
    reason: str,
    note: str = "",
    *,
    user=None,
    expected_version: int | None = None,
) -> Removal:
    """Take the project off the draft's list, recording why."""
    if reason not in RemovalReason.values:
        raise EditionError(_("Unknown removal reason: %(reason)s.") % {"reason": reason})
    with transaction.atomic():
        edition = _locked(listing.edition, expected_version)
        listing = Listing.objects.select_related("project__country").get(pk=listing.pk)
        project = listing.project
        listing.delete()
        # A removal's name is unique in its edition, and projects may share one (the four
        # AIオンデマンド交通サービス等提供事業 of 2023): the second takes its country too.
        name = project.name
        if edition.removals.filter(name=name).exists():
            name = f"{name}（{project.country.name_ja}）"
        removal = Removal.objects.create(
            edition=edition,
            project=project,
            name=name,
            reason=reason,
            note=note,
            recorded_by=acting_user(user),
        )
        _changed(edition)
        return removal


def choose_developments(
    listing: Listing, developments, *, user=None, expected_version: int | None = None
) -> Listing:
    """Set the developments the row's 直近における動き shows (an empty choice: the default)."""
    developments = list(developments)
    if any(d.project_id != listing.project_id for d in developments):
        raise EditionError(_("A row shows only its own project's developments."))
    with transaction.atomic():
        edition = _locked(listing.edition, expected_version)
        listing.developments.set(developments)
        _changed(edition)
        return listing


def publish(edition: Edition, *, user=None, expected_version: int | None = None) -> Edition:
    """Freeze the draft: each row keeps its name, summary, note, developments and status as
    printed now, whatever is recorded later."""
    with transaction.atomic():
        edition = _locked(edition, expected_version)
        if not edition.listings.exists():
            raise EditionError(_("An edition with no projects cannot be published."))
        previous = previous_edition(edition)
        shown_before = shown_in(previous)
        listings = edition.listings.select_related("project").prefetch_related(
            "developments", "project__developments"
        )
        for listing in listings:
            shown = shown_developments(listing, previous, shown_before)
            project = listing.project
            listing.printed = {
                "name": project.name,
                "summary": project.summary,
                "note": project.note,
                "developments": [d.text for d in shown],
                "status": project.status,
            }
            listing.save(update_fields=["printed"])
            listing.developments.set(shown)
        renumber(edition)
        Edition.objects.filter(pk=edition.pk).update(
            state=EditionState.PUBLISHED,
            published_at=timezone.now(),
            published_by=acting_user(user),
            version=F("version") + 1,
        )
        readcache.version.bump()
        edition.refresh_from_db()
        events.edition_published(edition, previous, user=edition.published_by)
        return edition


def delete_draft(edition: Edition, *, user=None) -> None:
    """Delete a draft (its listings and removals go with it); a published edition stays."""
    with transaction.atomic():
        edition = _locked(edition)
        # Listings first: their heading is PROTECTed, which blocks the cascade from the edition.
        edition.listings.all().delete()
        edition.delete()
