"""Sidebar filters of the project list.

Each filter takes several values, as the API's filters do: a choice's link adds its value to
those chosen, or takes it away when it is already chosen (Vietnam, then Thailand: projects in
either). Django's field filters already match any of a repeated parameter
(`?country__id__exact=1&country__id__exact=2`); these classes give them the links that build it.
"""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from projects.models import Project, SchemeFamily


class MultiValueMixin:
    """Links that toggle one value in the filter's list of values; "All" clears the list."""

    def chosen_values(self) -> list[str]:
        return [str(value) for value in self.lookup_val or []]

    def value_choices(self):
        """(value, label) pairs, in the order shown."""
        raise NotImplementedError

    def choices(self, changelist):
        chosen = self.chosen_values()
        yield {
            "selected": not chosen,
            "query_string": changelist.get_query_string(remove=self.expected_parameters()),
            "display": _("All"),
        }
        for value, label in self.value_choices():
            value = str(value)
            values = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
            yield {
                "selected": value in chosen,
                "query_string": changelist.get_query_string(
                    {self.lookup_kwarg: values or None}, self.expected_parameters()[1:]
                ),
                "display": label,
            }


class MultiRelatedFilter(MultiValueMixin, admin.RelatedOnlyFieldListFilter):
    """Rows of a related table that some project has, in the related admin's order."""

    def value_choices(self):
        return self.lookup_choices


class MultiRelatedByNameFilter(MultiRelatedFilter):
    """Sorted by the name shown (in the active language), not by the related table's order:
    countries by name, not by ISO code."""

    def field_choices(self, field, request, model_admin):
        return sorted(super().field_choices(field, request, model_admin), key=lambda c: str(c[1]).casefold())


class MultiChoicesFilter(MultiValueMixin, admin.ChoicesFieldListFilter):
    def value_choices(self):
        return [(value, label) for value, label in self.field.flatchoices if value is not None]


class SchemeFamilyFilter(admin.SimpleListFilter):
    """ODA matches every ODA scheme (loan, grant, technical cooperation, unspecified)."""

    title = _("scheme family")
    parameter_name = "scheme_family"

    def __init__(self, request, params, model, model_admin):
        self.lookup_kwarg = self.parameter_name
        self.lookup_val = [v for v in params.get(self.parameter_name, []) if v in SchemeFamily.values]
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return SchemeFamily.choices

    def expected_parameters(self):
        return [self.parameter_name]

    def choices(self, changelist):
        return MultiValueMixin.choices(self, changelist)

    def chosen_values(self):
        return self.lookup_val

    def value_choices(self):
        return self.lookup_choices

    def queryset(self, request, queryset):
        if not self.lookup_val:
            return queryset
        # Exists, not a join: a project with two ODA schemes must appear once.
        through = Project.schemes.through.objects.filter(
            project=OuterRef("pk"), scheme__family__in=self.lookup_val
        )
        return queryset.filter(Exists(through))


class WonFilter(admin.SimpleListFilter):
    """Projects a Japanese company has won, in whole or in part (an award development)."""

    title = _("won")
    parameter_name = "won"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        # The admin's queryset is annotated with `won` (ProjectQuerySet.with_won()).
        if self.value() == "yes":
            return queryset.filter(won=True)
        if self.value() == "no":
            return queryset.filter(won=False)
        return queryset


class ResponsibleFilter(admin.SimpleListFilter):
    """The projects the reader is responsible for (担当: 自分), as the API's `responsible=me`."""

    title = _("responsible officer")
    parameter_name = "responsible"

    def lookups(self, request, model_admin):
        return [("me", _("Mine"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            through = Project.responsible.through.objects.filter(project=OuterRef("pk"), user=request.user)
            return queryset.filter(Exists(through))
        return queryset


class EditionFilter(admin.SimpleListFilter):
    """Projects listed in an edition of the plan (drafts only for editors: plans.selection)."""

    title = _("listed in edition")
    parameter_name = "edition"

    def lookups(self, request, model_admin):
        from plans.selection import visible_editions

        return [
            (str(edition.year), str(edition.year))
            for edition in visible_editions(request.user).order_by("-year")
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        from plans.models import Listing
        from plans.selection import visible_editions

        editions = visible_editions(request.user).filter(year=self.value() if self.value().isdigit() else 0)
        return queryset.filter(Exists(Listing.objects.filter(project=OuterRef("pk"), edition__in=editions)))


class NewInEditionFilter(admin.SimpleListFilter):
    """Projects marked new (【新規案件】) in an edition: the one the `edition` filter names, else
    the latest published (the API's `is_new`, by plans.selection's default)."""

    title = _("new in the edition")
    parameter_name = "is_new"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        from plans.models import Listing
        from plans.selection import default_edition, visible_editions

        year = request.GET.get(EditionFilter.parameter_name, "")
        if year:
            editions = visible_editions(request.user).filter(year=year if year.isdigit() else 0)
        else:
            edition = default_edition()
            editions = [edition] if edition is not None else []
        new = Exists(Listing.objects.filter(project=OuterRef("pk"), edition__in=editions, is_new=True))
        return queryset.filter(new) if self.value() == "yes" else queryset.exclude(new)
