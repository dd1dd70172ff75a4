"""/admin/projects/statuschange/: every project's status changes in one list, read only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from projects.admin.read_only_lists import ReadOnlyListAdmin
from projects.dates import format_partial_date
from projects.models import StatusChange


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyListAdmin):
    list_display = [
        "project_link",
        "country",
        "previous_status",
        "status",
        "effective",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = [("project__country", admin.RelatedOnlyFieldListFilter), "status", "previous_status"]
    date_hierarchy = "recorded_at"
    search_fields = ["note", "project__name", "project__name_en", "=project__number"]
    ordering = ["-recorded_at", "-id"]

    @admin.display(description=_("effective date"), ordering="effective_on")
    def effective(self, obj):
        return format_partial_date(obj.effective_on, obj.effective_precision) if obj.effective_on else ""
