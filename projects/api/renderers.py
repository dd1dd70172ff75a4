"""Renderers that let DRF's content negotiation pick the export formats (?format=csv|xlsx|html).

The views stream the files themselves (exports.py); these only declare the formats so that
`?format=` selects them and the schema lists them.
"""

from rest_framework.renderers import BaseRenderer, TemplateHTMLRenderer

from projects.spreadsheets.export import XLSX_MEDIA_TYPE


class FileRenderer(BaseRenderer):
    """A file of every matching project: no pagination, only on the list.

    `answers_a_page` tells tracker.api's filter check that limit and offset do not apply.
    """

    answers_a_page = False


class CSVRenderer(FileRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class XLSXRenderer(FileRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


# The formats that are files (FileRenderer).
FILE_FORMATS = tuple(renderer.format for renderer in (CSVRenderer, XLSXRenderer))


class StatusTableHTMLRenderer(TemplateHTMLRenderer):
    format = "html"
    template_name = "projects/status_table.html"
