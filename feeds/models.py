"""Feed keys: what a feed reader puts in a feed's URL instead of a login (feed readers, Outlook
and Teams send no cookies or headers). A key opens its user's feeds and nothing else: the API
and the admin know only their own credentials (tokens.APIToken, the session)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

# A subscription is set up once and read for months; a key still ends, and is renewed here.
DEFAULT_LIFETIME = timedelta(days=365)
# A user keeps a few keys (one per reader, say), not one per feed URL.
MAX_ACTIVE_KEYS = 10
# How stale `last_used` may be: the feed writes it at most this often, not on every poll.
LAST_USED_PRECISION = timedelta(hours=1)


def default_expiry():
    return timezone.now() + DEFAULT_LIFETIME


class FeedKeyQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)

    def active(self):
        return self.filter(revoked=False, expiry_date__gt=timezone.now())


class FeedKeyManager(BaseAPIKeyManager.from_queryset(FeedKeyQuerySet)):
    def get_usable_keys(self):
        return super().get_usable_keys().select_related("user")

    def issue(self, *, user, name: str) -> tuple["FeedKey", str]:
        """Create a key for `user`; returns it with the key, which is shown this once only."""
        return self.create_key(user=user, name=name, expiry_date=default_expiry())


class FeedKey(AbstractAPIKey):
    """A read-only key to a user's feeds, in the feed's URL (/feeds/<key>/developments.atom).

    Only a SHA-512 hash of the key is stored (as for API tokens). A key expires and can be
    revoked, for good; an inactive user's keys open nothing.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_keys", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=50, help_text=_("What the key is for, e.g. 'Outlook'."))
    revoked = models.BooleanField(
        _("revoked"), default=False, help_text=_("A revoked key opens no feed. This cannot be undone.")
    )
    expiry_date = models.DateTimeField(
        _("expires"), default=default_expiry, help_text=_("After this time the key opens no feed.")
    )
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    objects = FeedKeyManager()

    class Meta(AbstractAPIKey.Meta):
        ordering = ["-created"]
        verbose_name = _("feed key")
        verbose_name_plural = _("feed keys")

    def __str__(self):
        return f"{self.prefix} {self.name}"
