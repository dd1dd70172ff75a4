"""Every user's feed keys, for administrators: list, search and revoke. Keys are created by
their users on /feeds/ (the key is shown to them only), so the admin adds none."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from feeds.models import FeedKey
from tracker.log import log_event


@admin.register(FeedKey)
class FeedKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "user", "created", "expiry_date", "last_used", "revoked"]
    list_filter = ["revoked", "created"]
    list_select_related = ["user"]
    search_fields = ["prefix", "name", "user__username"]
    raw_id_fields = ["user"]
    ordering = ["-created"]
    fields = ["prefix", "name", "user", "created", "expiry_date", "last_used", "hashed_key", "revoked"]
    readonly_fields = ["prefix", "name", "user", "created", "expiry_date", "last_used", "hashed_key"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        # A revoked key stays revoked (the model refuses the change too).
        if obj is not None and obj.revoked:
            return [*self.readonly_fields, "revoked"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "revoked" in form.changed_data and obj.revoked:
            log_event("feed_key_revoked", request=request, key=obj.prefix, owner=obj.user.get_username())

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        keys = list(queryset.filter(revoked=False).select_related("user"))
        FeedKey.objects.filter(pk__in=[key.pk for key in keys]).update(revoked=True)
        for key in keys:  # update() sends no signal and logs nothing itself
            log_event("feed_key_revoked", request=request, key=key.prefix, owner=key.user.get_username())
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", len(keys)) % {"count": len(keys)},
            messages.SUCCESS,
        )
