"""Querysets and query expressions over projects: the ONE definition of a project's "latest
development" and of "won", the project search (`ProjectQuerySet.search`) and its bigram
lookup.

Imports no model at module level (models.py imports this module for `ProjectQuerySet`): the
functions get `Development` when they are called, through the app registry.
"""

from django.apps import apps
from django.db import connection, models
from django.db.models import BooleanField, Exists, F, Func, JSONField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, JSONObject

from projects.choices import DevelopmentKind
from projects.text import search_words

# "Latest development": the latest last date (a range's or a several-dated text's end, else
# its date; undated ones last), then the last recorded (highest sequence). Entries are
# (fields, descending, nulls_last): the first non-null of the fields (COALESCE) is the key.
# The PostgreSQL index projects_development_latest of migration 0007, (project_id,
# COALESCE(date_end, date) DESC NULLS LAST, sequence DESC), must match this order: it makes
# each project's LIMIT 1 an index scan.
LATEST_DEVELOPMENT_ORDER = ((("date_end", "date"), True, True), (("sequence",), True, False))

# "Won": a Japanese company has won all or part of the project, i.e. it has a development of
# this kind.
WON_KIND = DevelopmentKind.AWARD


def _development():
    return apps.get_model("projects", "Development")


def _key(fields):
    return Coalesce(*(F(field) for field in fields)) if len(fields) > 1 else F(fields[0])


def latest_development_order() -> list:
    """LATEST_DEVELOPMENT_ORDER as ORM ordering expressions over Development."""
    order = []
    for fields, descending, nulls_last in LATEST_DEVELOPMENT_ORDER:
        # None, not False: "the database's default place for nulls" (Django refuses False).
        place = {"nulls_last": True} if nulls_last else {}
        key = _key(fields)
        order.append(key.desc(**place) if descending else key.asc(**place))
    return order


def latest_development_order_sql(alias: str) -> str:
    """LATEST_DEVELOPMENT_ORDER as the text of an SQL ORDER BY over the development table
    aliased `alias`: "COALESCE(d.date_end, d.date) DESC NULLS LAST, d.sequence DESC" for "d"."""
    meta = _development()._meta
    terms = []
    for fields, descending, nulls_last in LATEST_DEVELOPMENT_ORDER:
        columns = [f"{alias}.{meta.get_field(field).column}" for field in fields]
        key = f"COALESCE({', '.join(columns)})" if len(columns) > 1 else columns[0]
        term = f"{key} {'DESC' if descending else 'ASC'}"
        terms.append(f"{term} NULLS LAST" if nulls_last else term)
    return ", ".join(terms)


def latest_developments():
    """The developments of the outer query's project, latest first (LATEST_DEVELOPMENT_ORDER)."""
    return _development().objects.filter(project=OuterRef("pk")).order_by(*latest_development_order())


def latest_development_json():
    """The latest development as one JSON value {"date", "precision", "kind", "text"} (NULL
    without one), so a list needs no query per project for it."""
    latest = latest_developments().values(
        json=JSONObject(date="date", precision="date_precision", kind="kind", text="text")
    )[:1]
    return Subquery(latest, output_field=JSONField())


def latest_development_date():
    """The latest development's date (NULL when undated or without one)."""
    return Subquery(latest_developments().values("date")[:1])


def latest_development_last_date():
    """The latest development's last date: its end, else its date (NULL when undated or
    without one); the key LATEST_DEVELOPMENT_ORDER picks it by."""
    return Subquery(latest_developments().values(last=Coalesce("date_end", "date"))[:1])


def won_developments():
    """The developments of the outer query's project that make it won (WON_KIND)."""
    return _development().objects.filter(project=OuterRef("pk"), kind=WON_KIND)


def won():
    """Whether the outer query's project is won: Exists(won_developments())."""
    return Exists(won_developments())


class ProjectQuerySet(models.QuerySet):
    def with_won(self):
        """Annotate `won`: a Japanese company has won all or part of the project."""
        return self.annotate(won=won())

    def with_latest_development(self):
        """Annotate `latest_development_*` (date, date_precision, date_end, kind, text)."""
        latest = latest_developments()[:1]
        return self.annotate(
            **{
                f"latest_development_{field}": Subquery(latest.values(field))
                for field in ("date", "date_precision", "date_end", "kind", "text")
            }
        )

    def search(self, query):
        """Projects matching every word of `query` (projects.text.search_words), the one search
        of the admin's list and the API's `q`.

        A word naming a number ("No.36", "36番", or a lone "36") is that project. Any other word
        is looked for in the search text (number, names, summary, note, developments) whatever
        the character width, and in the names of the project's country and region, in both
        languages. On PostgreSQL a text word of two characters or more is first looked up in the
        GIN index of the search text's character bigrams (search_bigrams, migration 0003): a
        2-character word is exactly its bigram, a longer one is then checked with LIKE on the
        rows the index found.
        """
        from projects import codes

        qs = self
        for word in search_words(query):
            if isinstance(word, int):
                qs = qs.filter(number=word)
                continue
            if connection.vendor == "postgresql" and len(word) >= 2:
                in_text = Q(HasBigrams(F("search_text"), bigrams(word)))
                if len(word) > 2:
                    in_text &= Q(search_text__contains=word)
            else:
                in_text = Q(search_text__contains=word)
            countries = codes.countries_named(word)
            qs = qs.filter(in_text | Q(country__in=countries) if countries else in_text)
        return qs


def bigrams(text: str) -> list[str]:
    """The distinct 2-character substrings of `text`, as SQL's projects_bigrams() gives them."""
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


class HasBigrams(Func):
    """PostgreSQL: the project's search_bigrams contain every one of `bigrams`. search_bigrams
    is a generated column of projects_bigrams(search_text) with a GIN index (migration 0003),
    kept out of the model because SQLite has no array type."""

    output_field = BooleanField()

    def __init__(self, expression, bigrams):
        self.bigrams = list(bigrams)
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra_context):
        column = self.source_expressions[0]  # search_text, resolved to its table alias
        table = compiler.quote_name_unless_alias(column.alias)
        return f"{table}.search_bigrams @> %s::text[]", (self.bigrams,)


# "As of" a date (the list's and the status table's `as_of`): what was known on that day.
#  - A development counts if its last date (date_end, else date) is on or before the day; an
#    undated one counts if it was recorded on or before the day (local date of recorded_at).
#  - The status is that of the last status change (by sequence, the order the history is kept
#    in) that was effective on or before the day: its effective_on, or where it has none the
#    day it was recorded. The first status change always counts (a project has a status from
#    the start); a project without history keeps its own status.


def developments_as_of(as_of):
    """A Q over Development: the development was known on `as_of` (a date)."""
    from django.db.models import Value
    from django.db.models.functions import Coalesce
    from django.db.models.lookups import LessThanOrEqual

    last_date = Coalesce(F("date_end"), F("date"))
    return Q(date__isnull=False) & Q(LessThanOrEqual(last_date, Value(as_of))) | Q(
        date__isnull=True, recorded_at__date__lte=as_of
    )


def status_changes_as_of(as_of):
    """A Q over StatusChange: the change was effective on `as_of`."""
    return Q(effective_on__lte=as_of) | Q(effective_on__isnull=True, recorded_at__date__lte=as_of)


def status_as_of(as_of):
    """The outer query's project's status on `as_of` (see above), as an expression."""
    from django.db.models.functions import Coalesce

    changes = apps.get_model("projects", "StatusChange").objects.filter(project=OuterRef("pk"))
    effective = changes.filter(status_changes_as_of(as_of)).order_by("-sequence").values("status")[:1]
    first = changes.order_by("sequence").values("status")[:1]
    return Coalesce(Subquery(effective), Subquery(first), F("status"))


def latest_developments_as_of(as_of=None):
    """latest_developments(), only those known on `as_of` (all of them for None)."""
    latest = latest_developments()
    return latest if as_of is None else latest.filter(developments_as_of(as_of))


def latest_development_json_as_of(as_of):
    """latest_development_json() as of a date."""
    latest = latest_developments_as_of(as_of).values(
        json=JSONObject(date="date", precision="date_precision", kind="kind", text="text")
    )[:1]
    return Subquery(latest, output_field=JSONField())


AS_OF_ANNOTATION = "as_of_date"


def with_as_of(queryset, as_of):
    """Mark a project queryset as a list "as of" `as_of` (the filter set's `as_of`): the list,
    its exports and the status table then show each project's status and latest development
    as they stood that day (status_as_of, latest_developments_as_of)."""
    from django.db.models import DateField, Value

    return queryset.annotate(**{AS_OF_ANNOTATION: Value(as_of, output_field=DateField())})


def as_of_of(queryset):
    """The date with_as_of() marked the queryset with, or None."""
    annotation = queryset.query.annotations.get(AS_OF_ANNOTATION)
    return None if annotation is None else annotation.value
