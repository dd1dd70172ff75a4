"""The save form's target, for the front page and the admin's project list alike."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from savedfilters.forms import SaveFilterForm
from tracker.paths import posted_next


@require_POST
@login_required
def save(request):
    """Save the posted filters (`query`, API-style) under `name`; back to the page (`next`)."""
    if not request.user.has_perm("savedfilters.add_savedfilter"):
        raise PermissionDenied
    form = SaveFilterForm(request.POST)
    saved = form.save(owner=request.user) if form.is_valid() else None
    if saved is None:
        errors = " ".join(str(message) for messages_ in form.errors.values() for message in messages_)
        messages.error(request, gettext("The filters were not saved: %(errors)s") % {"errors": errors})
        return redirect(posted_next(request, "/"))
    messages.success(request, gettext("Saved the filters as “%(name)s”.") % {"name": saved.name})
    return redirect(posted_next(request, f"/?{saved.query}"))
