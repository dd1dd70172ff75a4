"""What a feed URL asks for: its language and the project list's filters, checked, and the
developments they select.

The filters are the project list's (projects.filtersets.ProjectFilterSet, as the API and the
front page read them), for the feed key's user (the editions they may see). An unknown
parameter or a value the filters refuse is a BadFeedQuery naming it: a 400, never an empty
feed. The feed lists the LIMIT developments recorded last, newest first.
"""

from dataclasses import dataclass
from types import SimpleNamespace

from django.http import QueryDict
from django.utils.translation import gettext

from projects.filtersets import ProjectFilterSet
from projects.models import Development, Project
from watches.query import watched_projects

LIMIT = 50
LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"
LANGUAGE_PARAMETER = "lang"
# The list's filters; its order and its as-of date say nothing about which developments.
FILTER_NAMES = frozenset(ProjectFilterSet.base_filters) - {"ordering", "as_of"}


class BadFeedQuery(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class FeedQuery:
    language: str
    filters: QueryDict  # the filter parameters only, as given
    filterset: ProjectFilterSet | None  # None: no filter given


def feed_query(params: QueryDict, user) -> FeedQuery:
    """The feed's language and filters from its query parameters; BadFeedQuery if any is wrong."""
    known = ", ".join(sorted(FILTER_NAMES | {LANGUAGE_PARAMETER}))
    errors = {}
    for name in params:
        if name != LANGUAGE_PARAMETER and name not in FILTER_NAMES:
            errors[name] = [gettext("Unknown parameter. Known parameters: %(known)s.") % {"known": known}]
        elif any("\x00" in value for value in params.getlist(name)):
            errors[name] = [gettext("Null characters are not allowed.")]
    language = params.get(LANGUAGE_PARAMETER, DEFAULT_LANGUAGE)
    if LANGUAGE_PARAMETER not in errors and language not in LANGUAGES:
        errors[LANGUAGE_PARAMETER] = [gettext("Give ja or en.")]
    if errors:
        raise BadFeedQuery(errors)
    filters = params.copy()
    filters.pop(LANGUAGE_PARAMETER, None)
    if not filters:
        return FeedQuery(language, filters, None)
    # The edition filter asks the request for the editions the key's user may see.
    filterset = ProjectFilterSet(
        data=filters, queryset=Project.objects.all(), request=SimpleNamespace(user=user)
    )
    if not filterset.is_valid():
        raise BadFeedQuery({name: [str(m) for m in messages] for name, messages in filterset.errors.items()})
    return FeedQuery(language, filters, filterset)


def filtered_projects(query: FeedQuery):
    """The projects the query's filters select: the list's, as /api/projects/ builds it."""
    if query.filterset is None:
        return ProjectFilterSet(data=QueryDict(), queryset=Project.objects.all()).qs
    return query.filterset.qs


def recent_developments(projects):
    """The LIMIT developments of `projects` recorded last, newest first, with what an entry shows."""
    return (
        Development.objects.filter(project__in=projects.order_by().values("pk"))
        .select_related("project__country", "recorded_by")
        .order_by("-recorded_at", "-id")[:LIMIT]
    )


def developments(query: FeedQuery):
    """The developments feed: the filtered project list's."""
    return recent_developments(filtered_projects(query))


def watched_developments(query: FeedQuery, user):
    """The watch feed: the projects `user` watches (watches.query), narrowed by the filters if any."""
    projects = None if query.filterset is None else query.filterset.qs
    return recent_developments(watched_projects(user, projects))
