"""The security log's login events (logins, logouts, failures), from Django's auth signals.

Imported by AccountsConfig.ready(), so the receivers are connected in every process.
"""

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

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
