"""Language selection: Japanese unless the user chose English."""

from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils.translation import get_language

from tracker.paths import is_api


def is_english(language: str | None = None) -> bool:
    """Whether `language` (None: the active language) is English; anything else is Japanese."""
    if language is None:
        language = get_language()
    return (language or "ja").lower().startswith("en")


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
