"""The change log's page inside the admin (/admin/changes/): the log of changes.log with its
filters as a form beside it, paginated in the database. Every role may read it."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from changes.filtersets import ChangeFilterSet
from changes.log import KINDS, change_rows, entries
from projects.audit import editor_label
from projects.filters import reference_choices
from projects.models import Project

PER_PAGE = 50
# The permission every role has (accounts.roles: the audit rows are readable by all).
PERMISSION = "projects.view_historicalproject"
TITLE = _("Change log")


def _given(query: QueryDict) -> QueryDict:
    """The form's parameters without its empty fields (an empty field is no filter here)."""
    given = QueryDict(mutable=True)
    for name, values in query.lists():
        kept = [value for value in values if value.strip()]
        if kept and name != "page":
            given.setlist(name, kept)
    return given


def _choices():
    """The form's options, in the reader's language: each filter takes one value here (the API
    takes several); the values are the API's, so a filtered page's query works on both."""
    return {
        "user": [
            (str(user.pk), editor_label(user)) for user in get_user_model().objects.order_by("username")
        ],
        **reference_choices(),
        "kind": [(code, str(label)) for code, label in KINDS.items()],
    }


def _fields(form, given):
    """The filter form's fields as the page draws them: a date input, a list to choose from, or
    the text the API takes (project numbers)."""
    choices = _choices()
    return [
        {
            "name": field.name,
            "id": field.id_for_label,
            "label": field.label,
            "value": given.get(field.name, ""),
            "type": "date" if field.name in ("since", "until") else "text",
            "choices": choices.get(field.name),
            "help": field.help_text if field.name == "project" else "",
            "errors": field.errors,
        }
        for field in form
    ]


def change_log_view(request, admin_site):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    given = _given(request.GET)
    filterset = ChangeFilterSet(given, queryset=Project.history.none(), request=request)
    if filterset.is_valid():
        rows = filterset.qs
    else:
        rows = change_rows().none()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **admin_site.each_context(request),
        "title": gettext("Change log"),
        "form": filterset.form,
        "page": page,
        "entries": entries(page.object_list),
        "query": given.urlencode(),
        "invalid": not filterset.is_valid(),
        "fields": _fields(filterset.form, given),
    }
    request.current_app = admin_site.name
    return TemplateResponse(request, "admin/changes/change_log.html", context)


def urls(admin_site):
    """The page's URL, for the admin site's get_urls()."""
    view = admin_site.admin_view(lambda request: change_log_view(request, admin_site))
    return [path("changes/", view, name="change_log")]


def app_entry(request, admin_site):
    """The page as an app of the admin's index, for those who may read it (else None)."""
    if not request.user.has_perm(PERMISSION):
        return None
    url = reverse(f"{admin_site.name}:change_log")
    return {
        "name": TITLE,
        "app_label": "changes",
        "app_url": url,
        "has_module_perms": True,
        "models": [
            {
                "name": TITLE,
                "object_name": "ChangeLog",
                "perms": {"view": True, "add": False, "change": False, "delete": False},
                "admin_url": url,
                "add_url": None,
                "view_only": True,
            }
        ],
    }
