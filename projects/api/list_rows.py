"""The list's fast path: a page of projects as dicts from one query (list_page_rows), the page's
ids picked first (PagedByIds, ProjectPagination), and the listed project's related data as SQL written out: its
sectors and schemes as JSON arrays, its latest development as a JSON object, and whether a
Japanese company won it.

The same values composed from querysets (Subquery, Exists, JSONObject over related managers)
cost more ORM work per list page to build and compile than the database takes to run them
(README, "What makes it fast"). Each expression here compiles in microseconds; table and column names come from
the models' _meta. tests/projects/api/test_list_rows.py checks the list built from them against
plain nested serializers over the ORM, on PostgreSQL and SQLite.
"""

from django.db.models import BooleanField, F, Func, JSONField

from plans.selection import as_listed
from projects.querysets import (
    WON_KIND,
    as_of_of,
    latest_development_json_as_of,
    latest_development_order_sql,
    status_as_of,
)
from tracker.api import Pagination


class _ProjectSQL(Func):
    """SQL about one project; the argument is the project's id column (F("pk") by default)."""

    arity = 1

    def __init__(self, project=None, **extra):
        super().__init__(project if project is not None else F("pk"), **extra)

    def template_for(self, connection) -> str:
        raise NotImplementedError

    def as_sql(self, compiler, connection, **extra_context):
        project, params = compiler.compile(self.source_expressions[0])
        template = self.template_for(connection)
        return template.format(project=project), tuple(params) * template.count("{project}")


def _json(connection, pairs: dict[str, str]) -> str:
    """jsonb_build_object / json_object of the given key → SQL pairs."""
    function = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    arguments = ", ".join(f"'{key}', {value}" for key, value in pairs.items())
    return f"{function}({arguments})"


class ReferenceList(_ProjectSQL):
    """The project's sectors or schemes, [{"code", "name_ja", "name_en", ...}] in their
    (order, code) order; `[]` when there are none."""

    output_field = JSONField()

    def __init__(self, relation, *extra_columns, project=None, **extra):
        self.relation = relation  # a ManyToManyField of Project: "sectors" or "schemes"
        self.extra_columns = extra_columns
        super().__init__(project, **extra)

    def template_for(self, connection):
        from projects.models import Project

        qn = connection.ops.quote_name
        field = Project._meta.get_field(self.relation)
        through = field.remote_field.through._meta
        target = field.related_model._meta
        to_project = qn(through.get_field(field.m2m_field_name()).column)
        to_row = qn(through.get_field(field.m2m_reverse_field_name()).column)
        columns = ["code", "name_ja", "name_en", *self.extra_columns]
        rows = (
            f"FROM {qn(through.db_table)} t JOIN {qn(target.db_table)} r ON r.id = t.{to_row}"
            f" WHERE t.{to_project} = {{project}}"
        )
        order = 'r."order", r.code'
        if connection.vendor == "postgresql":
            item = _json(connection, {column: f"r.{qn(column)}" for column in columns})
            return f"(SELECT coalesce(jsonb_agg({item} ORDER BY {order}), '[]'::jsonb) {rows})"
        # SQLite: aggregate an ordered subquery; json_object keeps each item an object.
        item = _json(connection, {column: f"s.{qn(column)}" for column in columns})
        selected = ", ".join(f"r.{qn(column)}" for column in columns)
        return f"(SELECT json_group_array({item}) FROM (SELECT {selected} {rows} ORDER BY {order}) s)"


class LatestDevelopment(_ProjectSQL):
    """The project's latest development as {"date", "precision", "kind", "text"}, or NULL.

    "Latest" in the order of projects.querysets.LATEST_DEVELOPMENT_ORDER: the latest last date
    (date_end, else date; undated ones last), then the last added.
    """

    output_field = JSONField()

    def template_for(self, connection):
        from projects.models import Development

        qn = connection.ops.quote_name
        item = _json(
            connection,
            {"date": "d.date", "precision": "d.date_precision", "kind": "d.kind", "text": "d.text"},
        )
        return (
            f"(SELECT {item} FROM {qn(Development._meta.db_table)} d WHERE d.project_id = {{project}}"
            f" ORDER BY {latest_development_order_sql('d')} LIMIT 1)"
        )


class Won(_ProjectSQL):
    """A Japanese company has won all or part of the project: it has a development of
    projects.querysets.WON_KIND."""

    output_field = BooleanField()

    def template_for(self, connection):
        from projects.models import Development

        qn = connection.ops.quote_name
        return (
            f"EXISTS(SELECT 1 FROM {qn(Development._meta.db_table)} d"
            " WHERE d.project_id = {project} AND d.kind = %s)"
        )

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return sql, (*params, WON_KIND.value)  # the kind's %s comes after {project}


def list_page_rows(queryset):
    """The queryset's projects as the list shows them: one dict per project, from ONE query.

    Country and region come from joins, the edition's number, heading and new mark from
    plans.selection.listed's annotations; `won`, the latest development and the
    sectors and schemes (as JSON) from subqueries written out below, not
    prefetches. A list as of a date (projects.querysets.with_as_of) takes its `list_status` and
    latest development from that day's (ORM subqueries: still one query). No model instance is built: ProjectListSerializer reads the dicts.
    """
    queryset = as_listed(queryset)
    as_of = as_of_of(queryset)
    latest = LatestDevelopment() if as_of is None else latest_development_json_as_of(as_of)
    status = F("status") if as_of is None else status_as_of(as_of)
    return queryset.annotate(
        won=Won(),
        latest_development=latest,
        sector_list=ReferenceList("sectors"),
        scheme_list=ReferenceList("schemes", "family"),
    ).values(
        "id",
        "edition_number",
        "name",
        "name_en",
        "edition_is_new",
        "won",
        "latest_development",
        "updated",
        "sector_list",
        "scheme_list",
        list_status=status,
        **place_values(),
        group_number=F("heading_number"),
        group_name_ja=F("heading_name_ja"),
        group_name_en=F("heading_name_en"),
    )


def place_values() -> dict:
    """The row's country and region columns (the list's and the detail's), by joins."""
    return {
        "country_iso_code": F("country__iso_code"),
        "country_name_ja": F("country__name_ja"),
        "country_name_en": F("country__name_en"),
        "region_code": F("country__region__code"),
        "region_name_ja": F("country__region__name_ja"),
        "region_name_en": F("country__region__name_en"),
    }


def place(row, english: bool) -> dict:
    """A row's `country` and `region` as the API gives them (place_values' columns)."""
    return {
        "country": {
            "iso_code": row["country_iso_code"],
            "name_ja": row["country_name_ja"],
            "name_en": row["country_name_en"],
        },
        "region": {
            "code": row["region_code"],
            "label": row["region_name_en"] if english else row["region_name_ja"],
        },
    }


class PagedByIds:
    """A filtered queryset whose slice picks the page's ids first, in a subquery, then reads
    those rows with `rows` (list_page_rows).

    PostgreSQL computes the select list (the `won` and latest-development subqueries) for
    every row an OFFSET skips: the last page of 100,000 projects cost many times the first. The
    ids alone come from an index (a covering one for the default order, migration 0004); the
    page is still one query, and the count stays a bare COUNT(*) of the filtered projects.
    """

    def __init__(self, queryset, rows):
        self.queryset = queryset
        self.rows = rows

    def count(self):
        return self.queryset.count()

    def __getitem__(self, page):
        return self.rows(self.queryset.filter(pk__in=self.queryset.values("pk")[page]))


class ProjectPagination(Pagination):
    """The project list's pages: limit/offset over the filtered projects, each page read as
    dict rows by list_page_rows, its ids picked first (PagedByIds)."""

    def paginate_queryset(self, queryset, request, view=None):
        return super().paginate_queryset(PagedByIds(queryset, list_page_rows), request, view)
