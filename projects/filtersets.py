"""Filters for the API's project list and development feed.

Every filter validates its value: an unknown code, a bad date or boolean is a 400 naming the
parameter (through FilterBackend), never an empty result or a 500. Lists are comma-separated
(`?country=VN,TH`) or repeated (`?country=VN&country=TH`) and mean "any of them".
"""

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from countries.models import Country, Region, localized_name
from plans.models import Heading
from plans.selection import default_edition, listed, may_see_drafts, visible_editions
from projects import codes
from projects.filters import (
    SCHEME_HELP,
    ChoiceListFilter,
    CodeListFilter,
    DevelopmentFilterForm,
    NumberListFilter,
    ProjectFilterForm,
    ProjectOrderingFilter,
    SchemeFilter,
    StorableDateTimeFilter,
    StrictBooleanFilter,
    with_schema,
)
from projects.models import (
    Development,
    DevelopmentKind,
    Project,
    Sector,
    Status,
)
from projects.querysets import with_as_of, won
from projects.text import normalize_for_search
from tracker.api import filter_presets

# The longest search: a few words or a pasted project name, never a document. Longer is a 400.
Q_MAX_LENGTH = 200
RESPONSIBLE_PATTERN = r"^(me|[1-9][0-9]{0,17})$"


def list_viewer(request) -> str:
    """What of the requesting user the filtered list depends on (readcache.responses' key):
    whether they may read drafts (`edition`), and who they are when a preset is given (`saved`
    names one of their own filters)."""
    user = getattr(request, "user", None)
    viewer = "drafts" if may_see_drafts(user) else "published"
    if any(name in request.query_params for name in filter_presets(ProjectFilterSet)):
        viewer += f"-u{getattr(user, 'pk', None)}"
    return viewer


def _visible_editions(request):
    return visible_editions(getattr(request, "user", None))


class ProjectFilterSet(django_filters.FilterSet):
    """The project list's filters. The list is one edition's (`edition`, by default the latest
    published): filter_queryset narrows to it first, so `number`, `listing_group` and `is_new`
    are that edition's (plans.selection.listed)."""

    edition = with_schema(
        django_filters.ModelChoiceFilter(
            queryset=_visible_editions,
            to_field_name="year",
            method="filter_edition",
            label=_("Edition"),
            help_text=_(
                "The year of the plan's edition whose list to show (`2023`); by default the latest "
                "published one. Editors may also ask for a draft."
            ),
        ),
        type="integer",
    )
    country = CodeListFilter(
        field_name="country",
        queryset=Country.objects.all(),
        to_field_name="iso_code",
        label=_("Country"),
        help_text=_("ISO 3166-1 alpha-2 codes, comma-separated: any of them (`VN,TH`)."),
    )
    region = CodeListFilter(
        field_name="country__region",
        queryset=Region.objects.all(),
        to_field_name="code",
        label=_("Region"),
        help_text=_("Region codes, comma-separated (`south-asia`)."),
    )
    sector = CodeListFilter(
        field_name="sectors",
        queryset=Sector.objects.all(),
        to_field_name="code",
        through_subquery=True,
        label=_("Sector"),
        help_text=_("Sector codes, comma-separated (`rail,port`)."),
    )
    scheme = SchemeFilter(
        method="filter_scheme",
        label=_("Scheme"),
        help_text=SCHEME_HELP,
    )
    status = ChoiceListFilter(
        choices=Status.choices, label=_("Status"), help_text=_("Status codes, comma-separated.")
    )
    listing_group = NumberListFilter(
        queryset=Heading.objects.all(),
        to_field_name="number",
        method="filter_listing_group",
        label=_("Listing group"),
        help_text=_("Numbers of the edition's headings (1 = ①ベトナム), comma-separated."),
    )
    is_new = StrictBooleanFilter(
        field_name="edition_is_new",
        label=_("New"),
        help_text=_("New in the edition (【新規案件】): true or false."),
    )
    won = StrictBooleanFilter(
        method="filter_won",
        label=_("Won"),
        help_text=_("A Japanese company has won all or part of it (an `award` development): true or false."),
    )
    responsible = with_schema(
        django_filters.CharFilter(
            method="filter_responsible",
            validators=[
                RegexValidator(
                    RESPONSIBLE_PATTERN,
                    _("Enter `me` (the projects you are responsible for) or a user's id."),
                )
            ],
            label=_("Responsible officer"),
            help_text=_(
                "`me`: the projects you are responsible for (担当); or a user's id, as a project's "
                "`responsible` gives it."
            ),
        ),
        type="string",
        pattern=RESPONSIBLE_PATTERN,
    )
    q = with_schema(
        django_filters.CharFilter(
            method="search",
            max_length=Q_MAX_LENGTH,
            label=_("Search"),
            help_text=_(
                "Words searched in the names, summary, note and development texts and in the names of "
                "the country and region (Japanese or English); every word must match. Full-width and "
                "half-width forms match each other. A number (`36`, `No.36`, `36番`) is that project. "
                "The same search as the admin's list. At most 200 characters."
            ),
        ),
        type="string",
        maxLength=Q_MAX_LENGTH,
    )
    updated_after = StorableDateTimeFilter(
        field_name="updated",
        lookup_expr="gte",
        label=_("Updated at or after"),
        help_text=_("A date (`2024-04-01`) or an ISO 8601 date-time; the time zone is Asia/Tokyo if none."),
    )
    development_after = django_filters.DateFilter(
        method="filter_development_dates",
        label=_("Development on or after"),
        help_text=_("Projects with a development dated on or after this date (`2023-01-01`)."),
    )
    development_before = django_filters.DateFilter(
        method="filter_development_dates",
        label=_("Development on or before"),
        help_text=_(
            "Projects with a development dated on or before this date. With development_after, "
            "one development must fall in the range. A month-precision date is its first day."
        ),
    )
    as_of = django_filters.DateFilter(
        method="filter_as_of",
        label=_("As of"),
        help_text=_(
            "A date (`2024-03-31`): each project's status and latest development as they stood "
            "that day. A development counts if its last date (its end, else its date) is on or "
            "before it, an undated one if it was recorded on or before it; the status is that of "
            "the last status change effective on or before it (one without an effective date "
            "counts from the day it was recorded; the first one always counts)."
        ),
    )
    ordering = ProjectOrderingFilter(
        fields=[("edition_number", "number"), "name", "updated", "latest_development"],
        label=_("Ordering"),
        help_text=_(
            "number, name, updated or latest_development, with `-` for descending; comma-separated "
            "for several. Ties are broken by number; projects with no dated development come last."
        ),
    )

    class Meta:
        model = Project
        fields = []
        form = ProjectFilterForm

    @property
    def selected_edition(self):
        """The edition the list is of: the one asked for, or the latest published one."""
        if self.form.is_bound and self.is_valid() and self.form.cleaned_data.get("edition"):
            return self.form.cleaned_data["edition"]
        return default_edition()

    def filter_queryset(self, queryset):
        return super().filter_queryset(listed(queryset, self.selected_edition))

    def filter_as_of(self, queryset, name, value):
        return with_as_of(queryset, value)

    def filter_edition(self, queryset, name, value):
        return queryset  # applied first, by filter_queryset

    def filter_listing_group(self, queryset, name, value):
        # Not asked for: the field's value is an empty queryset, which django-filter does not
        # count as empty (it would filter every project out).
        if not value:
            return queryset
        return queryset.filter(heading_number__in={heading.number for heading in value})

    def filter_scheme(self, queryset, name, value):
        condition = Q(schemes__family__in=value["families"]) | Q(schemes__code__in=value["codes"])
        return queryset.filter(pk__in=Project.objects.filter(condition).values("pk"))

    def filter_won(self, queryset, name, value):
        return queryset.filter(won() if value else ~won())

    def filter_responsible(self, queryset, name, value):
        if value == "me":
            user = getattr(self.request, "user", None)
            if user is None or not user.is_authenticated:
                return queryset.none()
            value = user.pk
        return queryset.filter(
            pk__in=Project.responsible.through.objects.filter(user_id=value).values("project")
        )

    def search(self, queryset, name, value):
        if not normalize_for_search(value):
            return queryset
        return queryset.search(value)

    def filter_development_dates(self, queryset, name, value):
        # Both bounds apply to the same development, so they are applied together, once.
        after = self.form.cleaned_data.get("development_after")
        before = self.form.cleaned_data.get("development_before")
        if name == "development_before" and after is not None:
            return queryset
        developments = Development.objects.filter(project=OuterRef("pk"))
        if after is not None:
            developments = developments.filter(date__gte=after)
        if before is not None:
            developments = developments.filter(date__lte=before)
        return queryset.filter(Exists(developments))


class DevelopmentFilterSet(django_filters.FilterSet):
    project = NumberListFilter(
        field_name="project",
        queryset=Project.objects.all(),
        label=_("Project"),
        help_text=_("Project ids (as in /api/projects/{id}/), comma-separated."),
    )
    country = CodeListFilter(
        field_name="project__country",
        queryset=Country.objects.all(),
        to_field_name="iso_code",
        label=_("Country"),
        help_text=_("ISO 3166-1 alpha-2 codes of the projects' countries, comma-separated."),
    )
    region = CodeListFilter(
        field_name="project__country__region",
        queryset=Region.objects.all(),
        to_field_name="code",
        label=_("Region"),
        help_text=_("Region codes, comma-separated."),
    )
    sector = CodeListFilter(
        field_name="project__sectors",
        queryset=Sector.objects.all(),
        to_field_name="code",
        through_subquery=True,
        label=_("Sector"),
        help_text=_("Sector codes of the projects, comma-separated."),
    )
    kind = ChoiceListFilter(
        choices=DevelopmentKind.choices, label=_("Kind"), help_text=_("Development kinds, comma-separated.")
    )
    date_after = django_filters.DateFilter(
        field_name="date",
        lookup_expr="gte",
        label=_("On or after"),
        help_text=_("Developments dated on or after this date (`2023-01-01`)."),
    )
    date_before = django_filters.DateFilter(
        field_name="date",
        lookup_expr="lte",
        label=_("On or before"),
        help_text=_("Developments dated on or before this date."),
    )

    class Meta:
        model = Development
        fields = []
        form = DevelopmentFilterForm


def _country_names(values: list[str]) -> list[str]:
    iso_codes = codes.canonical_codes(Country, "iso_code", values)
    names = {c.iso_code: localized_name(c) for c in Country.objects.filter(iso_code__in=iso_codes)}
    return [names.get(iso_code, value) for value, iso_code in zip(values, iso_codes, strict=True)]


def _status_names(values: list[str]) -> list[str]:
    labels = {value.casefold(): str(label) for value, label in Status.choices}
    return [labels.get(value.casefold(), value) for value in values]


# Filters whose codes a reader knows by name, matched as the filters match them (case ignored).
_NAMED_CODES = {"country": _country_names, "status": _status_names}


def described_filters(params) -> list[tuple[str, str]]:
    """The project-list filters of a query as a reader names them, (label, values), the codes
    of countries and statuses given by their names in the active language."""
    described = []
    for key, value in params.items():
        declared = ProjectFilterSet.base_filters.get(key)
        if declared is None or key == "ordering":
            continue
        values = [part.strip() for part in value.split(",") if part.strip()] or [value]
        if key in _NAMED_CODES:
            values = _NAMED_CODES[key](values)
        described.append((str(declared.label), "・".join(values)))
    return described
