"""`Authorization: Token <key>` authentication for scripts."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts.permissions import remember_permissions
from tokens.models import APIToken


class APITokenAuthentication(BaseAuthentication):
    """Authenticates as the token's user; `request.auth` is the token (for its read-only flag)."""

    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if parts and parts[0].lower() == b"bearer":
            # The usual scheme elsewhere; here it would fall through to "no credentials".
            raise exceptions.AuthenticationFailed(
                _("Send the API token as 'Authorization: Token <key>', not 'Bearer'.")
            )
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: give one key after 'Token'."))
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        try:
            token = APIToken.objects.get_from_key(key)
        except APIToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token.")) from None
        if token.has_expired:
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user is inactive."))
        if not user.is_superuser:
            # What accounts.backends.PermissionBackend would otherwise read in a query of its own.
            remember_permissions(user, token.user_permissions)
        return user, token

    def authenticate_header(self, request):
        # A WWW-Authenticate header is what makes DRF answer 401 rather than 403.
        return f'{self.keyword} realm="api"'
