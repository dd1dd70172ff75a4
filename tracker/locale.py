"""Language selection: Japanese unless the user chose English."""

from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

from tracker.api import is_api


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, but pages follow the language switch, not the browser.

    The admin is Japanese by default whatever language the browser asks for; the switch in
    its header (a cookie) selects English. API clients have no switch, so the API honours
    Accept-Language as well.
    """

    def process_request(self, request):
        if not is_api(request):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
