"""Where the site's parts are mounted: the API under /api/. Imports nothing, so the middleware,
the error views, the language selection and the URLs can all use it."""

API_PREFIX = "/api/"


def is_api(request) -> bool:
    """The request is for the API (its path within the site: path_info, as URLs resolve it)."""
    return request.path_info.startswith(API_PREFIX)
