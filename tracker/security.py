"""Security events from signals (logins, API tokens) and the login backend that adds axes' lockout.

Imported by TokensConfig.ready(), so the receivers are connected in every process, commands too.
"""

import logging
import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.shortcuts import render

from tokens.models import APIToken
from tracker.log import log_event


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    log_event("login", request=request, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    log_event("logout", request=request, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password masked by Django; only the user name given is logged.
    log_event(
        "login_failed",
        request=request,
        username=credentials.get("username") or "-",
        level=logging.WARNING,
    )


class LoginBackend(AxesStandaloneBackend):
    """axes' lockout check, for logins over HTTP only.

    A login without a request (createsuperuser, changepassword, the test client's login()) is
    not reachable from the network, so there is nothing to throttle; axes would refuse it.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets (settings.AXES_LOCKOUT_CALLABLE): 429 in the admin's
    layout and the reader's language, saying how long the lock lasts, with Retry-After."""
    from django.contrib import admin

    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else None
    context = {
        **admin.site.each_context(request),
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": math.ceil(seconds / 60) if seconds else None,
    }
    response = render(request, "admin/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


@receiver(pre_save, sender=APIToken)
def _token_before_save(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata restores tokens; it issues none
        return
    instance._was_revoked = (
        instance.pk is not None and sender.objects.filter(pk=instance.pk, revoked=True).exists()
    )


@receiver(post_save, sender=APIToken)
def _token_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    owner = {"owner": instance.user.get_username(), "token": instance.prefix, "read_only": instance.read_only}
    if created:
        log_event("token_issued", **owner)
    elif instance.revoked and not getattr(instance, "_was_revoked", False):
        log_event("token_revoked", **owner)
