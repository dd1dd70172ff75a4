"""REST API plumbing shared by every endpoint: permissions, pagination, query-parameter
checking and error bodies (ETags: projects/api/etags.py). Configured in settings.REST_FRAMEWORK.

The apps import it, not the reverse: of the apps it asks only tokens.permissions (the read-only
token check), and an app's own errors reach it as tracker.errors.ApplicationError.

It must not import rest_framework.views (or anything importing it) at module level: DRF's
APIView reads the settings that name this module when it is defined.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext
from django_filters import utils as filter_utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, permissions, status
from rest_framework.fields import get_error_detail
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from tokens.permissions import READ_ONLY_MESSAGE, refuses_write
from tracker.errors import ApplicationError

# Where tracker/urls.py mounts the API. Under it, refusals are JSON (tracker.views, the
# middleware), the language follows Accept-Language (tracker.locale), and a browser without a
# session is sent to the login page.
# A reference code in a URL (/api/sectors/rail/): what SlugField stores. Anything else (a NUL
# byte, which PostgreSQL cannot even compare) is a 404 from the router, not a query.
CODE_IN_PATH = r"[-a-zA-Z0-9_]+"


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions, with reading needing `view_<model>` too.

    Anonymous requests get 401, authenticated ones without the permission 403, a method the
    endpoint does not have 405, and a read-only API token is refused every write.
    """

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if not hasattr(view, request.method.lower()):
            return True  # the view answers 405
        if refuses_write(request):
            self.message = READ_ONLY_MESSAGE
            return False
        return super().has_permission(request, view)

    def _queryset(self, view):
        # Only its model is used: a view's get_queryset() may build an annotated, prefetching
        # queryset (the project detail's is costly to build) just to be asked for its model.
        queryset = getattr(view, "queryset", None)
        return queryset if queryset is not None else super()._queryset(view)


class Pagination(LimitOffsetPagination):
    """limit/offset pagination whose bad values are a 400, not silently replaced."""

    default_limit = 50
    max_limit = 1000

    def _parse(self, request, name, default, minimum, maximum=None):
        raw = request.query_params.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or value < minimum or (maximum is not None and value > maximum):
            if maximum is None:
                message = gettext("Give a whole number from %(min)s up.") % {"min": minimum}
            else:
                message = gettext("Give a whole number from %(min)s to %(max)s.") % {
                    "min": minimum,
                    "max": maximum,
                }
            raise InvalidQuery({name: [message]})
        return value

    def get_limit(self, request):
        return self._parse(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request):
        return self._parse(request, self.offset_query_param, 0, 0)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_limit, default=self.default_limit)
            else:
                parameter["schema"].update(minimum=0, default=0)
        return parameters


class InvalidQuery(exceptions.ValidationError):
    """A query parameter is unknown or has a bad value."""

    default_code = "invalid_query"


# Parameters every endpoint accepts besides its filters: DRF's format override, and the
# pagination parameters where the answer is a page (not on one object, a file or the status
# table, which have every matching row: there they are refused, not ignored).
COMMON_PARAMETERS = {"format"}
PAGE_PARAMETERS = {"limit", "offset"}


def _answers_a_page(request, view) -> bool:
    if getattr(view, "detail", False) or getattr(view, "pagination_class", None) is None:
        return False
    # A file of every matching row says so (projects.api.renderers.FileRenderer).
    return getattr(getattr(request, "accepted_renderer", None), "answers_a_page", True)


class ContentNegotiation(DefaultContentNegotiation):
    """An unknown `format` is a 400 naming the formats there are, not DRF's bare 404.

    OPTIONS answers its metadata in JSON on every endpoint, including the HTML-only pages
    (the status table, the docs), whose template renderers cannot render it.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        if request.method == "OPTIONS":
            from rest_framework.renderers import JSONRenderer

            return JSONRenderer(), JSONRenderer.media_type
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except InvalidQuery as error:
            # The other parameters are refused in the same answer (FilterBackend's rule).
            raise InvalidQuery({**error.detail, **_parameter_errors(request)}) from None

    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            known = ", ".join(sorted({renderer.format for renderer in renderers}))
            raise InvalidQuery(
                {"format": [gettext("Unknown format. Known formats: %(known)s.") % {"known": known}]}
            )
        return matching


def _parameter_errors(request) -> dict:
    """The refused query parameters of `request` by its view's FilterBackend ({} without one)."""
    view = (getattr(request, "parser_context", None) or {}).get("view")
    for backend in getattr(view, "filter_backends", ()):
        if issubclass(backend, FilterBackend):
            return backend().parameter_errors(request, view.get_queryset(), view)[0]
    return {}


class FilterBackend(DjangoFilterBackend):
    """django-filter, refusing unknown query parameters with a 400 that names them.

    A request for one object takes no filters: its parameters are checked, never applied.
    A request with no filter parameter builds no filterset (its form is costly to build).
    A preset parameter (settings.FILTER_PRESETS, e.g. `saved`) stands for the filters it holds.
    """

    def filter_queryset(self, request, queryset, view):
        errors, names = self.parameter_errors(request, queryset, view)
        if errors:
            raise InvalidQuery(errors)
        if not names.intersection(request.query_params):
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if not filterset.is_valid():
            raise InvalidQuery(filter_utils.translate_validation(filterset.errors).detail)
        return filterset.qs

    def parameter_errors(self, request, queryset, view) -> tuple[dict, set]:
        """The refused query parameters (unknown, a page's where there is none, a null
        character), by name, and the names of the filters (presets included) the view takes."""
        detail = getattr(view, "detail", False)
        filterset_class = None if detail else self.get_filterset_class(view, queryset)
        names = set(filterset_class.base_filters) if filterset_class is not None else set()
        presets = filter_presets(filterset_class)
        names |= set(presets)
        paged = _answers_a_page(request, view)
        allowed = COMMON_PARAMETERS | names | (PAGE_PARAMETERS if paged else set())
        given = set(request.query_params)
        errors = {}
        if not paged and not detail:
            message = gettext("This answer has every matching row, not a page: leave out limit and offset.")
            errors.update({name: [message] for name in sorted(given & PAGE_PARAMETERS)})
        message = gettext("Unknown parameter. Known parameters: %(known)s.") % {
            "known": ", ".join(sorted(allowed))
        }
        errors.update({name: [message] for name in sorted(given - allowed) if name not in errors})
        nul = gettext("Null characters are not allowed.")
        errors.update(
            {
                name: [nul]
                for name in sorted(given & allowed)
                if any("\x00" in value for value in request.query_params.getlist(name))
            }
        )
        return errors, names

    def get_filterset_kwargs(self, request, queryset, view):
        # A preset (`?saved=12`) is replaced by the filters it stands for.
        presets = filter_presets(self.get_filterset_class(view, queryset))
        return {
            **super().get_filterset_kwargs(request, queryset, view),
            "data": _with_presets(request, presets),
        }

    def to_html(self, request, queryset, view):
        # No filter form in the browsable API: an HTML form sends every field, the empty ones
        # too, and an empty filter value is a 400 (projects.filtersets.FilterForm).
        return None


# Filter presets: a query parameter that stands for a set of filters (`?saved=12`, a user's saved
# filter). settings.FILTER_PRESETS names them by filter set, {"app.filtersets.FilterSet":
# {"saved": "app.module.preset"}}: the apps that own them depend on the filter set, never the
# reverse. A preset has `resolve(request, value) -> QueryDict` (raising a Django ValidationError,
# a 400 on its parameter) and `schema_parameter()`, its OpenAPI parameter.


def filter_presets(filterset_class) -> dict:
    """The presets a filter set accepts, by query parameter."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    if filterset_class is None:
        return {}
    path = f"{filterset_class.__module__}.{filterset_class.__qualname__}"
    configured = getattr(settings, "FILTER_PRESETS", {}).get(path, {})
    return {name: import_string(preset) for name, preset in configured.items()}


def _with_presets(request, presets):
    """The request's filters, each preset given replaced by the filters it stands for; a filter
    also given explicitly replaces the preset's value of it."""
    given = [name for name in presets if name in request.query_params]
    if not given:
        return request.query_params
    data = request.query_params.copy()
    errors = {}
    for name in given:
        try:
            resolved = presets[name].resolve(request, request.query_params.get(name))
        except DjangoValidationError as exc:
            errors[name] = get_error_detail(exc)
            continue
        del data[name]
        for key in resolved:
            if key not in request.query_params:
                data.setlist(key, resolved.getlist(key))
    if errors:
        raise InvalidQuery(errors)
    return data


# Errors. Every error body is {"detail": text, "code": code}; a 400 adds "errors", the
# messages by field or query parameter, and its detail names them.


def exception_handler(exc, context):
    # Imported here: rest_framework.views reads the settings that name this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, ApplicationError):
        return Response(exc.body(), status=exc.status, headers=exc.headers())
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_error_detail(exc))
    if isinstance(exc, Http404):
        # get_object_or_404's message is English ("No Project matches the given query.").
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        if isinstance(exc, InvalidQuery):
            template = gettext("Invalid query parameter: %(names)s.")
        else:
            template = gettext("Invalid input: %(names)s.")
        response.data = {
            "detail": template % {"names": ", ".join(errors)},
            "code": exc.default_code,
            "errors": errors,
        }
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {"detail": detail, "code": getattr(detail, "code", None) or "error"}
        if response.status_code == status.HTTP_400_BAD_REQUEST:
            # A body that is not JSON (ParseError): a 400 like any other, with `errors`.
            response.data["errors"] = {"non_field_errors": [detail]}
    return response


def _django_error_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): get_error_detail(
                DjangoValidationError(errors)
            )
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": get_error_detail(exc)}


def view_name(view) -> str:
    """The browsable API's page titles in the reader's language (settings VIEW_NAME_FUNCTION):
    a list is named by its model's plural, an object by its model, an extra action by its
    name ("Status table"); DRF's default spells the class name in English ("Project List")."""
    from rest_framework.views import get_view_name

    name = getattr(view, "name", None)
    if name is not None:
        return gettext(name)
    queryset = getattr(view, "queryset", None)
    if queryset is None:
        return gettext(get_view_name(view))  # the API root: "Api Root"
    meta = queryset.model._meta
    return capfirst(
        meta.verbose_name if getattr(view, "suffix", None) == "Instance" else meta.verbose_name_plural
    )
