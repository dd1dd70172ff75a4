"""Request-level hardening: request ids, body limits, the CSP header, API lockout, 503 on a lost
database, and logging of refused requests. Wired up in settings.MIDDLEWARE."""

import io
import logging
import re
import uuid

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext

from tracker.log import client_ip, log_event, request_id_var, request_var
from tracker.paths import API_PREFIX, is_api

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Gives each request an id (the proxy's X-Request-ID when well-formed), for the logs and
    the X-Request-ID response header, so a user's error report can be found in the log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request.request_id)
        request_token = request_var.set(request)
        try:
            response = self.get_response(request)
        finally:
            request_var.reset(request_token)
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class APIBodyLimitMiddleware:
    """Answers an API request whose body is too large with 413 in JSON.

    A declared body (Content-Length) is refused before it is read. A chunked body (Transfer-
    Encoding: chunked, no Content-Length), which Django would read as empty, is read here up to
    the limit and handed on as if its length had been declared; past the limit it is a 413. A
    server that cannot tell where a chunked body ends (no `wsgi.input_terminated`, e.g.
    runserver) gets a 411 asking for a Content-Length. The spreadsheet upload (POST
    /api/imports/) has its own, larger limit, IMPORT_MAX_REQUEST_BYTES; the view never sees a
    larger one. Django's DATA_UPLOAD_MAX_MEMORY_SIZE still guards the rest of the site.
    """

    READ_SIZE = 64 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api(request):
            length = request.META.get("CONTENT_LENGTH") or ""
            limit = self._limit(request)
            if length.isdigit() and int(length) > limit:
                log_event("body_too_large", request=request, level=logging.WARNING, length=length)
                return self._too_large(limit)
            if not length and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
                refused = self._read_chunked(request, limit)
                if refused is not None:
                    return refused
        return self.get_response(request)

    def _read_chunked(self, request, limit):
        if not request.META.get("wsgi.input_terminated"):
            return JsonResponse(
                {"detail": gettext("Send the body with a Content-Length header."), "code": "length_required"},
                status=411,
            )
        stream, body = request.META["wsgi.input"], bytearray()
        while len(body) <= limit:
            piece = stream.read(self.READ_SIZE)
            if not piece:
                break
            body += piece
        if len(body) > limit:
            log_event("body_too_large", request=request, level=logging.WARNING, length="chunked")
            return self._too_large(limit)
        request.META["CONTENT_LENGTH"] = str(len(body))
        request._stream = io.BytesIO(bytes(body))
        return None

    @staticmethod
    def _too_large(limit):
        return JsonResponse(
            {
                "detail": gettext("The request body is larger than %(limit)s KB.") % {"limit": limit // 1024},
                "code": "too_large",
            },
            status=413,
        )

    @staticmethod
    def _limit(request) -> int:
        if request.path_info == f"{API_PREFIX}imports/":
            return settings.IMPORT_MAX_REQUEST_BYTES
        return settings.API_MAX_BODY_BYTES


class ContentSecurityPolicyMiddleware:
    """Sets Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) on every response.

    One fixed header needs no library.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class BrowserLoginRedirectMiddleware:
    """A browser that opens an API page without being logged in goes to the login page, and
    comes back to the page after login (`?next=`).

    A link to the status table, the API docs or the browsable API is opened in a browser,
    which asks for text/html; scripts (curl, requests: `*/*` or JSON) and requests that sent
    credentials keep the API's JSON 401.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 401
            and is_api(request)
            and request.method == "GET"
            and "HTTP_AUTHORIZATION" not in request.META
            and "text/html" in request.headers.get("Accept", "")
        ):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return response


def failure_key(kind: str, request) -> str:
    """The cache key counting `kind` refusals (api-auth, feed-key) from the request's address."""
    return f"{kind}-failures:{client_ip(request) or '-'}"


def locked_out(key: str) -> bool:
    """API_AUTH_FAILURE_LIMIT refusals counted under `key` within the window."""
    return (cache.get(key) or 0) >= settings.API_AUTH_FAILURE_LIMIT


def count_failure(key: str) -> None:
    """One more refusal under `key`, for API_AUTH_LOCKOUT_SECONDS from the first."""
    window = settings.API_AUTH_LOCKOUT_SECONDS
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)


class APIAuthLockoutMiddleware:
    """After API_AUTH_FAILURE_LIMIT refused credentials (401) from one address within
    API_AUTH_LOCKOUT_SECONDS, the API answers that address 429 until the window ends.

    A guessing script is stopped whatever key it tries; axes does the same for the admin login.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api(request):
            return self.get_response(request)
        key = failure_key("api-auth", request)
        if locked_out(key):
            log_event("api_locked_out", request=request, level=logging.WARNING)
            response = JsonResponse(
                {
                    "detail": gettext("Too many failed authentication attempts. Try again later."),
                    "code": "locked_out",
                },
                status=429,
            )
            response["Retry-After"] = str(settings.API_AUTH_LOCKOUT_SECONDS)
            return response
        response = self.get_response(request)
        if response.status_code == 401 and "HTTP_AUTHORIZATION" in request.META:
            count_failure(key)
            log_event("api_auth_failed", request=request, level=logging.WARNING, path=request.path)
        return response


class RefusalLogMiddleware:
    """Logs the refusals that matter for security and concurrency: 403, 412 and 428."""

    EVENTS = {403: "forbidden", 412: "precondition_failed", 428: "precondition_required"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        event = self.EVENTS.get(response.status_code)
        if event:
            log_event(event, request=request, level=logging.WARNING, method=request.method, path=request.path)
        return response


class DatabaseUnavailableMiddleware:
    """While the database is unreachable, answer 503 with Retry-After (JSON on the API), not a
    500 with a traceback.

    Any OperationalError or InterfaceError counts: they are the connection-level and transient
    errors (a lost server, a refused connection, SQLite's "database is locked"). Django drops the
    broken connection at the end of the request (CONN_HEALTH_CHECKS), so the next one reconnects.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log_event(
            "database_unavailable", request=request, level=logging.ERROR, error=type(exception).__name__
        )
        logging.getLogger("tracker.database").warning("Database error", exc_info=exception)
        message = gettext("The database is unavailable. Try again shortly.")
        if is_api(request):
            response = JsonResponse({"detail": message, "code": "service_unavailable"}, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
        return response
