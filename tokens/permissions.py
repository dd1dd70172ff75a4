"""What a token allows besides its user's permissions: a read-only token refuses every write.

Asked by every API permission class (tracker.api.ModelPermissions, and through it the
others), after the 401 and 405 checks and before the user's own permissions.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS

READ_ONLY_MESSAGE = _("This API token is read-only.")


def refuses_write(request) -> bool:
    """The request writes (not GET, HEAD or OPTIONS) with a read-only API token."""
    return getattr(request.auth, "read_only", False) and request.method not in SAFE_METHODS
