"""A saved filter's query: the project list's API-style filters (`region=south-asia&sector=rail`),
checked by the list's own filter form and written one way, so equal filters read equal.

Only ProjectFilterSet's filters are kept (not paging or format); empty values are dropped,
keys sorted, repeated values joined with commas as the API reads them.
"""

from types import SimpleNamespace
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext

from projects.filtersets import ProjectFilterSet
from projects.models import Project

# The filters a saved filter may hold: the list's filters, its order too.
FILTER_NAMES = frozenset(ProjectFilterSet.base_filters)


def as_querydict(query) -> QueryDict:
    """`query` (a querystring, a QueryDict or a dict) as a QueryDict."""
    if isinstance(query, QueryDict):
        return query
    if isinstance(query, dict):
        result = QueryDict(mutable=True)
        for key, value in query.items():
            result.setlist(key, value if isinstance(value, list | tuple) else [value])
        return result
    return QueryDict(str(query or "").lstrip("?"))


def normalize_query(query, *, user) -> str:
    """The canonical querystring of `query`, or a ValidationError with the messages by parameter
    (an unknown parameter, or a value the list's filter form refuses for `user`)."""
    params = as_querydict(query)
    values = {}
    errors = {}
    for key in params:
        parts = [part.strip() for value in params.getlist(key) for part in value.split(",") if part.strip()]
        if key not in FILTER_NAMES:
            errors[key] = [
                gettext("Unknown parameter. Known parameters: %(known)s.")
                % {"known": ", ".join(sorted(FILTER_NAMES))}
            ]
        elif parts:
            # A search keeps its commas and spaces: it is text, not a list.
            values[key] = params.get(key).strip() if key == "q" else ",".join(parts)
    data = QueryDict(mutable=True)
    data.update(values)
    # The edition filter asks the request for the editions its user may see.
    filterset = ProjectFilterSet(
        data=data, queryset=Project.objects.none(), request=SimpleNamespace(user=user)
    )
    if not filterset.form.is_valid():
        errors.update({key: list(messages) for key, messages in filterset.form.errors.items()})
    if errors:
        raise ValidationError(
            {"query": [f"{key}: {' '.join(map(str, messages))}" for key, messages in errors.items()]}
        )
    return urlencode(sorted(values.items()))
