"""The API's ETags and the conditional-request headers (If-Match, If-None-Match), with their
OpenAPI descriptions for the projects views' schemas. An ETag names an object and its version:
`"p12-v7"` a project (Project.etag), `"e2024-v3"` an edition (plans.Edition.etag)."""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status

from tracker.schema import ErrorSerializer

# What Project.etag and Edition.etag write, read back from an If-Match header.
_ETAG = re.compile(r'^(?P<name>"[a-z]\d+)-v(?P<version>\d+)"$')


def project_etag(project) -> str:
    return project.etag


def _etag_list(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def expected_version(request, obj, *, required: bool, precondition=None) -> int | None:
    """The version of `obj` (a project or an edition: anything with an `etag`) the If-Match
    header says the client edited, for the services' expected_version.

    No header: `precondition` (a 428, PreconditionRequired by default) when `required`, else
    None (no check). A header that names no version of this object gives -1, which never
    matches, so the service refuses it as stale under its lock, exactly like a stale one.
    """
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        if required:
            raise (precondition or PreconditionRequired)()
        return None
    name = obj.etag.rpartition("-v")[0]
    for tag in _etag_list(header):
        match = _ETAG.match(tag)
        if match and match["name"] == name:
            return int(match["version"])
    return -1


def not_modified(request, project) -> bool:
    """If-None-Match names the current version (or is "*"): the client's copy is current."""
    header = request.headers.get("If-None-Match")
    if header is None:
        return False
    tags = [tag.removeprefix("W/") for tag in _etag_list(header)]
    return "*" in tags or project_etag(project) in tags


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _(
        "This request needs an If-Match header with the project's ETag: "
        "GET the project, then send its ETag back."
    )
    default_code = "precondition_required"


# OpenAPI descriptions of the concurrency headers.
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 304, 412],
    description='The project\'s version, e.g. "p12-v7". Send it back in If-Match to change the project.',
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "The ETag of the version you edited. Missing: 428. Not the current version (someone changed "
        "the project since): 412, with the current ETag."
    ),
)
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Optional: the project's ETag; if it is no longer current the request fails with 412.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="An ETag you hold: if it is still current the answer is 304 with no body.",
)
PRECONDITION_FAILED = OpenApiResponse(
    ErrorSerializer,
    description="If-Match is not the current version: reload and retry. Carries the current ETag.",
)
PRECONDITION_REQUIRED = OpenApiResponse(ErrorSerializer, description="If-Match is missing.")
