"""An endpoint administrators register (its URL, the topics it hears of, its secret, its
cursor on the outbox) and each delivery of an event to it (pending, sent or failed for good)."""

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import EventKind


class Topic(models.TextChoices):
    DEVELOPMENT_ADDED = "development.added", _("Development added")
    STATUS_CHANGED = "status.changed", _("Status changed")
    PROJECT_CHANGED = "project.changed", _("Project changed (added, edited, deleted, listed, unlisted)")
    EDITION_PUBLISHED = "edition.published", _("Edition published")


# Each event kind → the topic an endpoint subscribes to; the rest are "project.changed".
TOPIC_OF_KIND = {
    EventKind.DEVELOPMENT_ADDED: Topic.DEVELOPMENT_ADDED,
    EventKind.STATUS_CHANGED: Topic.STATUS_CHANGED,
    EventKind.EDITION_PUBLISHED: Topic.EDITION_PUBLISHED,
    **{
        kind: Topic.PROJECT_CHANGED
        for kind in (
            EventKind.PROJECT_ADDED,
            EventKind.PROJECT_CHANGED,
            EventKind.PROJECT_DELETED,
            EventKind.DEVELOPMENT_CHANGED,
            EventKind.DEVELOPMENT_DELETED,
            EventKind.STATUS_CHANGE_EDITED,
            EventKind.STATUS_CHANGE_DELETED,
            EventKind.LISTED,
            EventKind.UNLISTED,
        )
    },
}


def kinds_for(topics) -> list[str]:
    """The event kinds an endpoint subscribed to `topics` hears of."""
    return sorted(kind for kind, topic in TOPIC_OF_KIND.items() if topic in set(topics))


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """A receiver's URL. `cursor` is the last Event.seq whose deliveries were created: only
    webhooks.run writes it, under the row's lock."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list, help_text=_("The topics it hears of."))
    secret = models.CharField(_("secret"), max_length=100, default=new_secret, editable=False)
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0, editable=False)
    disabled_reason = models.CharField(_("why it was turned off"), max_length=300, blank=True, editable=False)
    cursor = models.BigIntegerField(_("last event handled"), default=0, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["url", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.description or self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event for one endpoint. `key` is its idempotency key: every attempt sends it."""

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="+", verbose_name=_("event")
    )
    key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("last duration (ms)"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.UniqueConstraint(
                fields=["endpoint", "event"],
                name="%(app_label)s_%(class)s_once_per_endpoint",
                violation_error_message=_("An event is delivered once per endpoint."),
            ),
        ]

    def __str__(self):
        return f"{self.endpoint} #{self.event_id} {self.get_status_display()}"
