"""The change log's filters, for the API and the admin page alike: each refuses a bad value
with a message naming it (projects.filters), and `criteria()` turns the valid ones into the
log's changes.log.Criteria."""

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from changes.log import KINDS, Criteria, change_rows
from countries.models import Country, Region
from projects.filters import ChoiceListFilter, CodeListFilter, FilterForm, NumberListFilter, with_schema
from projects.models import Project, Sector


class ChangeFilterForm(FilterForm):
    date_ranges = (("since", "until"),)


class ChangeFilterSet(django_filters.FilterSet):
    """Filters of the change log. Its queryset is only the model the API's permissions and
    schema read: `filter_queryset` answers the log's own query (changes.log.change_rows)."""

    since = django_filters.DateFilter(
        method="no_op",
        label=_("Since"),
        help_text=_("Changes on or after this day (`2024-04-01`, Japan time)."),
    )
    until = django_filters.DateFilter(
        method="no_op",
        label=_("Until"),
        help_text=_("Changes on or before this day (`2024-04-30`, Japan time)."),
    )
    user = NumberListFilter(
        queryset=get_user_model().objects.all(),
        to_field_name="pk",
        method="no_op",
        label=_("User"),
        help_text=_("Ids of the users who made the changes, comma-separated."),
    )
    project = NumberListFilter(
        queryset=Project.objects.all(),
        to_field_name="number",
        method="no_op",
        label=_("Project"),
        help_text=_("Project numbers, comma-separated (`36,41`)."),
    )
    country = CodeListFilter(
        queryset=Country.objects.all(),
        to_field_name="iso_code",
        method="no_op",
        label=_("Country"),
        help_text=_("ISO 3166-1 alpha-2 codes of the projects' countries, comma-separated (`VN,TH`)."),
    )
    region = with_schema(
        CodeListFilter(
            queryset=Region.objects.all(),
            to_field_name="code",
            method="no_op",
            label=_("Region"),
            help_text=_("Region codes of the projects' countries, comma-separated (`south-asia`)."),
        ),
        type="array",
        items={"type": "string"},
    )
    sector = with_schema(
        CodeListFilter(
            queryset=Sector.objects.all(),
            to_field_name="code",
            method="no_op",
            label=_("Sector"),
            help_text=_("Sector codes of the projects, comma-separated (`rail,port`)."),
        ),
        type="array",
        items={"type": "string"},
    )
    kind = ChoiceListFilter(
        choices=list(KINDS.items()),
        method="no_op",
        label=_("Kind of change"),
        help_text=_(
            "Kinds of change, comma-separated: project_added, project_changed, project_deleted, "
            "development_added, development_changed, development_deleted, status_changed, "
            "status_change_edited, status_change_deleted, import."
        ),
    )

    class Meta:
        model = Project.history.model
        fields = []
        form = ChangeFilterForm

    def no_op(self, queryset, name, value):
        return queryset

    def criteria(self) -> Criteria:
        data = self.form.cleaned_data
        return Criteria(
            since=data.get("since"),
            until=data.get("until"),
            users=[user.pk for user in data.get("user") or []],
            projects=[project.number for project in data.get("project") or []],
            countries=list(data.get("country") or []),
            regions=list(data.get("region") or []),
            sectors=list(data.get("sector") or []),
            kinds=list(data.get("kind") or []),
        )

    def filter_queryset(self, queryset):
        return change_rows(self.criteria())
