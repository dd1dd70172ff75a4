"""The authentication backends (settings.AUTHENTICATION_BACKENDS): axes' lockout for logins over
HTTP, then Django's model backend reading a user's permissions in one query."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.db.models import F

from accounts.permissions import UserPermissionNames, cached_permissions, remember_permissions


class LoginBackend(AxesStandaloneBackend):
    """axes' lockout check, for logins over HTTP only.

    A login without a request (createsuperuser, changepassword, the test client's login()) is
    not reachable from the network, so there is nothing to throttle; axes would refuse it.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PermissionBackend(ModelBackend):
    """Django's ModelBackend, reading the permissions in one query instead of two (the user's,
    then their groups'). An API token fills the same cache in its own query (tokens.models),
    so a request with a token spends no query on permissions at all."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cached = cached_permissions(user_obj)
        if cached is not None:
            return cached
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)  # Django's: every permission
        names = (
            type(user_obj)
            ._default_manager.filter(pk=user_obj.pk)
            .values_list(UserPermissionNames(F("pk")), flat=True)
            .get()
        )
        return remember_permissions(user_obj, names)
