"""The project detail's fast path: the project with every relation, its developments and
status history included, from ONE query (detail_row), and the response body built from that
dict (detail_body), with no model instance and no nested serializer.

Like the list's (projects.api.list_rows), the relations are SQL written out, as JSON values: the
sectors, schemes, latest development and `won` are the list's own expressions; the editions'
listings the reader may see, the developments and the status changes are below. Their dates come back as JSON text,
read here into the values the DRF fields format, so the body is exactly what
ProjectDetailSerializer's declared fields give (tests/projects/api/test_list_rows.py compares
every project of the plan with plain nested serializers, bench/peer.py).
"""

import json
from datetime import UTC, datetime

from django.db.models import JSONField
from rest_framework import serializers

from plans.models import EditionState
from projects import choices
from projects.api.list_rows import (
    LatestDevelopment,
    ReferenceList,
    Won,
    _json,
    _ProjectSQL,
    place,
    place_values,
)
from projects.models import DevelopmentKind, Status, StatusChange
from projects.text import circled_number
from tracker.locale import is_english

DEVELOPMENT_COLUMNS = (
    "id",
    "sequence",
    "kind",
    "text",
    "date",
    "date_precision",
    "date_end",
    "source",
    "recorded_at",
)


def _json_rows(connection, table, columns, where, order):
    """[{column: value}] of `table` (aliased r) rows matching `where`, in `order`; `[]` if none."""
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        item = _json(connection, {column: f"r.{qn(column)}" for column in columns})
        return (
            f"(SELECT coalesce(jsonb_agg({item} ORDER BY {order}), '[]'::jsonb) FROM {table} WHERE {where})"
        )
    # SQLite: aggregate an ordered subquery, as list_rows.ReferenceList does.
    item = _json(connection, {column: f"s.{qn(column)}" for column in columns})
    selected = ", ".join(f"r.{qn(column)} AS {qn(column)}" for column in columns)
    return f"(SELECT json_group_array({item}) FROM (SELECT {selected} FROM {table} WHERE {where} ORDER BY {order}) s)"


class DevelopmentList(_ProjectSQL):
    """The project's developments, DEVELOPMENT_COLUMNS each, in their order (sequence)."""

    output_field = JSONField()

    def template_for(self, connection):
        from projects.models import Development

        table = f"{connection.ops.quote_name(Development._meta.db_table)} r"
        return _json_rows(connection, table, DEVELOPMENT_COLUMNS, "r.project_id = {project}", "r.sequence")


class StatusHistory(_ProjectSQL):
    """The project's status changes, oldest first (sequence), each with its recorder's username
    (`recorded_by`, null without one)."""

    output_field = JSONField()

    def template_for(self, connection):
        from django.contrib.auth import get_user_model

        qn = connection.ops.quote_name
        users = get_user_model()._meta
        table = (
            f"(SELECT c.*, u.{qn(users.get_field('username').column)} AS recorded_by"
            f" FROM {qn(StatusChange._meta.db_table)} c"
            f" LEFT JOIN {qn(users.db_table)} u ON u.id = c.recorded_by_id) r"
        )
        columns = (
            "id",
            "sequence",
            "status",
            "previous_status",
            "effective_on",
            "effective_precision",
            "note",
            "recorded_by",
            "recorded_at",
        )
        return _json_rows(connection, table, columns, "r.project_id = {project}", "r.sequence")


class ResponsibleList(_ProjectSQL):
    """The project's responsible officers, by user id: [{"id", "username", "first_name",
    "last_name"}] (their name is made in Python, as projects.audit.editor_label makes it)."""

    output_field = JSONField()

    def template_for(self, connection):
        from django.contrib.auth import get_user_model

        from projects.models import Project

        qn = connection.ops.quote_name
        users = get_user_model()._meta
        through = Project.responsible.through._meta
        table = (
            f"(SELECT u.id, u.{qn(users.get_field('username').column)} AS username, u.first_name, u.last_name,"
            f" t.project_id FROM {qn(through.db_table)} t JOIN {qn(users.db_table)} u ON u.id = t.user_id) r"
        )
        return _json_rows(
            connection,
            table,
            ("id", "username", "first_name", "last_name"),
            "r.project_id = {project}",
            "r.id",
        )


class VisibleListings(_ProjectSQL):
    """The project's listings in the editions the reader may see (published ones, or every one
    with `drafts`), oldest edition first: [{"year", "state", "number", "is_new", "heading_number",
    "heading_name_ja", "heading_name_en"}]."""

    output_field = JSONField()

    def __init__(self, *, drafts, project=None, **extra):
        self.drafts = drafts
        super().__init__(project, **extra)

    def template_for(self, connection):
        from plans.models import Edition, Heading, Listing

        qn = connection.ops.quote_name
        table = (
            f"(SELECT l.number, l.is_new, l.project_id, e.year, e.state, h.number AS heading_number,"
            f" h.name_ja AS heading_name_ja, h.name_en AS heading_name_en"
            f" FROM {qn(Listing._meta.db_table)} l JOIN {qn(Edition._meta.db_table)} e ON e.id = l.edition_id"
            f" JOIN {qn(Heading._meta.db_table)} h ON h.id = l.heading_id) r"
        )
        where = "r.project_id = {project}" + ("" if self.drafts else " AND r.state = %s")
        columns = (
            "year",
            "state",
            "number",
            "is_new",
            "heading_number",
            "heading_name_ja",
            "heading_name_en",
        )
        return _json_rows(connection, table, columns, where, "r.year")

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        # The state's %s comes after the {project} it follows.
        return sql, params if self.drafts else (*params, EditionState.PUBLISHED.value)


def detail_row(queryset, *, drafts):
    """The one project of `queryset` (a queryset narrowed to it) as a dict, from ONE query:
    its own fields, country and region, sectors and schemes, `won`, latest development,
    developments, status history, responsible officers and the listings of the editions the reader may see
    (`drafts`: drafts too).
    None when there is no such project."""
    rows = queryset.annotate(
        won=Won(),
        latest_development=LatestDevelopment(),
        sector_list=ReferenceList("sectors"),
        scheme_list=ReferenceList("schemes", "family"),
        development_list=DevelopmentList(),
        listing_list=VisibleListings(drafts=drafts),
        status_list=StatusHistory(),
        responsible_list=ResponsibleList(),
    ).values(
        "id",
        "number",
        "name",
        "name_en",
        "summary",
        "note",
        "status",
        "version",
        "created",
        "updated",
        "won",
        "latest_development",
        "sector_list",
        "scheme_list",
        "development_list",
        "listing_list",
        "status_list",
        "responsible_list",
        **place_values(),
    )
    rows = list(rows.order_by()[:2])
    if len(rows) != 1:
        return None
    row = rows[0]
    for key in (
        "development_list",
        "listing_list",
        "status_list",
        "sector_list",
        "scheme_list",
        "responsible_list",
    ):
        if isinstance(row[key], str):  # a JSON function's text where the backend does not parse it
            row[key] = json.loads(row[key])
    return row


_DATE = serializers.DateField()
_DATETIME = serializers.DateTimeField()


def _instant(value):
    """A date-time as a JSON value holds it (ISO text; naive UTC on SQLite) as an aware datetime."""
    if value is None:
        return None
    instant = datetime.fromisoformat(value)
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _full_name(user) -> str:
    # As AbstractUser.get_full_name() gives it (projects.audit.editor_label's first choice).
    return f"{user['first_name']} {user['last_name']}".strip()


def _code_label(labels, value):
    # As projects.api.fields.CodeLabelField gives it.
    return {"code": value, "label": labels.get(value, value)} if value else None


def detail_body(row, url):
    """The response body of a project (detail_row), in the active language; `url` is its
    detail URL."""
    english = is_english()
    status_labels, kind_labels = choices.labels(Status), choices.labels(DevelopmentKind)
    state_labels = choices.labels(EditionState)

    def name(item, prefix=""):
        return item[f"{prefix}name_en"] if english else item[f"{prefix}name_ja"]

    def group(listing):
        number = listing["heading_number"]
        return {"number": number, "mark": circled_number(number), "label": name(listing, "heading_")}

    listings = row["listing_list"]
    latest = listings[-1] if listings else None  # the latest edition listing it
    development = row["latest_development"]
    return {
        "id": row["id"],
        "number": row["number"],
        "name": row["name"],
        "name_en": row["name_en"],
        **place(row, english),
        "listing_group": group(latest) if latest else None,
        "sectors": [{"code": sector["code"], "label": name(sector)} for sector in row["sector_list"]],
        "schemes": [
            {"code": scheme["code"], "label": name(scheme), "family": scheme["family"]}
            for scheme in row["scheme_list"]
        ],
        "status": _code_label(status_labels, row["status"]),
        "is_new": bool(latest and latest["is_new"]),
        "won": bool(row["won"]),
        "latest_development": None
        if development is None
        else {
            "date": development["date"],
            "precision": development["precision"],
            "kind": _code_label(kind_labels, development["kind"]),
            "text": development["text"],
        },
        "updated": _DATETIME.to_representation(row["updated"]),
        "url": url,
        "editions": [
            {
                "year": listing["year"],
                "state": _code_label(state_labels, listing["state"]),
                "number": listing["number"],
                "listing_group": group(listing),
                "is_new": bool(listing["is_new"]),
            }
            for listing in listings
        ],
        "responsible": [
            {"id": user["id"], "name": _full_name(user) or user["username"]}
            for user in row["responsible_list"]
        ],
        "summary": row["summary"],
        "note": row["note"],
        "created": _DATETIME.to_representation(row["created"]),
        "developments": [
            {
                "id": item["id"],
                "sequence": item["sequence"],
                "kind": _code_label(kind_labels, item["kind"]),
                "text": item["text"],
                "date": _DATE.to_representation(item["date"]),
                "date_precision": item["date_precision"],
                "date_end": _DATE.to_representation(item["date_end"]),
                "source": item["source"],
                "recorded_at": _DATETIME.to_representation(_instant(item["recorded_at"])),
            }
            for item in row["development_list"]
        ],
        "status_history": [
            {
                "id": change["id"],
                "sequence": change["sequence"],
                "status": _code_label(status_labels, change["status"]),
                "previous_status": _code_label(status_labels, change["previous_status"]),
                "effective_on": _DATE.to_representation(change["effective_on"]),
                "effective_precision": change["effective_precision"],
                "note": change["note"],
                "recorded_by": change["recorded_by"],
                "recorded_at": _DATETIME.to_representation(_instant(change["recorded_at"])),
            }
            for change in row["status_list"]
        ],
    }
