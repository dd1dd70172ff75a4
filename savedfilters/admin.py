"""Each user's saved filters in the admin: their own rows only, renamed, made the default view
or deleted here; saved from the project list's form (savedfilters.views.save)."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from savedfilters.admin_list import SAVED_PARAMETER, _changelist_url
from savedfilters.models import SavedFilter
from savedfilters.services import saved_filter_save


@admin.register(SavedFilter)
class SavedFilterAdmin(admin.ModelAdmin):
    list_display = ["name", "query", "is_default", "open_link", "updated"]
    list_display_links = ["name"]
    fields = ["name", "query", "is_default"]
    search_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(owner=request.user)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class OwnedForm(form):
            # The owner is not a field: set before validation, so the model's checks (the
            # query, the name unique for the owner) run on the form.
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.instance.owner = request.user

        return OwnedForm

    def save_model(self, request, obj, form, change):
        obj.owner = request.user
        saved_filter_save(saved_filter=obj)

    @admin.display(description=_("project list"))
    def open_link(self, obj):
        return format_html('<a href="{}?{}={}">{}</a>', _changelist_url(), SAVED_PARAMETER, obj.pk, _("Open"))
