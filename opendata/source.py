"""The projects an export writes: the list's queryset, read in chunks with what each needs.

Both formats read the same rows: a project with its country, sectors, schemes and developments.
Django prefetches per chunk of `iterator(chunk_size=...)`, so an export runs 1 + 3 queries per
CHUNK_SIZE projects whatever their number, and holds one chunk in memory.
"""

from collections.abc import Iterator

from django.db.models import Max, Prefetch, QuerySet
from django.utils.translation import gettext

from plans.selection import as_listed
from projects.models import Development, Project
from projects.querysets import as_of_of
from tracker.api import InvalidQuery

CHUNK_SIZE = 500


def check_exportable(queryset: QuerySet) -> None:
    """Refuse `as_of`: these formats describe the projects as they are now (their status, every
    development); a past day's view would need each standard's history model, which they lack."""
    if as_of_of(queryset) is not None:
        raise InvalidQuery(
            {"as_of": [gettext("This format describes the projects as they are now: leave out as_of.")]}
        )


def export_projects(queryset: QuerySet) -> Iterator[Project]:
    """The queryset's projects in the list's order (its edition's), with their relations."""
    queryset = (
        as_listed(queryset)
        .select_related("country")
        .prefetch_related(
            "sectors", "schemes", Prefetch("developments", Development.objects.order_by("sequence"))
        )
    )
    return queryset.iterator(chunk_size=CHUNK_SIZE)


def last_updated(queryset: QuerySet):
    """When the exported projects last changed (None for none): OC4IDS asks an on-demand
    package's publishedDate to be that, not the time it was generated."""
    return queryset.order_by().aggregate(last=Max("updated"))["last"]
