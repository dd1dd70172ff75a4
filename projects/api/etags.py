"""A project's ETag and the conditional-request headers (If-Match, If-None-Match), with their
OpenAPI descriptions for the views' schemas."""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status

from tracker.schema import ErrorSerializer

# What Project.etag writes, read back from an If-Match header.
_ETAG = re.compile(r'^"p(?P<pk>\d+)-v(?P<version>\d+)"$')


def project_etag(project) -> str:
    return project.etag


def _etag_list(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def expected_version(request, project, *, required: bool) -> int | None:
    """The version the If-Match header says the client edited, for services' expected_version.

    No header: 428 when `required`, else None (no check). A header that names no version of
    this project gives -1, which never matches, so the service refuses it with StaleVersion
    under its row lock, exactly like a stale one.
    """
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        if required:
            raise PreconditionRequired()
        return None
    for tag in _etag_list(header):
        match = _ETAG.match(tag)
        if match and int(match["pk"]) == project.pk:
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
