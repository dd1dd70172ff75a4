from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from countries.models import Country, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "order", "country_count"]
    search_fields = ["code", "name_ja", "name_en"]
    ordering = ["order", "code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(country_count=Count("countries"))

    @admin.display(description=_("countries"), ordering="country_count")
    def country_count(self, obj):
        return obj.country_count


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["iso_code", "name_ja", "name_en", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["iso_code", "name_ja", "name_en"]
    ordering = ["iso_code"]
    autocomplete_fields = ["region"]
