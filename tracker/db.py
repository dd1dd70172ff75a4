"""Portable query expressions the ORM lacks (PostgreSQL for production, SQLite for the quick start)."""

from django.db.models import JSONField, Subquery


class JSONList(Subquery):
    """The rows of a one-column subquery as one JSON array (`[]` when there are none).

    The subquery must name its column `value`: `Sector.objects.filter(...).values(value=...)`.
    With `objects=True` the values are JSON objects (`JSONObject(...)`), kept as objects rather
    than strings. It lets a list fetch each row's many-to-many rows in its own query, where a
    prefetch would cost one more query per relation.
    """

    output_field = JSONField()

    def __init__(self, queryset, *, objects=False, **extra):
        self.objects = objects
        super().__init__(queryset, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "(SELECT coalesce(jsonb_agg(_list.value), '[]'::jsonb) FROM (%(subquery)s) _list)"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # json() keeps an object an object: a JSON value loses its JSON type leaving a subquery.
        value = "json(_list.value)" if self.objects else "_list.value"
        template = f"(SELECT json_group_array({value}) FROM (%(subquery)s) _list)"
        return self.as_sql(compiler, connection, template=template, **extra_context)
