"""The admin project list's saved filters: the default view, `?saved=<id>` links, "show all".

ProjectAdmin.changelist_view asks `redirect_for` first and passes `for_admin`'s context to its
template (templates/admin/projects/project/change_list.html). Both are imported there, inside
the method: projects does not depend on this app at import time.
"""

from urllib.parse import urlparse

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext

from projects.admin.list_links import admin_query
from savedfilters.models import SavedFilter
from savedfilters.services import default_filter

# `?all=1`: every project, not the default view. Taken out of the query before the admin's
# ChangeList reads it (it refuses unknown parameters with its ?e=1 page).
SHOW_ALL_PARAMETER = "all"
SAVED_PARAMETER = "saved"


def _changelist_url() -> str:
    return reverse("admin:projects_project_changelist")


def _url_of(saved: SavedFilter) -> str:
    query = admin_query(saved.params).urlencode()
    return f"{_changelist_url()}?{query}" if query else f"{_changelist_url()}?{SHOW_ALL_PARAMETER}=1"


def _from_the_list(request) -> bool:
    # Clearing the last filter in the sidebar leads to the bare list: that is "show all",
    # not a new visit to apply the default view to.
    referer = request.headers.get("Referer", "")
    return bool(referer) and urlparse(referer).path == request.path


def redirect_for(request) -> HttpResponseRedirect | None:
    """Where the list should go instead, if anywhere: a saved filter's URL for `?saved=<id>`,
    or for the bare list (no query, not from the list itself) the user's default view."""
    if SAVED_PARAMETER in request.GET:
        value = request.GET[SAVED_PARAMETER]
        saved = None
        if value.isdigit() and len(value) < 19:
            saved = SavedFilter.objects.owned_by(request.user).filter(pk=int(value)).first()
        if saved is None:
            messages.error(request, gettext("You have no saved filter with this id."))
            return HttpResponseRedirect(f"{_changelist_url()}?{SHOW_ALL_PARAMETER}=1")
        return HttpResponseRedirect(_url_of(saved))
    if request.GET or _from_the_list(request):
        return None
    saved = default_filter(request.user)
    return HttpResponseRedirect(_url_of(saved)) if saved is not None else None


def without_show_all(request):
    """`request` with `?all=1` taken out of its query, for the admin's ChangeList."""
    if SHOW_ALL_PARAMETER in request.GET:
        request.GET = request.GET.copy()
        del request.GET[SHOW_ALL_PARAMETER]
    return request
