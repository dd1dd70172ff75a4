from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from accounts.permissions import UserPermissionNames

DEFAULT_LIFETIME = timedelta(days=90)


def default_expiry():
    return timezone.now() + DEFAULT_LIFETIME


class APITokenManager(BaseAPIKeyManager):
    def get_usable_keys(self):
        # The token, its user and the user's permissions in one query (see authenticate()).
        return (
            super()
            .get_usable_keys()
            .select_related("user")
            .annotate(user_permissions=UserPermissionNames(F("user_id")))
        )

    def issue(self, *, user, name: str, read_only: bool = False, expires=None) -> tuple["APIToken", str]:
        """Create a token for `user`; returns it with the key, which is shown this once only."""
        return self.create_key(
            user=user, name=name, read_only=read_only, expiry_date=expires or default_expiry()
        )


class APIToken(AbstractAPIKey):
    """A key a script sends as `Authorization: Token <key>`; it acts as its user.

    Only a SHA-512 hash of the key is stored. A token expires, can be revoked (for good),
    and a read-only token refuses every write whatever its user's role.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    read_only = models.BooleanField(
        _("read-only"),
        default=False,
        help_text=_("A read-only token can only read, whatever the user's role."),
    )
    expiry_date = models.DateTimeField(
        _("expires"), default=default_expiry, help_text=_("After this time the token no longer works.")
    )

    objects = APITokenManager()

    class Meta(AbstractAPIKey.Meta):
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix} {self.name}"
