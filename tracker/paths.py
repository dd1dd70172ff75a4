"""Where the site's parts are mounted (the API under /api/), and where a page's form goes back
to. Imports no app, so the middleware, the error views, the language selection, the URLs and
the pages can all use it."""

API_PREFIX = "/api/"


def is_api(request) -> bool:
    """The request is for the API (its path within the site: path_info, as URLs resolve it)."""
    return request.path_info.startswith(API_PREFIX)


def posted_next(request, fallback: str) -> str:
    """Where a page's POST form goes back to: its `next` field when it is a URL of this site
    (never another site's: an open redirect), else `fallback`."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
