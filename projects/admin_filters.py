"""Sidebar filters of the project list that Django's field filters cannot express."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from projects.models import Project, SchemeFamily


class SchemeFamilyFilter(admin.SimpleListFilter):
    """ODA matches every ODA scheme (loan, grant, technical cooperation, unspecified)."""

    title = _("scheme family")
    parameter_name = "scheme_family"

    def lookups(self, request, model_admin):
        return SchemeFamily.choices

    def queryset(self, request, queryset):
        if self.value() not in SchemeFamily.values:
            return queryset
        # Exists, not a join: a project with two ODA schemes must appear once.
        through = Project.schemes.through.objects.filter(project=OuterRef("pk"), scheme__family=self.value())
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
