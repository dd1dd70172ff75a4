"""A feed URL's key: the one place a feed key is checked, and the lockout of addresses that
keep guessing.

Every refusal is the same 404, whatever the reason (unknown, revoked, expired, an inactive
user, or one who lost the permission to read developments), so a URL says nothing about a key
it does not open. After API_AUTH_FAILURE_LIMIT refused keys from one address within
API_AUTH_LOCKOUT_SECONDS, that address gets 429 until the window ends: the API's rule for its
tokens (tracker.middleware.APIAuthLockoutMiddleware).
"""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext

from feeds.models import LAST_USED_PRECISION, FeedKey
from tracker.log import log_event
from tracker.middleware import count_failure, failure_key, locked_out

# What a feed shows: the developments. A key of a user who may no longer read them opens nothing.
FEED_PERMISSION = "projects.view_development"


class FeedRefused(Exception):
    """The key opens no feed (404), or this address is locked out (429)."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def _count_failure(request, key: str) -> None:
    count_failure(failure_key("feed-key", request))
    # The prefix names the key; the path would hold the whole of it.
    log_event("feed_key_refused", request=request, level=logging.WARNING, key=key.partition(".")[0])


def feed_user(request, key: str):
    """The active user whose usable key `key` is; FeedRefused(404) otherwise, FeedRefused(429)
    when this address has had too many keys refused."""
    if locked_out(failure_key("feed-key", request)):
        log_event("feed_locked_out", request=request, level=logging.WARNING)
        raise FeedRefused(429)
    try:
        feed_key = FeedKey.objects.get_from_key(key)
    except FeedKey.DoesNotExist:
        feed_key = None
    if (
        feed_key is None
        or feed_key.has_expired
        or not feed_key.user.is_active
        or not feed_key.user.has_perm(FEED_PERMISSION)
    ):
        _count_failure(request, key)
        raise FeedRefused(404)
    now = timezone.now()
    if feed_key.last_used is None or feed_key.last_used < now - LAST_USED_PRECISION:
        FeedKey.objects.filter(pk=feed_key.pk).update(last_used=now)
    return feed_key.user


def plain_response(text: str, status: int) -> HttpResponse:
    """A refusal of a feed URL, in plain text, kept out of Django's request log: that log writes
    the path, and a feed's path holds its key."""
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response._has_been_logged = True  # django.utils.log.log_response's own mark
    return response


def refused_response(refusal: FeedRefused) -> HttpResponse:
    if refusal.status == 429:
        response = plain_response(gettext("Too many failed authentication attempts. Try again later."), 429)
        response["Retry-After"] = str(settings.API_AUTH_LOCKOUT_SECONDS)
        return response
    return plain_response(gettext("Not found."), 404)
