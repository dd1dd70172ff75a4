"""The list exports' cells as database expressions, so the database formats them.

Each column of the CSV/XLSX list (and of the XLSX developments sheet) is defined once here as
a Django ORM expression that gives the cell's text exactly as Python would format it: labels
in the active language, names joined with "、", 「はい」/"Yes" or nothing for booleans, partial
dates as `projects.dates.format_partial_date` writes them, `updated` in local time, and
formula-injection escaping as `columns.escape_cell` does it.

A cell that is empty is NULL, not "": PostgreSQL's COPY writes an empty string as `""` and NULL
as nothing, so NULLs make COPY's CSV byte for byte what Python's csv module writes.

The expressions are built by functions, not at import, because the labels are translated in the
language active at export time.
"""

from __future__ import annotations

from django.db.models import (
    Aggregate,
    Case,
    CharField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    Left,
    NullIf,
    Substr,
    TruncMinute,
)
from django.db.models.lookups import Exact, GreaterThan, In
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import dates
from projects.models import DevelopmentKind, Project, Status
from projects.querysets import latest_developments_as_of, status_as_of, won
from projects.spreadsheets.columns import APOSTROPHE, FORMULA_TRIGGERS, NAME_SEPARATOR, escape_cell
from tracker.locale import is_english

MONTHS_EN = "".join(dates.MONTHS_EN)  # "JanFebMar…": month m at 3m - 2


def text_case(*cases, **extra):
    """CASE … END giving text, whatever its branches' types."""
    return Case(*cases, output_field=TextField(), **extra)


def text(value) -> Value:
    return Value(value, output_field=TextField())


class Pipes(Func):
    """a || b || …, for operands that are never NULL where it is used (Concat wraps each operand
    in COALESCE, which makes the date formats several times longer)."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = TextField()


class TextArray(Func):
    """ARRAY[a, b, …] of text (PostgreSQL): several cells from one correlated subquery."""

    template = "ARRAY[%(expressions)s]"
    output_field = TextField()  # never read by Django: only COPY reads it (exports.csv_stream)


def as_text(expression):
    return Cast(expression, TextField())


class LTrimChars(Func):
    """LTRIM(text, characters): the text without the given characters at its start (PostgreSQL
    and SQLite)."""

    function = "LTRIM"
    output_field = TextField()


def escaped(expression):
    """`escape_cell` in SQL, with "" as NULL: an apostrophe before a text whose first character
    after any leading apostrophes is a trigger. The expression appears three times: it should
    be a column, or an aggregate (PostgreSQL computes identical aggregates once)."""
    first_after_apostrophes = Left(LTrimChars(expression, text(APOSTROPHE)), 1)
    starts_with_trigger = In(first_after_apostrophes, list(FORMULA_TRIGGERS))
    return NullIf(
        text_case(When(starts_with_trigger, then=Pipes(text(APOSTROPHE), expression)), default=expression),
        text(""),
    )


def label_case(field: str, choices):
    """The choice's label, translated now and escaped: CASE WHEN field = value THEN label …"""
    whens = [When(**{field: value}, then=text(escape_cell(str(label)))) for value, label in choices]
    return text_case(*whens, default=F(field))


def yes_or_null(condition):
    """「はい」/"Yes" when the condition holds, else nothing (as `_("Yes") if value else ""`)."""
    return text_case(When(condition, then=text(escape_cell(_("Yes")) or None)), default=text(None))


class OrderedJoin(Aggregate):
    """The values joined with `delimiter` in the order of `order_by` (expressions or field names).

    PostgreSQL: string_agg(value, delimiter ORDER BY …). SQLite before 3.44 has no ORDER BY in
    an aggregate and group_concat's order is undefined, so there a Python aggregate sorts the
    values by their keys.
    """

    function = "STRING_AGG"
    output_field = TextField()
    # Used only as the whole of a correlated subquery (joined_names): without this, Django would
    # group that subquery by every column of its model.
    contains_aggregate = False

    def __init__(self, expression, delimiter: str, order_by: list, **extra):
        self.key_count = len(order_by)
        keys = (F(key) if isinstance(key, str) else key for key in order_by)
        super().__init__(expression, text(delimiter), *keys, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        value, delimiter, *keys = self.get_source_expressions()[: 2 + self.key_count]
        parts, params = [], []
        for expression in (value, delimiter, *keys):
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        sql = f"STRING_AGG({parts[0]}, {parts[1]} ORDER BY {', '.join(parts[2:])})"
        return sql, params

    def as_sqlite(self, compiler, connection, **extra_context):
        register_sqlite_functions(connection)
        return super().as_sql(compiler, connection, function="export_ordered_join", **extra_context)


class _SQLiteOrderedJoin:
    def __init__(self):
        self.items = []
        self.delimiter = ""

    def step(self, value, delimiter, *keys):
        if value is not None:
            self.delimiter = delimiter
            self.items.append((tuple((key is None, key) for key in keys), value))

    def finalize(self):
        if not self.items:
            return None
        return self.delimiter.join(value for _keys, value in sorted(self.items, key=lambda item: item[0]))


def register_sqlite_functions(connection):
    """Make export_ordered_join() known to the SQLite connection (again: it is cheap)."""
    connection.ensure_connection()
    connection.connection.create_aggregate("export_ordered_join", -1, _SQLiteOrderedJoin)


def joined_names(relation: str, english_names: bool):
    """A project's sectors or schemes, as names joined with "、" in their (order, code) order.

    There are a dozen of each: they are read first (one small query), and each project's
    subquery takes the names and their order from CASE expressions on the link table's
    sector_id/scheme_id, with no join (the join took a third of the whole list's time). The
    export so has the sectors and schemes as they were when it started: one added meanwhile is
    left out. (A subquery for such a one would make PostgreSQL compute the aggregate once per
    use in `escaped`, not once.)
    """
    through = getattr(Project, relation).through
    target = getattr(Project, relation).field.related_model
    key = "sector_id" if relation == "sectors" else "scheme_id"
    known = list(
        target.objects.order_by("order", "code").values_list("pk", "name_en" if english_names else "name_ja")
    )
    name = text_case(*(When(**{key: pk}, then=text(value)) for pk, value in known), default=text(None))
    rank = Case(
        *(When(**{key: pk}, then=Value(position)) for position, (pk, _name) in enumerate(known)),
        default=Value(len(known)),
        output_field=IntegerField(),
    )
    # OrderedJoin does not make Django add a GROUP BY: the subquery is one implicit group.
    names = (
        through.objects.filter(project=OuterRef("pk"))
        .annotate(names=OrderedJoin(name, NAME_SEPARATOR, [rank]))
        .annotate(cell=escaped(F("names")))
        .values("cell")
    )
    return Subquery(names, output_field=TextField())


# Partial dates: format_partial_date in SQL, over a Development's date, date_precision, date_end,
# written from the same table (dates.DATE_FORMS, dates.SAME_YEAR_RANGES).


def _date_parts(field: str) -> dict:
    """Each dates.Part of the date in `field` as a text expression."""
    month = Cast(ExtractMonth(field), IntegerField())
    return {
        dates.Part.YEAR: as_text(ExtractYear(field)),
        dates.Part.MONTH: as_text(month),
        dates.Part.DAY: as_text(ExtractDay(field)),
        dates.Part.MONTH_EN: Substr(text(MONTHS_EN), month * 3 - 2, 3),
    }


def _written(parts, field: str):
    """The parts of a form (dates.Part or literal text) over the date in `field`."""
    fields = _date_parts(field)
    return Pipes(*(text(part) if isinstance(part, str) else fields[part] for part in parts))


def _one(field: str, language: str):
    """One date at its precision, as DATE_FORMS writes it: CASE date_precision WHEN … END, with
    the year as the default (as format_partial_date writes a precision it does not know)."""
    forms = {
        precision: _written(parts, field)
        for (form_language, precision), parts in dates.DATE_FORMS.items()
        if form_language == language
    }
    year = forms.pop(dates.YEAR)
    return text_case(*(When(date_precision=key, then=form) for key, form in forms.items()), default=year)


def partial_date(english_names: bool | None = None):
    """`format_partial_date(date, date_precision, date_end, language)` of a Development, as SQL,
    in the active language unless `english_names` says. NULL where it gives "" (no date, or
    precision "none")."""
    if english_names is None:
        english_names = is_english()
    language = "en" if english_names else "ja"
    start, end = "date", "date_end"
    same_year = Exact(ExtractYear(end), ExtractYear(start))
    # "2023年4月～7月", "Apr–Jul 2023" within a year, else "2022年11月～2023年1月", "Nov 2022 – Jan 2023".
    range_ = text_case(
        *(
            When(
                Q(date_precision=precision) & same_year,
                then=Pipes(_written(first, start), text(separator), _written(last, end)),
            )
            for (form_language, precision), (first, separator, last) in dates.SAME_YEAR_RANGES.items()
            if form_language == language
        ),
        default=Pipes(_one(start, language), text(dates.RANGE_SEPARATORS[language]), _one(end, language)),
    )
    return text_case(
        When(
            Q(**{f"{start}__isnull": True}) | Q(date_precision=dates.NONE) | Q(date_precision=""), then=None
        ),
        When(GreaterThan(F(end), F(start)), then=range_),
        default=_one(start, language),
    )


class LocalMinute(Func):
    """ "YYYY-MM-DD HH:MM" of a date-time in the time zone current when it is made (Asia/Tokyo),
    as `timezone.localtime(value).strftime("%Y-%m-%d %H:%M")`: Django's TruncMinute in that
    zone (which converts the time zone as Django does everywhere), as text. PostgreSQL formats
    it with to_char; SQLite's TruncMinute is already "YYYY-MM-DD HH:MM:SS" text."""

    output_field = TextField()

    def __init__(self, expression, **extra):
        self.zone = timezone.get_current_timezone()
        super().__init__(expression, **extra)

    def _local(self, compiler):
        truncated = TruncMinute(self.source_expressions[0], tzinfo=self.zone)
        return truncated.resolve_expression(compiler.query)

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self._local(compiler))
        return f"TO_CHAR({sql}, 'YYYY-MM-DD HH24:MI')", params

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(Substr(Cast(self._local(compiler), CharField()), 1, 16))


# The columns.


def status_label_case(as_of):
    """The status cell: the project's status now, or on `as_of` (projects.querysets)."""
    if as_of is None:
        return label_case("status", Status.choices)
    status = status_as_of(as_of)
    whens = [
        When(Exact(status, value), then=text(escape_cell(str(label)))) for value, label in Status.choices
    ]
    return text_case(*whens, default=status)


def list_expressions(*, latest_as_array: bool = False, as_of=None) -> dict:
    """key -> expression of each list column (LIST_COLUMNS' keys, in their order) over Project,
    in the active language and time zone. Reads the sectors and schemes (joined_names).

    With `latest_as_array` (PostgreSQL), the latest development's two cells come as one
    column, "latest_development", an array [date, text] from a single subquery. With `as_of`
    (a date), the status and latest development are those of that day (projects.querysets).
    """
    en = is_english()
    lang = "en" if en else "ja"
    latest = latest_developments_as_of(as_of)
    latest_date, latest_text = partial_date(english_names=en), escaped(F("text"))
    if latest_as_array:
        latest_cells = {
            "latest_development": Subquery(
                latest.annotate(cell=TextArray(latest_date, latest_text)).values("cell")[:1],
                output_field=TextField(),
            )
        }
    else:
        latest_cells = {
            key: Subquery(latest.annotate(cell=cell).values("cell")[:1], output_field=TextField())
            for key, cell in (
                ("latest_development_date", latest_date),
                ("latest_development_text", latest_text),
            )
        }
    return {
        "number": F("number"),
        "name": escaped(F("name")),
        "name_en": escaped(F("name_en")),
        "country": escaped(F(f"country__name_{lang}")),
        "region": escaped(F(f"country__region__name_{lang}")),
        "sectors": joined_names("sectors", en),
        "schemes": joined_names("schemes", en),
        "status": status_label_case(as_of),
        "is_new": yes_or_null(Q(edition_is_new=True)),
        "won": yes_or_null(won()),
        **latest_cells,
        "updated": LocalMinute(F("updated")),
        "version": F("version"),
    }


def development_expressions() -> dict:
    """key -> expression of each developments-sheet column, over Development, in the active
    language."""
    return {
        "project_number": F("project__number"),
        "sequence": F("sequence"),
        "date": partial_date(),
        "kind": label_case("kind", DevelopmentKind.choices),
        "text": escaped(F("text")),
        "source": escaped(F("source")),
    }


def values_of(queryset, expressions: dict):
    """The queryset as tuples of the expressions' values, in the expressions' order.

    The expressions are annotated under names no other annotation uses, so an annotation the
    queryset already has (the admin's `won`, say) is neither replaced nor selected; its filters
    and ordering stay as they are.
    """
    aliases = {f"export_cell_{key}": expression for key, expression in expressions.items()}
    return queryset.prefetch_related(None).annotate(**aliases).values_list(*aliases)
