"""The front page (/): the portfolio in numbers, narrowed by the project list's filters.

The filters are the API's (`?region=south-asia&status=planning`, portal.summary), sent by a GET
form; a bad value is a form error on the page with status 400. Every figure and bar links to the
admin's project list filtered the same way, plus its value (projects.admin.list_links), always
for the edition the figures are of (the admin's list is every project otherwise).

"Since my last visit": the page remembers when the reader last saw it (portal.models.Visit);
developments and status changes recorded after that are marked new.
"""

from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from countries.models import localized_name
from plans.selection import as_listed, visible_editions
from portal.charts import bar_chart
from portal.headline import headline
from portal.maps import country_map
from portal.models import Visit
from portal.summary import DIMENSIONS, PARAMETER, filterset, summarize
from projects.admin.list_links import RELATED, SCHEME_FAMILY, STATUS, admin_query
from projects.audit import editor_label
from projects.dates import format_partial_date
from projects.filters import reference_choices
from projects.models import Development, Project, SchemeFamily, Status, StatusChange
from savedfilters.context import default_params, for_request

# The filters the page's form has. Others of the API's (as_of, updated_after, ...) are refused:
# the admin's list, where the figures link, does not have them.
FORM_PARAMETERS = (
    "q",
    "region",
    "country",
    "sector",
    "scheme",
    "status",
    "won",
    "is_new",
    "edition",
    "ordering",
)
RECENT = 10


def _params(get) -> QueryDict:
    """The query without its empty fields: a GET form sends every field, and the list's
    filters refuse an empty value."""
    params = QueryDict(mutable=True)
    for key in get:
        values = [value for value in get.getlist(key) if value.strip()]
        if values:
            params.setlist(key, values)
    return params


def _errors(params, filters) -> dict[str, list[str]]:
    known = ", ".join(FORM_PARAMETERS)
    errors = {
        key: [_("Unknown parameter. Known parameters: %(known)s.") % {"known": known}]
        for key in params
        if key not in FORM_PARAMETERS
    }
    if not errors and params and not filters.is_valid():
        errors = {key: [str(message) for message in messages] for key, messages in filters.errors.items()}
    return errors


def _admin_list(params, edition, **added) -> str:
    query = params.copy()
    for key, value in added.items():
        query[key] = value
    if edition is not None:
        query["edition"] = str(edition.year)
    return reverse("admin:projects_project_changelist") + "?" + admin_query(query).urlencode()


def _dimension_links(params, edition, key, codes) -> dict[str, str]:
    """The admin list's links for each of `codes` added as filter `key`, in a fixed number of
    queries: admin_query() looks codes up in their table on each call, so it is called once
    with every code, and each link takes its one row id from that answer.

    When the page is already filtered by `key` (`sector=rail`), a bar of another value counts
    the projects with both (rail and road); the admin's list takes several values as "any of",
    so no link can list those: such a bar gets none ("") rather than a list of another size."""
    if not codes:
        return {}
    chosen = {value.casefold() for value in params.getlist(key) for value in value.split(",") if value}
    if chosen:
        kept = [code for code in codes if code.casefold() in chosen]
        links = _dimension_links(params, edition, key, kept) if len(kept) < len(codes) else None
        if links is not None:
            return {code: links.get(code, "") for code in codes}
    query = params.copy()
    query[key] = ",".join(codes)
    if edition is not None:
        query["edition"] = str(edition.year)
    admin = admin_query(query)
    admin_key = RELATED[key][0] if key in RELATED else SCHEME_FAMILY if key == "scheme" else STATUS[1]
    values = admin.getlist(admin_key)
    if len(values) != len(codes):  # a code the table no longer has: one link at a time
        return {code: _admin_list(params, edition, **{key: code}) for code in codes}
    changelist = reverse("admin:projects_project_changelist")
    links = {}
    for code, value in zip(codes, values, strict=True):
        one = admin.copy()
        one.setlist(admin_key, [value])
        links[code] = changelist + "?" + one.urlencode()
    return links


def _choices(user):
    """The form's options: reference data in the reader's language."""
    reference = reference_choices()
    return {
        "regions": reference["region"],
        "countries": reference["country"],
        "sectors": reference["sector"],
        "families": SchemeFamily.choices,
        "statuses": Status.choices,
        "editions": [edition.year for edition in visible_editions(user).order_by("-year")],
    }


def _visit(user):
    """The reader's previous visit (None: the first), and now remembered as the latest."""
    now = timezone.now()
    visit = Visit.objects.filter(user=user).first()
    if visit is None:
        Visit.objects.create(user=user, seen_at=now)
        return None
    previous = visit.seen_at
    Visit.objects.filter(pk=visit.pk).update(seen_at=now)
    return previous


def _recent(ids, since):
    developments = (
        Development.objects.filter(project__in=ids)
        .select_related("project__country")
        .order_by("-recorded_at", "-id")[:RECENT]
    )
    changes = (
        StatusChange.objects.filter(project__in=ids)
        .select_related("project__country", "recorded_by")
        .order_by("-recorded_at", "-id")[:RECENT]
    )
    recent_developments = [
        {
            "object": development,
            "date": format_partial_date(development.date, development.date_precision, development.date_end),
            "project": development.project,
            "country": localized_name(development.project.country),
            "href": development.project.get_absolute_url(),
            "new": since is not None and development.recorded_at > since,
        }
        for development in developments
    ]
    recent_changes = [
        {
            "object": change,
            "project": change.project,
            "country": localized_name(change.project.country),
            "href": change.project.get_absolute_url(),
            # A row without a user was loaded with the plan's text: its recording date is the
            # day of the load, which says nothing; the date shown is then when it took effect.
            "who": editor_label(change.recorded_by) if change.recorded_by else "",
            "effective": format_partial_date(change.effective_on, change.effective_precision),
            "new": since is not None and change.recorded_at > since,
        }
        for change in changes
    ]
    return recent_developments, recent_changes


# The list's files for the same filters: the API's list answers every filter the form has.
DOWNLOADS = (("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("oc4ids", "OC4IDS (JSON)"), ("iati", "IATI (XML)"))


def _downloads(params) -> list[tuple[str, str]]:
    projects = reverse("project-list")
    links = []
    for format_, label in DOWNLOADS:
        query = params.copy()
        query["format"] = format_
        links.append((label, f"{projects}?{query.urlencode()}"))
    return links


@require_GET
@login_required
def front(request):
    # `/` without a query opens the reader's default saved filter, if they set one.
    params = _params(request.GET or default_params(request) or request.GET)
    params.pop("ordering", None)  # the menu's "every project" (savedfilters): counts have no order
    filters = filterset(params, request=request)
    errors = _errors(params, filters)
    context = {
        "title": _("Overview"),
        "nav": "front",
        "params": params,
        "errors": errors,
        "choices": _choices(request.user),
        "saved_filters": for_request(request, params),
    }
    if errors:
        return render(request, "portal/front.html", context, status=400)

    queryset = as_listed(filters.qs if params else Project.objects.all())
    edition = filters.selected_edition
    summary = summarize(queryset)
    since = _visit(request.user)
    developments, changes = _recent(queryset.order_by().values("pk"), since)

    def link(**added):
        return _admin_list(params, edition, **added)

    links = {
        dimension: _dimension_links(
            params, edition, PARAMETER[dimension], [bucket.code for bucket in getattr(summary, dimension)]
        )
        for dimension in DIMENSIONS
    }
    charts = [
        bar_chart(
            getattr(summary, dimension),
            href=links[dimension].__getitem__,
            title=title,
            id=f"chart-{dimension.removeprefix('by_').replace('_', '-')}",
        )
        for dimension, title in (
            ("by_status", _("By status")),
            ("by_region", _("By region")),
            ("by_sector", _("By sector")),
            ("by_scheme_family", _("By scheme family")),
        )
    ]
    context.update(
        summary=summary,
        edition=edition,
        headline=headline(edition),
        total_href=link(),
        won_href=link(won="true"),
        new_href=link(is_new="true"),
        charts=charts,
        country_rows=[
            {
                "code": bucket.code,
                "name": bucket.name,
                "count": bucket.count,
                "href": links["by_country"][bucket.code],
            }
            for bucket in summary.by_country
        ],
        country_map=country_map(
            {bucket.code: bucket.count for bucket in summary.by_country},
            href=links["by_country"].__getitem__,
            names={bucket.code: bucket.name for bucket in summary.by_country},
        ),
        downloads=_downloads(params),
        developments=developments,
        changes=changes,
        since=since,
        filtered=bool(params.keys() - {"edition"}),
    )
    return render(request, "portal/front.html", context)
