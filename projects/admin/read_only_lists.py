"""What the cross-project lists of developments and status changes share: read only (writes
go through the project's page and projects.services), a link to each row's project."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


class ReadOnlyListAdmin(admin.ModelAdmin):
    """A list across projects, filtered and searched; no add, change or delete."""

    list_select_related = ["project__country", "recorded_by"]
    list_per_page = 100
    show_facets = admin.ShowFacets.NEVER

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("project"), ordering="project__number")
    def project_link(self, obj):
        url = reverse("admin:projects_project_change", args=[obj.project_id])
        return format_html('<a href="{}">{} {}</a>', url, obj.project.number, obj.project.display_name)

    @admin.display(description=_("country"), ordering="project__country__iso_code")
    def country(self, obj):
        return obj.project.country
