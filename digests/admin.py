"""Digests in the admin: each user's own preference (language, on or off), the one page a
digest's footer links to; and, for administrators, the digests prepared (read only)."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from digests.models import Digest, Preference


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    """A user sees and edits their own row only: the list opens it (made with the defaults)."""

    fields = ["language", "enabled"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_change_permission(request):
            return super().changelist_view(request, extra_context)
        preference, _created = Preference.objects.get_or_create(user=request.user)
        return redirect(reverse("admin:digests_preference_change", args=[preference.pk]))

    def response_change(self, request, obj):
        # No list to go back to: stay on the page, with Django's "changed successfully" message.
        response = super().response_change(request, obj)
        if "_continue" not in request.POST:
            return redirect(request.path)
        return response


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["created", "user", "to", "subject", "status", "attempts", "sent"]
    list_filter = ["status"]
    list_select_related = ["user"]
    search_fields = ["user__username", "to", "subject"]
    fields = [
        "user",
        "to",
        "from_seq",
        "to_seq",
        "events",
        "status",
        "attempts",
        "created",
        "sent",
        "subject",
        "text",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
