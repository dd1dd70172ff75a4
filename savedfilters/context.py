"""What the saved-filter templates need (`savedfilters/menu.html`, `savedfilters/save_form.html`),
from one function per page: the front page's (`for_request`) and the admin list's (`for_admin`).

Both give {"filters": the user's saved filters with their links, "form": the save form for the
filters shown, "save_url", "next", "share_url"}. One query for the menu, whatever its length.
"""

from urllib.parse import urlencode

from django.urls import reverse

from projects.admin.list_links import filter_params
from savedfilters.admin_list import SHOW_ALL_PARAMETER
from savedfilters.forms import SaveFilterForm
from savedfilters.models import SavedFilter
from savedfilters.query import FILTER_NAMES, as_querydict
from savedfilters.services import default_filter

FRONT_PAGE = "/"
# Every project, in the list's order: a query (so not the default view) that filters nothing.
SHOW_ALL_QUERY = "ordering=number"


def _filter_query(params) -> str:
    params = as_querydict(params)
    return urlencode(
        [(key, value) for key in sorted(params) if key in FILTER_NAMES for value in params.getlist(key)]
    )


def _context(request, *, query: str, link, show_all: str, manage: str = "", share: str | None = None) -> dict:
    filters = list(SavedFilter.objects.owned_by(request.user).only("pk", "name", "query", "is_default"))
    for saved in filters:
        saved.link = link(saved)
    return {
        "filters": filters,
        "form": SaveFilterForm(initial={"query": query}),
        "save_url": reverse("savedfilters:save"),
        "next": request.get_full_path(),
        "share_url": request.build_absolute_uri(share),
        "query": query,
        "show_all_url": show_all,
        "manage_url": manage,
    }


def for_request(request, params) -> dict:
    """The front page's: `params` are the filters it shows (request.GET); the menu links to
    `/?<query>`, and the form saves `params`."""
    return _context(
        request,
        query=_filter_query(params),
        link=lambda saved: f"{FRONT_PAGE}?{saved.query or SHOW_ALL_QUERY}",
        show_all=f"{FRONT_PAGE}?{SHOW_ALL_QUERY}",
        # The filters shown, even when they are the reader's default view (`/` alone): the link
        # must show the same to whoever opens it.
        share=f"{FRONT_PAGE}?{_filter_query(params) or SHOW_ALL_QUERY}",
    )


def for_admin(request) -> dict:
    """The admin project list's: the form saves its filters (request.GET, by row id) by code;
    the menu links through `?saved=<id>`, which the list answers with a redirect to the
    filtered list (savedfilters.admin_list), so the menu needs no code-to-id lookups."""
    changelist = reverse("admin:projects_project_changelist")
    return _context(
        request,
        query=filter_params(request.GET).urlencode(),
        link=lambda saved: f"{changelist}?{urlencode({'saved': saved.pk})}",
        show_all=f"{changelist}?{SHOW_ALL_PARAMETER}=1",
        manage=reverse("admin:savedfilters_savedfilter_changelist"),
    )


def default_params(request):
    """The filters the front page shows when `/` has no query: the user's default saved
    filter's (a QueryDict), or None. Any query (the menu's "all projects" is `?ordering=number`)
    is shown as asked."""
    if request.GET or not getattr(request.user, "is_authenticated", False):
        return None
    saved = default_filter(request.user)
    return saved.params if saved is not None and saved.query else None
