"""A cell's value as the import reads it: numbers, text, partial dates (ISO, fiscal year,
English, ranges, Japanese prose), yes/no, and names of countries, sectors and schemes looked up
in either language."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import override

from countries.models import Country
from projects.dates import CELL, NoSuchDate, NotADate, format_partial_date, parse_partial_date
from projects.models import (
    DatePrecision,
    Development,
    DevelopmentKind,
    Scheme,
    Sector,
    Status,
)
from projects.spreadsheets.columns import (
    unescape_cell,
)
from projects.spreadsheets.messages import _
from projects.spreadsheets.reading import _MonthValue, _norm
from projects.spreadsheets.xlsx import decode_characters
from projects.text import fold


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = fold(value).strip()
        if re.fullmatch(r"[0-9]{1,9}", text):
            return int(text)
    return None


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if not (value.hour or value.minute or value.second)
            else value.isoformat()
        )
    if isinstance(value, _MonthValue):
        return f"{value.year}-{value.month:02d}"
    if isinstance(value, str):
        return unescape_cell(decode_characters(value))
    return str(value)


def parse_date_cell(value) -> tuple[date | None, str, date | None] | None:
    """A date cell as (date, precision, date_end); None when it is not a date.

    Excel dates and months are read here; text (and a whole number, as a year) is read by
    `projects.dates.parse_partial_date` in its CELL forms: "2024-03-15", "2024-03", "2024",
    "FY2024", "Mar 2024", ranges of those ("2022-11 ~ 2023-01", "Nov 2022 – Jan 2023"), and
    every Japanese form `parse_development_date` reads ("2023年1月", "2022年11月～2023年1月",
    "2021年度", "令和4年").
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, DatePrecision.NONE, None
    if isinstance(value, _MonthValue):
        return date(value.year, value.month, 1), DatePrecision.MONTH, None
    if isinstance(value, datetime):
        return value.date(), DatePrecision.DAY, None
    if isinstance(value, date):
        return value, DatePrecision.DAY, None
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    try:
        parsed = parse_partial_date(str(value), accept=CELL)
    except (NotADate, NoSuchDate):
        return None
    return tuple(parsed) if parsed is not None else None


def _same_text(a: str, b: str) -> bool:
    """Equal up to line endings: XML turns a stored carriage return into a line feed."""
    return a.replace("\r\n", "\n").replace("\r", "\n") == b.replace("\r\n", "\n").replace("\r", "\n")


YES = {"yes", "y", "true", "1", "はい", "○", "◯", "✓", "✔", "新規"}


NO = {"", "no", "n", "false", "0", "いいえ", "-", "×"}


class _Lookups:
    """Codes and names (both languages) of the reference data, normalized for matching."""

    def __init__(self):
        self.countries = {}
        for country in Country.objects.all():
            for key in (country.iso_code, country.name_ja, country.name_en):
                self.countries[_norm(key)] = country
        self.sectors = self._named(Sector.objects.all())
        self.schemes = self._named(Scheme.objects.all())
        self.spans = {"sectors": _span(self.sectors), "schemes": _span(self.schemes)}
        self.statuses = self._choices(Status)
        self.kinds = self._choices(DevelopmentKind)
        self.yes = set(YES)
        self.no = set(NO)
        for language in ("en", "ja"):
            with override(language):
                self.yes.add(_norm(_("Yes")))
                self.no.add(_norm(_("No")))

    @staticmethod
    def _named(queryset) -> dict:
        return {_norm(key): obj for obj in queryset for key in (obj.code, obj.name_ja, obj.name_en)}

    @staticmethod
    def _choices(choices) -> dict:
        result = {}
        for code, label in choices.choices:
            result[_norm(code)] = code
            for language in ("en", "ja"):
                with override(language):
                    result[_norm(label)] = code
        return result


_LIST_SEPARATOR = re.compile(r"([、,，;；\n/／])")


def _span(lookup: dict) -> int:
    """The most pieces (names and separators) that one name of `lookup` is cut into."""
    return max((2 * len(_LIST_SEPARATOR.findall(key)) + 1 for key in lookup), default=1)


def _split_names(text: str, lookup: dict, span: int | None = None) -> tuple[list, list[str]]:
    """Objects named in a list cell, matching names that contain a separator themselves.

    "Urban, real estate and housing development, smart cities" is one sector; the cell is cut
    at separators and the longest run of pieces that names something wins. A run is never
    longer than the longest name (`span` pieces), so the work grows linearly with the cell.
    """
    if span is None:
        span = _span(lookup)
    parts = _LIST_SEPARATOR.split(text)
    found, unknown = [], []
    i = 0
    while i < len(parts):
        if _LIST_SEPARATOR.fullmatch(parts[i]) or not parts[i].strip():
            i += 1
            continue
        for j in range(min(len(parts), i + span), i, -1):
            candidate = _norm("".join(parts[i:j]))
            if candidate in lookup:
                if lookup[candidate] not in found:
                    found.append(lookup[candidate])
                i = j
                break
        else:
            unknown.append(parts[i].strip())
            i += 1
    return found, unknown


def _names(objects: Iterable) -> str:
    return "、".join(str(o.name) for o in objects)


def tokyo_minute(value: datetime) -> str:
    """A date-time as "YYYY-MM-DD HH:MM" in the tracker's time zone (Asia/Tokyo), whatever
    time zone is active."""
    return timezone.localtime(value, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")


def _same_date_text(raw, development: Development) -> bool:
    """Whether the cell still holds the development's date as an export writes it (either language)."""
    text = _as_text(raw).strip()
    values = (development.date, development.date_precision, development.date_end)
    return any(text == format_partial_date(*values, language=language) for language in ("ja", "en"))


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _yes_no(value: bool) -> str:
    return _("Yes") if value else ""
