"""Error pages: JSON in the API's error format under /api/, Django's own pages elsewhere; and the
site's icon."""

from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils.translation import gettext
from django.views import defaults

from tracker.paths import is_api


def bad_request(request, exception):
    # Django's own refusals before a view answers: a bad Host, an oversized form, a bad cookie.
    if is_api(request):
        return JsonResponse({"detail": gettext("Bad request."), "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api(request):
        return JsonResponse(
            {
                "detail": gettext("You do not have permission to perform this action."),
                "code": "permission_denied",
            },
            status=403,
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if is_api(request):
        return JsonResponse({"detail": gettext("Not found."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api(request):
        return JsonResponse({"detail": gettext("A server error occurred."), "code": "error"}, status=500)
    return defaults.server_error(request)


def favicon(request):
    """Browsers ask for /favicon.ico whatever a page names: the site's icon, a static file (its
    hashed name is looked up per request, so a missing manifest cannot break the URLconf)."""
    return HttpResponsePermanentRedirect(static("portal/favicon.svg"))
