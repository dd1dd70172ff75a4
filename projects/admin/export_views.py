"""Exports of what the project changelist shows: its filters, search and order, every page.

CSV and xlsx lists (projects.spreadsheets.export), and the status table as a page or a
workbook (projects.spreadsheets.status_table).
"""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext

from plans.models import Edition
from plans.selection import default_edition, listed, visible_editions
from projects.api.renderers import extra_list_renderers
from projects.spreadsheets.export import list_file_response, xlsx_file_response
from projects.spreadsheets.status_table import status_table_context, write_status_table_xlsx

EXPORT_FORMATS = ("csv", "xlsx", "status-table", "status-table-xlsx")


def extra_exports() -> dict:
    """format → renderer class of the API list's other file formats (OC4IDS, IATI): the admin
    offers them too, made by the same renderers from the changelist's queryset."""
    return {renderer.format: renderer for renderer in extra_list_renderers()}


# The changelist's edition filter's parameter (the year).
EDITION_PARAMETER = "edition"


def chosen_edition(request):
    """The edition the changelist's edition filter chose (`edition=YEAR`), if the user may see
    it; else the latest published one. The exports are that edition's list."""
    year = request.GET.get(EDITION_PARAMETER, "")
    if year.isdigit():
        found = visible_editions(request.user).filter(year=int(year)).first()
        if found is not None:
            return found
    return default_edition()


def _chosen_filters(changelist) -> list[tuple[str, str]]:
    """The changelist's chosen filter values and search, as its sidebar names them."""
    chosen = []
    for spec in changelist.filter_specs:
        everything, *choices = spec.choices(changelist)
        values = [str(choice["display"]) for choice in choices if choice["selected"]]
        if values and not everything["selected"]:
            chosen.append((str(spec.title), "・".join(values)))
    if changelist.query:
        chosen.append((gettext("Search"), changelist.query))
    return chosen


class ExportViews:
    """A ModelAdmin mixin: the export URL and view, and the changelist's export links."""

    def get_urls(self):
        return [
            path(
                "export/<str:export_format>/",
                self.admin_site.admin_view(self.export_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, export_format):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        extra = extra_exports()
        if export_format not in EXPORT_FORMATS and export_format not in extra:
            raise Http404
        edition = chosen_edition(request)
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request)
        if "edition_number" not in queryset.query.annotations:
            # The edition's list, in the changelist's order (listed() would order by its numbers).
            ordering = queryset.query.order_by
            queryset = listed(queryset, edition)
            if ordering:
                queryset = queryset.order_by(*ordering)
        if export_format in ("csv", "xlsx"):
            return list_file_response(queryset, export_format)
        if export_format in extra:
            return extra[export_format]().file_response(queryset, request=request)
        if export_format == "status-table-xlsx":
            writer = partial(write_status_table_xlsx, edition=edition)
            return xlsx_file_response(writer, queryset, "status_table")
        # The edition is in the table's title, not among the filters that chose its rows.
        edition_label = str(Edition._meta.verbose_name).casefold()
        chosen = [
            (label, values)
            for label, values in _chosen_filters(changelist)
            if label.casefold() != edition_label
        ]
        context = status_table_context(queryset, chosen, edition=edition)
        return TemplateResponse(request, "projects/status_table.html", context)

    def changelist_view(self, request, extra_context=None):
        # The export links carry the changelist's own query string (filters, search, order).
        query = request.GET.copy()
        for parameter in ("p", "_changelist_filters"):
            query.pop(parameter, None)
        extra_context = {
            **(extra_context or {}),
            "export_query": query.urlencode(),
            "extra_exports": [(renderer.format, renderer.label) for renderer in extra_exports().values()],
        }
        return super().changelist_view(request, extra_context)
