"""Renderers that let DRF's content negotiation pick the export formats (?format=csv|xlsx|html).

The views stream the files themselves (exports.py); these only declare the formats so that
`?format=` selects them and the schema lists them.
"""

from rest_framework.renderers import BaseRenderer, TemplateHTMLRenderer

from projects.spreadsheets.export import XLSX_MEDIA_TYPE

# The formats that are files of every matching project: no pagination, only on the list.
FILE_FORMATS = ("csv", "xlsx")


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class XLSXRenderer(BaseRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class StatusTableHTMLRenderer(TemplateHTMLRenderer):
    format = "html"
    template_name = "projects/status_table.html"
