"""The reference data's admin: sectors and schemes."""

from django.contrib import admin

from projects.models import Scheme, Sector


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
