"""The project list's filters in their two spellings, and the one table between them.

The API, the front page, saved filters and links name filters by code
(`?region=south-asia&sector=rail&status=planning`); the admin's list names them as its sidebar
filters do, by row id (`?country__region__id__exact=3&sectors__id__exact=1`). `admin_query`
turns the first into the second (a figure on the front page links to the admin's list filtered
the same way); `filter_params` turns the admin list's query back into codes (a filter saved from
the admin). Filters the admin's sidebar does not have (`listing_group`, `updated_after`, ...)
are left out of an admin link; the admin's own paging and sorting are left out of the codes.
"""

from django.http import QueryDict

from countries.models import Country, Region
from projects.models import Scheme, SchemeFamily, Sector

# API filter -> (admin parameter, model, code field). Several values: any of them, both sides.
RELATED = {
    "country": ("country__id__exact", Country, "iso_code"),
    "region": ("country__region__id__exact", Region, "code"),
    "sector": ("sectors__id__exact", Sector, "code"),
}
STATUS = ("status", "status__exact")
# Yes/no filters, spelled alike on both sides: the API's true/false (or 1/0), the admin's yes/no.
BOOLEANS = ("won", "is_new")
YES_NO = {"true": "yes", "1": "yes", "false": "no", "0": "no"}
SAME = ("edition", "q")  # spelled alike on both sides
SCHEME_FAMILY = "scheme_family"
SCHEME_ID = "schemes__id__exact"


def _values(params, key) -> list[str]:
    """Repeated (`?a=1&a=2`) or comma-separated (`?a=1,2`) values, as the API reads them."""
    getlist = params.getlist if hasattr(params, "getlist") else lambda k: [params[k]] if k in params else []
    return [part.strip() for value in getlist(key) for part in str(value).split(",") if part.strip()]


def _ids(model, field, codes) -> list[str]:
    by_code = {str(code).casefold(): pk for pk, code in model.objects.values_list("pk", field)}
    return [str(by_code[code.casefold()]) for code in codes if code.casefold() in by_code]


def _codes(model, field, ids) -> list[str]:
    wanted = [int(pk) for pk in ids if pk.isdigit()]
    by_id = dict(model.objects.filter(pk__in=wanted).values_list("pk", field))
    return [by_id[pk] for pk in wanted if pk in by_id]


def admin_query(params) -> QueryDict:
    """The admin list's query for the API-style filters `params` (a QueryDict or a dict)."""
    query = QueryDict(mutable=True)
    for key, (admin_key, model, field) in RELATED.items():
        if codes := _values(params, key):
            query.setlist(admin_key, _ids(model, field, codes))
    if schemes := _values(params, "scheme"):
        families = [value.upper() for value in schemes if value.upper() in SchemeFamily.values]
        codes = [value for value in schemes if value.upper() not in SchemeFamily.values]
        if families:
            query.setlist(SCHEME_FAMILY, families)
        if codes:
            query.setlist(SCHEME_ID, _ids(Scheme, "code", codes))
    if statuses := _values(params, STATUS[0]):
        query.setlist(STATUS[1], [status.lower() for status in statuses])
    for key in BOOLEANS:
        value = params.get(key)
        if value is not None and str(value).lower() in YES_NO:
            query[key] = YES_NO[str(value).lower()]
    for key in SAME:
        if params.get(key):
            query[key] = params.get(key)
    return query


def filter_params(admin_params) -> QueryDict:
    """The API-style filters for the admin list's query `admin_params` (request.GET)."""
    query = QueryDict(mutable=True)
    for key, (admin_key, model, field) in RELATED.items():
        if ids := admin_params.getlist(admin_key):
            if codes := _codes(model, field, ids):
                query[key] = ",".join(codes)
    schemes = [value for value in admin_params.getlist(SCHEME_FAMILY) if value in SchemeFamily.values]
    schemes += _codes(Scheme, "code", admin_params.getlist(SCHEME_ID))
    if schemes:
        query["scheme"] = ",".join(schemes)
    if statuses := admin_params.getlist(STATUS[1]):
        query[STATUS[0]] = ",".join(statuses)
    for key in BOOLEANS:
        value = {"yes": "true", "no": "false"}.get(admin_params.get(key))
        if value:
            query[key] = value
    for key in SAME:
        if admin_params.get(key):
            query[key] = admin_params.get(key)
    return query
