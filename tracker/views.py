"""Error pages: JSON in the API's error format under /api/, Django's own pages elsewhere."""

from django.http import JsonResponse
from django.utils.translation import gettext
from django.views import defaults


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Not found."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("A server error occurred."), "code": "error"}, status=500)
    return defaults.server_error(request)
