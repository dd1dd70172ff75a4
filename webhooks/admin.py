"""Webhooks in the admin, for administrators only (the roles give the others no permission on
them): the endpoints, with their secret and their recent deliveries read-only, and the list
of deliveries."""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from events import sequence
from webhooks import safety
from webhooks.models import Delivery, Endpoint, Topic

RECENT = 20
DELIVERY_FIELDS = [
    "created",
    "event",
    "key",
    "status",
    "attempts",
    "last_status_code",
    "last_error",
    "last_duration_ms",
    "last_attempt_at",
    "next_attempt_at",
    "sent_at",
]


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Changes to send"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            safety.check(url)
        except safety.UnsafeURL as error:
            raise forms.ValidationError(str(error)) from error
        return url


class RecentDeliveries(BaseInlineFormSet):
    """The endpoint's last RECENT deliveries, read once (the formset indexes its queryset per
    form), each with its endpoint at hand (a delivery's name says its endpoint)."""

    def get_queryset(self):
        if not hasattr(self, "_recent"):
            self._recent = list(super().get_queryset()[:RECENT])
            for delivery in self._recent:
                delivery.endpoint = self.instance
        return self._recent


class DeliveryInline(admin.TabularInline):
    model = Delivery
    formset = RecentDeliveries
    fields = DELIVERY_FIELDS
    readonly_fields = DELIVERY_FIELDS
    ordering = ["-created", "-id"]
    extra = 0
    can_delete = False
    verbose_name_plural = _("recent deliveries")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "description", "events", "active", "consecutive_failures", "disabled_reason"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    readonly_fields = ["secret", "consecutive_failures", "disabled_reason", "cursor", "created"]
    inlines = [DeliveryInline]

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        # The secret is made on creation and shown from then on.
        return self.readonly_fields if obj is not None else ["consecutive_failures", "cursor"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.cursor = sequence.assign()  # a new endpoint hears of what happens from now on
        elif "active" in form.changed_data and obj.active:
            obj.consecutive_failures, obj.disabled_reason = 0, ""
        super().save_model(request, obj, form, change)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created", "endpoint", "event", "status", "attempts", "last_status_code", "sent_at"]
    list_filter = ["status", "endpoint"]
    list_select_related = ["endpoint", "event"]
    search_fields = ["key", "endpoint__url"]
    fields = ["endpoint", *DELIVERY_FIELDS]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
