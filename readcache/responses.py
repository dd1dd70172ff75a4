"""Conditional and cached reads of the views whose answers depend only on the data and on who
asks: the project list, the status table, the summary.

Each answer is named by a key: the request (scheme, host, path, query parameters in a normal
order, the format chosen, the language) and what of the viewer changes it (the view says what).
Its ETag is the data version and that key, so a write changes every ETag at once. A request
whose If-None-Match names the ETag is a 304 after the view's authentication and permission
checks and one small read (the version). With settings.READ_CACHE, answers the view marks as
cacheable are kept in Django's cache (the shared one, CACHE_URL) under the ETag: a repeated read
is answered from it, and no write can leave one stale, as the version is in the key.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status

from readcache import version

CACHE_PREFIX = "readcache:"
# Headers a cached answer keeps; the middleware adds the others (Vary, Content-Language, ...).
KEPT_HEADERS = ("Content-Type", "Content-Disposition")


# The ETag these answers carry, for the OpenAPI schema (with projects.api.etags.IF_NONE_MATCH).
DATA_ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description=(
        'This answer\'s version, e.g. "d42-3f9a0c…": the data version and the request. Send it back '
        "in If-None-Match: the answer is 304 with no body until a write changes the data."
    ),
)


def request_key(request, viewer: str = "") -> str:
    """A digest of everything of `request` the answer depends on (see the module's docstring)."""
    params = sorted(request.query_params.lists(), key=lambda item: item[0])
    renderer = getattr(request, "accepted_renderer", None)
    parts = [
        request.scheme,
        request.get_host(),
        request.path,
        repr(params),
        getattr(renderer, "format", ""),
        getattr(request, "accepted_media_type", ""),
        translation.get_language() or "",
        viewer,
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def data_etag(data_version: int, key: str) -> str:
    return f'"d{data_version}-{key}"'


def matches(header: str | None, etag: str) -> bool:
    """If-None-Match `header` names `etag` (a weak form too) or is "*"."""
    if not header:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags


class ConditionalReadMixin:
    """For DRF views: call `conditional_read()` first in the handler and return its answer if
    it gives one; finalize_response adds the ETag to the 200 and keeps it if it may be cached."""

    _read_etag = None
    _read_cached = False

    def read_viewer(self, request) -> str:
        """What of the requesting user the answer depends on; nothing by default."""
        return ""

    def conditional_read(self, request, *, cacheable: bool):
        """A 304 or the cached answer for `request`, or None: the view builds the answer."""
        self._read_etag = data_etag(version.current(), request_key(request, self.read_viewer(request)))
        self._read_cached = cacheable and settings.READ_CACHE
        if matches(request.headers.get("If-None-Match"), self._read_etag):
            # Django's, not DRF's: no renderer (the status table's template) makes a body for it.
            return HttpResponseNotModified(headers={"ETag": self._read_etag})
        if self._read_cached:
            kept = cache.get(CACHE_PREFIX + self._read_etag)
            if kept is not None:
                self._read_cached = False  # nothing to store again
                content, headers = kept
                response = HttpResponse(content, headers=headers)
                response["ETag"] = self._read_etag
                return response
        return None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._read_etag is None or response.status_code != status.HTTP_200_OK:
            return response
        response["ETag"] = self._read_etag
        if self._read_cached and not response.streaming:
            response.render()
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            cache.set(
                CACHE_PREFIX + self._read_etag, (response.content, headers), settings.READ_CACHE_SECONDS
            )
        return response
