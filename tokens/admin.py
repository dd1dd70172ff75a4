from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from tokens.models import APIToken

# The library registers its own, user-less key model; this project issues APIToken only.
admin.site.unregister(APIKey)


@admin.register(APIToken)
class APITokenAdmin(APIKeyModelAdmin):
    """Issue (the key is shown once, on save), list and revoke tokens."""

    list_display = [
        "prefix",
        "name",
        "user",
        "read_only",
        "created",
        "expiry_date",
        "_has_expired",
        "revoked",
    ]
    list_filter = ["read_only", "revoked", "created"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    raw_id_fields = ["user"]
    ordering = ["-created"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None:
            # A token keeps its user and scope; issue a new one to change them.
            fields = (*fields, "user", "read_only")
        return fields
