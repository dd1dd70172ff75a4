"""Which edition a reader sees, and the projects as that edition lists them.

The list, the status table and the exports take `edition=YEAR`: by default the latest
published edition; editors (who may change listings) also see a draft. `listed()` narrows a
project queryset to the edition's projects and annotates what the edition says about each:
`edition_number`, `heading_number`, `heading_name_ja`, `heading_name_en`, `edition_is_new`
and `listing_id`. With no edition at all (a database without editions) every project is listed,
by its own number, under no heading.
"""

from django.db.models import (
    BooleanField,
    CharField,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from plans.models import Edition, Listing

EDITOR_PERMISSION = "plans.change_listing"


def may_see_drafts(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(EDITOR_PERMISSION))


def visible_editions(user):
    """The editions `user` may read: the published ones, and drafts too for editors."""
    editions = Edition.objects.all()
    if not may_see_drafts(user):
        editions = editions.published()
    return editions


def default_edition() -> Edition | None:
    """The edition shown when none is asked for: the latest published one."""
    return Edition.objects.latest_published()


def listed(queryset, edition: Edition | None):
    """The projects of `queryset` that `edition` lists, annotated with their listing there."""
    if edition is None:
        return queryset.order_by("number").annotate(
            edition_number=F("number"),
            heading_number=Value(None, output_field=IntegerField()),
            heading_name_ja=Value(None, output_field=CharField()),
            heading_name_en=Value(None, output_field=CharField()),
            edition_is_new=Value(False, output_field=BooleanField()),
            listing_id=Value(None, output_field=IntegerField()),
            listed_edition_id=Value(None, output_field=IntegerField()),
        )
    return (
        queryset.annotate(listing=FilteredRelation("listings", condition=Q(listings__edition=edition)))
        .filter(listing__isnull=False)
        .annotate(
            edition_number=F("listing__number"),
            heading_number=F("listing__heading__number"),
            heading_name_ja=F("listing__heading__name_ja"),
            heading_name_en=F("listing__heading__name_en"),
            edition_is_new=F("listing__is_new"),
            listing_id=F("listing__id"),
            listed_edition_id=Value(edition.pk, output_field=IntegerField()),
        )
        .order_by("edition_number", "number")
    )


def with_latest_listing(queryset, user):
    """Projects annotated as listed() annotates them, from the latest edition `user` may see
    that lists each (null where none does), with those editions' listings prefetched in
    `visible_listings`, oldest first: a project's page, removed and new projects included."""
    editions = visible_editions(user)
    listings = Listing.objects.filter(project=OuterRef("pk"), edition__in=editions).order_by("-edition__year")
    return queryset.annotate(
        edition_number=F("number"),
        heading_number=Subquery(listings.values("heading__number")[:1]),
        heading_name_ja=Subquery(listings.values("heading__name_ja")[:1]),
        heading_name_en=Subquery(listings.values("heading__name_en")[:1]),
        edition_is_new=Coalesce(Subquery(listings.values("is_new")[:1]), Value(False)),
    ).prefetch_related(
        Prefetch(
            "listings",
            queryset=Listing.objects.filter(edition__in=editions)
            .select_related("edition", "heading")
            .order_by("edition__year"),
            to_attr="visible_listings",
        )
    )


def as_listed(queryset):
    """The queryset as an edition's list: as it is if listed() made it, else the latest
    published edition's (an export or a table made from a plain queryset of projects), in the
    queryset's own order if it has one."""
    if "edition_number" in queryset.query.annotations:
        return queryset
    listed_queryset = listed(queryset, default_edition())
    # An order the caller chose (the admin's changelist) stays; listed() orders by number.
    return listed_queryset.order_by(*queryset.query.order_by) if queryset.query.order_by else listed_queryset


def listed_edition(queryset) -> Edition | None:
    """The edition a listed() queryset is the list of (None: no edition)."""
    annotation = as_listed(queryset).query.annotations.get("listed_edition_id")
    pk = getattr(annotation, "value", None)
    return None if pk is None else Edition.objects.filter(pk=pk).first()
