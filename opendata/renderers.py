"""The project list's open-data formats, ?format=oc4ids and ?format=iati.

They are FileRenderers (projects.api.renderers): the list hands them its filtered, ordered
queryset and they make the whole streamed download. settings.PROJECT_LIST_EXTRA_RENDERERS
names them, so the projects app offers them without importing this app; the admin's export
links use the same renderers (projects.admin.export_views).
"""

from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from opendata import iati, oc4ids
from opendata.source import check_exportable
from projects.api.renderers import FileRenderer
from projects.spreadsheets.export import export_filename


def _download(chunks, media_type: str, stem: str, extension: str) -> StreamingHttpResponse:
    """A streamed UTF-8 attachment named like the list's other files (export_filename)."""
    response = StreamingHttpResponse(chunks, content_type=f"{media_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(stem, extension)}"'
    return response


class OC4IDSRenderer(FileRenderer):
    media_type = oc4ids.MEDIA_TYPE
    format = "oc4ids"
    charset = "utf-8"
    label = _("OC4IDS (JSON)")
    description = "an OC4IDS 0.9.5 project package (JSON)"

    def file_response(self, queryset, request=None):
        check_exportable(queryset)
        uri = request.build_absolute_uri() if request is not None else "urn:mlit-tracker:projects"
        return _download(oc4ids.package_stream(queryset, uri), self.media_type, "projects_oc4ids", "json")


class IATIRenderer(FileRenderer):
    media_type = iati.MEDIA_TYPE
    format = "iati"
    charset = "utf-8"
    label = _("IATI (XML)")
    description = "an IATI 2.03 iati-activities document (XML)"

    def file_response(self, queryset, request=None):
        check_exportable(queryset)
        return _download(iati.activities_stream(queryset), self.media_type, "projects_iati", "xml")
