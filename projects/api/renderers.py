"""Renderers that let DRF's content negotiation pick the export formats (?format=csv|xlsx|html).

A file renderer makes the whole download (file_response): the files stream from the database
(spreadsheets/export.py), so they are not a rendered body; the views hand it the filtered
queryset instead of data. The status table's HTML page is a template the renderer renders.
"""

from functools import partial

from django.conf import settings
from django.utils.module_loading import import_string
from rest_framework.renderers import BaseRenderer, TemplateHTMLRenderer

from projects.spreadsheets.export import XLSX_MEDIA_TYPE, list_file_response, xlsx_file_response
from projects.spreadsheets.status_table import write_status_table_xlsx


class FileRenderer(BaseRenderer):
    """A file of every matching project: no pagination, only on the list (and status table).

    `answers_a_page` tells tracker.api's filter check that limit and offset do not apply.
    """

    answers_a_page = False

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data

    def file_response(self, queryset, request=None):
        """The download of `queryset` (filtered and ordered) in this format (`request`: the one
        asking, for formats that name their own URL)."""
        return list_file_response(queryset, self.format)


class CSVRenderer(FileRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


class XLSXRenderer(FileRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"


class StatusTableXLSXRenderer(XLSXRenderer):
    """The status table as a workbook."""

    def file_response(self, queryset, as_of=None, edition=None):
        writer = partial(write_status_table_xlsx, as_of=as_of, edition=edition)
        return xlsx_file_response(writer, queryset, "status_table")


def extra_list_renderers() -> list[type[FileRenderer]]:
    """The list's file formats other apps add (settings.PROJECT_LIST_EXTRA_RENDERERS, dotted
    paths): the open-data formats. Named in settings, so this app does not import the apps that
    build on it."""
    return [import_string(path) for path in getattr(settings, "PROJECT_LIST_EXTRA_RENDERERS", [])]


class StatusTableHTMLRenderer(TemplateHTMLRenderer):
    format = "html"
    template_name = "projects/status_table.html"
