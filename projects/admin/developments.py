"""/admin/projects/development/: every project's developments in one list, read only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from projects.admin.read_only_lists import ReadOnlyListAdmin
from projects.dates import format_partial_date
from projects.models import Development


@admin.register(Development)
class DevelopmentAdmin(ReadOnlyListAdmin):
    list_display = ["project_link", "country", "kind", "when", "short_text", "recorded_by", "recorded_at"]
    list_filter = [("project__country", admin.RelatedOnlyFieldListFilter), "kind", "date_precision"]
    date_hierarchy = "recorded_at"
    search_fields = ["text", "source", "project__name", "project__name_en", "=project__number"]
    ordering = ["-recorded_at", "-id"]

    @admin.display(description=_("date"), ordering="date")
    def when(self, obj):
        return format_partial_date(obj.date, obj.date_precision, obj.date_end) if obj.date else ""

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 120 else f"{obj.text[:120]}…"
