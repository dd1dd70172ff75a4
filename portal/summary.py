"""The portfolio in numbers: THE one definition of the counts the front page and /api/summary/ show.

`project_list(params, user)` is the project list's queryset, built exactly as the API's list
builds it: ProjectFilterSet narrows to one edition first (plans.selection.listed), then filters.
`summarize(queryset)` counts it, each count in the database, in a fixed number of queries
(SUMMARY_QUERIES) whatever the number of projects.

Each count is the list's count with that value added to the filters: by_sector["rail"] is the
count of `?<filters>&sector=rail`, so a project with two sectors counts under both (and a
project with ODA and PPP schemes under both families). `new` is the edition's 【新規案件】 mark,
`won` projects.querysets.won().

Which categories are listed: every status and every scheme family, zero or not (fixed lists a
reader compares from one filter to the next, and a chart whose bars do not come and go); regions,
sectors and countries only where the count is not zero (reference data: 30 countries with
projects of ~200 would drown the table). Statuses and families come in their choices' order,
the others by count, largest first, then by name.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from plans.selection import as_listed
from projects.filtersets import ProjectFilterSet
from projects.models import Project, SchemeFamily, Status
from projects.querysets import won
from tracker.locale import is_english

# summarize()'s queries: totals, status, region, sector, scheme family, country.
SUMMARY_QUERIES = 6

DIMENSIONS = ("by_status", "by_region", "by_sector", "by_scheme_family", "by_country")
# The list filter each dimension's value is added to (`?status=...`, `?scheme=ODA`, ...).
PARAMETER = {
    "by_status": "status",
    "by_region": "region",
    "by_sector": "sector",
    "by_scheme_family": "scheme",
    "by_country": "country",
}


@dataclass(frozen=True)
class Bucket:
    code: str
    name: str
    count: int


@dataclass
class Summary:
    total: int = 0
    new: int = 0
    won: int = 0
    by_status: list[Bucket] = field(default_factory=list)
    by_region: list[Bucket] = field(default_factory=list)
    by_sector: list[Bucket] = field(default_factory=list)
    by_scheme_family: list[Bucket] = field(default_factory=list)
    by_country: list[Bucket] = field(default_factory=list)

    def counts(self, dimension: str) -> dict[str, int]:
        """One dimension as {code: count}."""
        return {bucket.code: bucket.count for bucket in getattr(self, dimension)}


def filterset(params, user=None, request=None) -> ProjectFilterSet:
    """The project list's filterset for `params` (API-style query parameters)."""
    return ProjectFilterSet(params, queryset=Project.objects.all(), request=request)


def project_list(params=None, request=None):
    """The project list's queryset for valid `params`, as /api/projects/ builds it: with no
    filter parameter, the latest published edition's list."""
    if not params:
        return as_listed(Project.objects.all())
    filters = filterset(params, request=request)
    if not filters.is_valid():
        raise ValueError(filters.errors)
    return as_listed(filters.qs)


def _name(name_ja, name_en) -> str:
    return (name_en if is_english() else name_ja) or name_ja or name_en or ""


def _ranked(rows) -> list[Bucket]:
    return sorted(rows, key=lambda bucket: (-bucket.count, bucket.name, bucket.code))


def summarize(queryset) -> Summary:
    """The counts of a project list (a queryset project_list() or ProjectFilterSet made)."""
    # Grouping goes over the ids of the list, not the list itself: its annotations (the
    # edition's number, heading, ...) and ordering would otherwise join the GROUP BY.
    ids = queryset.order_by().values("pk")
    projects = Project.objects.filter(pk__in=ids).order_by()
    totals = projects.aggregate(
        total=Count("pk"),
        new=Count("pk", filter=Q(pk__in=queryset.order_by().filter(edition_is_new=True).values("pk"))),
        won=Count("pk", filter=Q(won())),
    )
    statuses = dict(projects.values_list("status").annotate(n=Count("pk")))
    regions = projects.values("country__region__code", "country__region__name_ja", "country__region__name_en")
    sectors = projects.filter(sectors__isnull=False).values(
        "sectors__code", "sectors__name_ja", "sectors__name_en"
    )
    families = dict(
        projects.filter(schemes__isnull=False)
        .values_list("schemes__family")
        .annotate(n=Count("pk", distinct=True))
    )
    countries = projects.values("country__iso_code", "country__name_ja", "country__name_en")
    return Summary(
        total=totals["total"],
        new=totals["new"],
        won=totals["won"],
        by_status=[Bucket(code, str(label), statuses.get(code, 0)) for code, label in Status.choices],
        by_region=_ranked(
            Bucket(
                row["country__region__code"],
                _name(row["country__region__name_ja"], row["country__region__name_en"]),
                row["n"],
            )
            for row in regions.annotate(n=Count("pk"))
            if row["country__region__code"]
        ),
        by_sector=_ranked(
            Bucket(row["sectors__code"], _name(row["sectors__name_ja"], row["sectors__name_en"]), row["n"])
            for row in sectors.annotate(n=Count("pk", distinct=True))
        ),
        by_scheme_family=[
            Bucket(code, str(label), families.get(code, 0)) for code, label in SchemeFamily.choices
        ],
        by_country=_ranked(
            Bucket(
                row["country__iso_code"], _name(row["country__name_ja"], row["country__name_en"]), row["n"]
            )
            for row in countries.annotate(n=Count("pk"))
        ),
    )
