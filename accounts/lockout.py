"""The page a locked-out login gets (settings.AXES_LOCKOUT_CALLABLE)."""

import math

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.shortcuts import render


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
