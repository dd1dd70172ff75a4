"""The reference data's admin: sectors, schemes and the plan's listing groups."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from projects.models import ListingGroup, Scheme, Sector


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "dac_code", "order"]
    search_fields = ["code", "name_ja", "name_en"]
    ordering = ["order", "code"]


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["code", "family", "name_ja", "name_en", "order"]
    list_filter = ["family"]
    search_fields = ["code", "name_ja", "name_en"]
    ordering = ["order", "code"]


@admin.register(ListingGroup)
class ListingGroupAdmin(admin.ModelAdmin):
    list_display = ["number", "mark", "name_ja", "name_en"]
    search_fields = ["name_ja", "name_en"]
    ordering = ["number"]

    @admin.display(description=_("mark"))
    def mark(self, obj):
        return obj.mark
