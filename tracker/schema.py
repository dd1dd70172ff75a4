"""OpenAPI additions: the error body and the error responses every endpoint can give, and the
304 of every operation that reads If-None-Match."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in the request's language."))
    code = serializers.CharField(help_text=_("A stable code: invalid, invalid_query, not_found, ..."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("For 400: the messages by field or query parameter."),
    )
    etag = serializers.CharField(required=False, help_text=_("For 412: the project's current ETag."))


ERROR_RESPONSES = {
    "400": _("Invalid input or query parameter: `errors` names each one."),
    "401": _("No credentials, or bad ones."),
    "403": _("Your role (or a read-only token) does not allow this."),
    "404": _("No such object."),
    "406": _("No format the Accept header allows."),
    "411": _("A chunked body the server cannot read: send a Content-Length."),
    "413": _("The request body is too large."),
    "415": _("A body in a format other than JSON, form data or multipart."),
    "429": _("Too many requests, or too many failed authentications: retry after Retry-After seconds."),
    "503": _("The database is unavailable: retry after Retry-After seconds."),
}

# The errors every operation can give; those with a request body add BODY_ERRORS, those with
# an object in their path 404.
COMMON_ERRORS = ["400", "401", "403", "406", "429", "503"]
BODY_ERRORS = ["411", "413", "415"]


class AutoSchema(BaseAutoSchema):
    """drf-spectacular's schema, plus the error responses every endpoint can give."""

    def _get_format_parameters(self):
        parameters = super()._get_format_parameters()
        for parameter in parameters:
            parameter["description"] = str(
                _(
                    "The response format. csv and xlsx are files of every matching project "
                    "(no pagination), with the same filters and order; oc4ids is the same "
                    "projects as an OC4IDS 0.9.5 project package (JSON) and iati as an IATI 2.03 "
                    "iati-activities document (XML); html is a printable page."
                )
            )
        return parameters

    def _get_filter_parameters(self):
        # The filter presets (tracker.api.FilterBackend, settings.FILTER_PRESETS): `saved` on
        # the project list, documented by the preset itself.
        from tracker.api import filter_presets

        parameters = super()._get_filter_parameters()
        if not self._is_list_view() or not parameters:
            return parameters
        filterset_class = getattr(self.view, "filterset_class", None)
        return parameters + [
            preset.schema_parameter(name) for name, preset in filter_presets(filterset_class).items()
        ]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = list(COMMON_ERRORS)
        if "{" in self.path:
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.extend(BODY_ERRORS)
        conditional = any(
            getattr(parameter, "name", None) == "If-None-Match"
            for parameter in self.get_override_parameters()
        )
        if conditional and "304" not in responses:
            responses["304"] = self._get_response_for_code(
                OpenApiResponse(description=str(_("Not modified: the ETag in If-None-Match is current."))),
                "304",
            )
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_RESPONSES[code]), code
                )
        return dict(sorted(responses.items()))
