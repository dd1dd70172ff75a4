"""Partial dates: read them (development texts, date boxes, spreadsheet cells) and write them.

`parse_development_date(text)` reads the FIRST date expression of a text as its date, and
the LAST date the text names, if later, as its end (a normalized copy is read, so
"２０２３年１月" and "2023 年 1 月" parse like "2023年1月"; the text itself is not changed) and
returns ParsedDate(date, precision, date_end):

==========================  ============  ===================  ==========================
expression                  precision     date                 date_end
==========================  ============  ===================  ==========================
2023年1月5日                day           2023-01-05           None
2023年1月                   month         2023-01-01           None
2022年11月～2023年1月       month         2022-11-01           2023-01-01
2023年4月～7月              month         2023-04-01           2023-07-01 (same year)
2022年5月にE/N署名、        month         2022-05-01           2022-07-01 (a later bare
7月にL/A締結                                                   month: the year before it)
2022年10月に…会合、及び     month         2022-10-01           2023-03-01 (several dates:
2023年3月に…会合において                                        the first and the last)
2021年度                    fiscal_year   2021-04-01           None (April 2021–March 2022)
2021年度～2023年度          fiscal_year   2021-04-01           2023-04-01
令和4年度 / 令和元年度      fiscal_year   2022-04-01 / 2019-…  None (令和N = 2018+N)
令和4年 / 平成30年          year          2022-01-01 / 2018-…  None (平成N = 1988+N)
2022年, 2023年夏頃,         year          2022-01-01 …         None (a season or part of a
2023年秋から年末頃                                             year: the nearest honest
                                                               precision is the year)
(none)                      none          None                 None
==========================  ============  ===================  ==========================

A range's date_end is the first day of its last period, and always after `date`: a
same-year month range whose end month comes before its start runs into the next year
("2022年12月～1月" ends January 2023). A text naming several dates ends at the latest of
those after the first that mark when something happened (followed by に, より, から or 、, or
まで after a から date), written at the first date's precision (a day of a month-precision
text gives its month; a coarser date is no end): "2022年に国会が2025年までの方針を承認" has
no end (2025 is what the policy covers), nor has "2022年12月に…2020年12月に交換した覚書"
(an earlier event). A decade ("2030年代中頃") is not a date this model can
hold: it is skipped, and the search goes on to the next expression. A day that does not
exist (2023年2月30日) gives the month.

`parse_partial_date(text, accept=...)` reads one whole text as a date: FIELD, the forms of the
admin's date boxes (2024-03, FY2024, 2024年度, 令和6年3月), or CELL, those of a spreadsheet
cell (also "Mar 2024", ranges "2022-11 ~ 2023-01", and Japanese prose as above).

`format_partial_date(date, precision, date_end=None, language=None)` writes one back, from the
table DATE_FORMS / SAME_YEAR_RANGES that projects.spreadsheets.cells also builds its SQL from:
"2023年1月", "2022年11月～2023年1月", "2021年度", "2022年", "" for none; in English "Jan 2023",
"Nov 2022 – Jan 2023", "FY2021", "2022".
"""

from __future__ import annotations

import datetime
import enum
import re
from typing import NamedTuple

from projects.choices import DatePrecision
from projects.text import fold, match_form
from tracker.locale import is_english

DAY = DatePrecision.DAY.value
MONTH = DatePrecision.MONTH.value
YEAR = DatePrecision.YEAR.value
FISCAL_YEAR = DatePrecision.FISCAL_YEAR.value
NONE = DatePrecision.NONE.value

ERAS = {"令和": 2018, "平成": 1988}

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_YEAR = r"(?:(?P<era>令和|平成)(?P<era_year>\d{1,2}|元)|(?<!\d)(?P<year>\d{4}))年"
_START = re.compile(_YEAR + r"(?:(?P<fiscal>度)|(?P<decade>代)|(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日)?)?")
_RANGE_SEP = re.compile(r"[~〜～\-－―‐]")
_END = re.compile(
    r"(?:" + _YEAR.replace("?P<", "?P<end_") + r")?"
    r"(?:(?P<end_fiscal>度)|(?P<end_month>\d{1,2})月(?:(?P<end_day>\d{1,2})日)?)?"
)


# After the first date: a later full date, or a bare month ("7月", "7月5日") of the year before it.
_LATER = re.compile(_START.pattern + r"|(?<![\d年])(?P<bare_month>\d{1,2})月(?:(?P<bare_day>\d{1,2})日)?")
# What follows a date that names when something happened: "7月に", "2023年3月より", "2022年、".
_EVENT_MARK = re.compile(r"に|より|から|、")


class ParsedDate(NamedTuple):
    date: datetime.date | None
    precision: str
    date_end: datetime.date | None


NO_DATE = ParsedDate(None, NONE, None)


def _normalize(text: str) -> str:
    return re.sub(r"\s+", "", fold(text))


def _year(era: str | None, era_year: str | None, year: str | None) -> int | None:
    if era:
        return ERAS[era] + (1 if era_year == "元" else int(era_year))
    if year:
        return int(year)
    return None


def _make(year: int, month: int | None, day: int | None) -> tuple[datetime.date, str] | None:
    if month is None:
        return datetime.date(year, 1, 1), YEAR
    if not 1 <= month <= 12:
        return None
    if day is not None:
        try:
            return datetime.date(year, month, day), DAY
        except ValueError:
            pass
    return datetime.date(year, month, 1), MONTH


def _parse_end(text: str, pos: int, start: datetime.date, precision: str) -> tuple[datetime.date | None, int]:
    """(end, position after it) of a range that starts at `start`, if text[pos:] is "～<end>" of
    the same precision; else (None, pos)."""
    end = _range_end(text, pos, start, precision)
    return (end, _END.match(text, pos + 1).end()) if end else (None, pos)


def _range_end(text: str, pos: int, start: datetime.date, precision: str) -> datetime.date | None:
    if pos >= len(text) or not _RANGE_SEP.match(text[pos]):
        return None
    match = _END.match(text, pos + 1)
    if not match or match.end() == pos + 1:
        return None
    year = _year(match["end_era"], match["end_era_year"], match["end_year"])
    fiscal = match["end_fiscal"] is not None
    month = int(match["end_month"]) if match["end_month"] else None
    day = int(match["end_day"]) if match["end_day"] else None
    if precision == FISCAL_YEAR:
        if year is None or not fiscal:
            return None
        end = datetime.date(year, 4, 1)
    elif precision == YEAR:
        if year is None or fiscal or month is not None:
            return None
        end = datetime.date(year, 1, 1)
    else:
        if fiscal or month is None or (precision == DAY) != (day is not None):
            return None
        if year is None:
            year = start.year
            if (month, day or 1) <= (start.month, start.day if precision == DAY else 1):
                year += 1  # a range runs forward: "2022年12月～1月" ends in January 2023
        made = _make(year, month, day)
        if made is None or made[1] != precision:
            return None
        end = made[0]
    return end if end > start else None


def _start_of(match: re.Match, year: int) -> tuple[datetime.date, str]:
    """The date and precision of a _START match (a month that does not exist gives the year)."""
    if match["fiscal"]:
        return datetime.date(year, 4, 1), FISCAL_YEAR
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    return _make(year, month, day) or _make(year, None, None)


def _at_precision(value: datetime.date, precision: str, target: str) -> datetime.date | None:
    """`value` written at the coarser (or same) `target` precision; None if it cannot be (a year
    is not a month, a fiscal year is neither)."""
    if precision == target:
        return value
    if target == MONTH and precision == DAY:
        return value.replace(day=1)
    if target == YEAR and precision in (DAY, MONTH):
        return value.replace(month=1, day=1)
    return None


def _later_end(
    text: str, pos: int, start: datetime.date, precision: str, year: int, after: str
) -> datetime.date | None:
    """The latest of the event dates in text[pos:] that come after `start`, at its precision.

    An event date is a date expression followed by 「に」「より」「から」 or 「、」 (or 「まで」
    right after a 「から」 date): "7月に", "2023年３月にダッカで"; not "2025年までの" (what a
    policy covers, not when something happened). A bare month ("7月") takes the year of the
    date before it. A later date of a coarser precision, or one not after `start`, is no end."""
    best = None
    for match in _LATER.finditer(text, pos):
        if match["decade"]:
            continue
        if match["bare_month"]:
            made = _make(
                year, int(match["bare_month"]), int(match["bare_day"]) if match["bare_day"] else None
            )
            if made is None:
                continue
            value, value_precision = made
        else:
            year = _year(match["era"], match["era_year"], match["year"])
            value, value_precision = _start_of(match, year)
        range_end, end_pos = _parse_end(text, match.end(), value, value_precision)
        if range_end is not None:
            value, year = range_end, range_end.year
        follows = text[end_pos:]
        is_event = _EVENT_MARK.match(follows) or (after.startswith("から") and follows.startswith("まで"))
        after = follows
        if not is_event:
            continue
        value = _at_precision(value, value_precision, precision)
        if value is not None and value > start and (best is None or value > best):
            best = value
    return best


def parse_development_date(text: str | None) -> ParsedDate:
    """The first date expression in `text` (see the module docstring), or (None, "none", None);
    its end is the last date the text names, if later (see _later_end)."""
    if not text:
        return NO_DATE
    normalized = _normalize(text)
    for match in _START.finditer(normalized):
        if match["decade"]:
            continue  # "2030年代": a decade, not a date this model can hold
        year = _year(match["era"], match["era_year"], match["year"])
        if year is None:  # pragma: no cover - the pattern always has a year
            continue
        start, precision = _start_of(match, year)
        end, pos = _parse_end(normalized, match.end(), start, precision)
        later = _later_end(normalized, pos, start, precision, (end or start).year, normalized[pos:])
        ends = [value for value in (end, later) if value is not None]
        return ParsedDate(start, precision, max(ends) if ends else None)
    return NO_DATE


# Writing a partial date: one table for Python (format_partial_date) and SQL (spreadsheets.cells).


class Part(enum.Enum):
    """A field of a date in a written form; the other parts of a form are literal text."""

    YEAR = "year"  # 2023
    MONTH = "month"  # 1 … 12, no leading zero
    DAY = "day"  # 1 … 31, no leading zero
    MONTH_EN = "month_en"  # MONTHS_EN[month - 1]


_Y, _M, _D, _MON = Part.YEAR, Part.MONTH, Part.DAY, Part.MONTH_EN

# (language, precision) -> the parts of one date written at that precision.
DATE_FORMS: dict[tuple[str, str], tuple[Part | str, ...]] = {
    ("ja", DAY): (_Y, "年", _M, "月", _D, "日"),
    ("ja", MONTH): (_Y, "年", _M, "月"),
    ("ja", FISCAL_YEAR): (_Y, "年度"),
    ("ja", YEAR): (_Y, "年"),
    ("en", DAY): (_D, " ", _MON, " ", _Y),
    ("en", MONTH): (_MON, " ", _Y),
    ("en", FISCAL_YEAR): ("FY", _Y),
    ("en", YEAR): (_Y,),
}

# A range is its start, a separator and its end, each in its DATE_FORMS form …
RANGE_SEPARATORS = {"ja": "～", "en": " – "}
# … except within one year, where (language, precision) -> (start parts, separator, end parts)
# leave out the repeated year: "2023年4月～7月", "2023年4月1日～7月5日", "Apr–Jul 2023".
SAME_YEAR_RANGES: dict[tuple[str, str], tuple[tuple[Part | str, ...], str, tuple[Part | str, ...]]] = {
    ("ja", MONTH): (DATE_FORMS["ja", MONTH], RANGE_SEPARATORS["ja"], (_M, "月")),
    ("ja", DAY): (DATE_FORMS["ja", DAY], RANGE_SEPARATORS["ja"], (_M, "月", _D, "日")),
    ("en", MONTH): ((_MON,), "–", DATE_FORMS["en", MONTH]),
}


def language_key(language: str | None = None) -> str:
    """The key of DATE_FORMS for `language` (None: the active language): "en" or "ja"."""
    return "en" if is_english(language) else "ja"


def range_forms(language: str, precision: str, same_year: bool):
    """(start parts, separator, end parts) of a range at `precision` in `language` ("en", "ja")."""
    if same_year and (language, precision) in SAME_YEAR_RANGES:
        return SAME_YEAR_RANGES[language, precision]
    one = DATE_FORMS[language, precision]
    return one, RANGE_SEPARATORS[language], one


def _written(parts, value: datetime.date) -> str:
    fields = {_Y: value.year, _M: value.month, _D: value.day, _MON: MONTHS_EN[value.month - 1]}
    return "".join(part if isinstance(part, str) else str(fields[part]) for part in parts)


def format_partial_date(
    date: datetime.date | None,
    precision: str | None,
    date_end: datetime.date | None = None,
    language: str | None = None,
) -> str:
    """A partial date (or range) as text: "2023年1月", "2022年11月～2023年1月", "FY2021", "" …

    In `language`, or the active language when it is None."""
    precision = str(precision or NONE)
    if date is None or precision == NONE:
        return ""
    language = language_key(language)
    if (language, precision) not in DATE_FORMS:
        precision = YEAR  # a precision this table does not know is written as the year
    if date_end is None or date_end <= date:
        return _written(DATE_FORMS[language, precision], date)
    start, separator, end = range_forms(language, precision, date_end.year == date.year)
    return _written(start, date) + separator + _written(end, date_end)


def format_partial_date_input(
    value: datetime.date | None, precision: str | None, language: str | None = None
) -> str:
    """A date as `parse_partial_date` reads it back: 2024-03-15, 2024-03, 2024, 2024年度 / FY2024.

    In `language`, or the active language when it is None."""
    precision = str(precision or NONE)
    if value is None or precision == NONE:
        return ""
    if precision == DAY:
        return value.isoformat()
    if precision == MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    if precision == FISCAL_YEAR:
        return f"FY{value.year}" if is_english(language) else f"{value.year}年度"
    return str(value.year)


# Reading one whole text as a date (a date box, a spreadsheet cell).

# The forms a text may take; `accept` names those a reader takes.
ISO = "iso"  # 2024, 2024-03, 2024-03-15 (also with "/" or ".")
FISCAL = "fiscal"  # FY2024, FY 2024
JAPANESE = "japanese"  # the whole text is one Japanese date: 2024年3月15日, 2024年度, 令和6年3月
ENGLISH = "english"  # Mar 2024, 15 March 2024
RANGES = "ranges"  # two dates of one precision: "2022-11 ~ 2023-01", "Nov–Dec 2022"
PROSE = "prose"  # a text with a Japanese date is read as parse_development_date reads it
COMPACT = "compact"  # white space is ignored anywhere ("２０２４ 年 ３ 月", "2024 -03")

FIELD = frozenset({ISO, FISCAL, JAPANESE, COMPACT})  # what the admin's date boxes take
CELL = frozenset({ISO, FISCAL, ENGLISH, RANGES, PROSE})  # what the spreadsheet import takes

_NUMERIC = re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?")
_FISCAL = re.compile(r"fy ?(\d{4})")
_JAPANESE_MARK = re.compile(r"\d\s*年|令和|平成")
_MONTH_NAME = r"([a-z]{3})[a-z]*\.?"
_EN_MONTH = re.compile(_MONTH_NAME + r"\s+(\d{4})")
_EN_DAY = re.compile(r"(\d{1,2})\s+" + _MONTH_NAME + r"\s+(\d{4})")
_EN_MONTH_RANGE = re.compile(_MONTH_NAME + r"\s*[–~-]\s*" + _MONTH_NAME + r"\s+(\d{4})")
_TEXT_RANGE = re.compile(r"(.+?)\s*(?:[~〜～–—]|\s-\s|\sto\s)\s*(.+)")
_MONTH_NUMBERS = {name.casefold(): number for number, name in enumerate(MONTHS_EN, 1)}


class NotADate(ValueError):
    """The text is not one of the date forms `parse_partial_date` reads."""


class NoSuchDate(ValueError):
    """The text has a date's form but names no real date (2024-02-30, 2024年13月)."""


def _exact(value: str, year, month=None, day=None) -> ParsedDate:
    """The date with the precision of the fields given; NoSuchDate if it does not exist."""
    try:
        if day:
            return ParsedDate(datetime.date(int(year), int(month), int(day)), DAY, None)
        if month:
            return ParsedDate(datetime.date(int(year), int(month), 1), MONTH, None)
        return ParsedDate(datetime.date(int(year), 1, 1), YEAR, None)
    except ValueError as exc:
        raise NoSuchDate(value) from exc


def _one(value: str, text: str, accept: frozenset) -> ParsedDate | None:
    """`text` (folded) as one date of a form in `accept`, or None."""
    if FISCAL in accept and (match := _FISCAL.fullmatch(text)):
        return ParsedDate(datetime.date(int(match[1]), 4, 1), FISCAL_YEAR, None)
    if ISO in accept and (match := _NUMERIC.fullmatch(text)):
        return _exact(value, *match.groups())
    if JAPANESE in accept and (match := _START.fullmatch(text)) and not match["decade"]:
        year = _year(match["era"], match["era_year"], match["year"])
        if match["fiscal"]:
            return ParsedDate(datetime.date(year, 4, 1), FISCAL_YEAR, None)
        return _exact(value, year, match["month"], match["day"])
    if ENGLISH in accept:
        if (match := _EN_MONTH.fullmatch(text)) and match[1] in _MONTH_NUMBERS:
            return _exact(value, match[2], _MONTH_NUMBERS[match[1]])
        if (match := _EN_DAY.fullmatch(text)) and match[2] in _MONTH_NUMBERS:
            return _exact(value, match[3], _MONTH_NUMBERS[match[2]], match[1])
    return None


def _range(value: str, text: str, accept: frozenset) -> ParsedDate | None:
    """`text` (folded) as a range of two dates of one precision, or None."""
    match = _EN_MONTH_RANGE.fullmatch(text) if ENGLISH in accept else None
    if match and match[1] in _MONTH_NUMBERS and match[2] in _MONTH_NUMBERS:
        start = _exact(value, match[3], _MONTH_NUMBERS[match[1]]).date
        end = _exact(value, match[3], _MONTH_NUMBERS[match[2]]).date
        return ParsedDate(start, MONTH, end) if end > start else None
    if match := _TEXT_RANGE.fullmatch(text):
        start, end = _one(value, match[1].strip(), accept), _one(value, match[2].strip(), accept)
        if start and end and start.precision == end.precision and end.date > start.date:
            return ParsedDate(start.date, start.precision, end.date)
    return None


def parse_partial_date(value: str | None, *, accept: frozenset = FIELD) -> ParsedDate | None:
    """One date (or range) with its precision, the whole of `value`, in a form of `accept`.

    FIELD (the admin's date boxes) reads 2024, 2024-03, 2024-03-15 (also with "/" or "."),
    FY2024, and the Japanese forms 2024年, 2024年3月, 2024年3月15日, 2024年度 and 和暦
    (令和6年3月, 令和6年度, 令和元年), ignoring spaces. CELL (spreadsheet cells) reads the
    same numeric forms, "Mar 2024", "15 Mar 2024", ranges of those ("2022-11 ~ 2023-01",
    "Nov 2022 – Jan 2023", "Nov–Dec 2022"), and a text with a Japanese date as
    `parse_development_date` reads it. Full-width characters are read as their plain form.
    Returns None for empty input; raises NotADate or NoSuchDate.
    """
    text = match_form(value or "")
    if COMPACT in accept:
        text = text.replace(" ", "")
    if not text:
        return None
    if PROSE in accept and _JAPANESE_MARK.search(text):
        parsed = parse_development_date(value)
        if parsed.date is None:
            raise NotADate(value)
        return parsed
    parsed = _one(value, text, accept)
    if parsed is None and RANGES in accept:
        parsed = _range(value, text, accept)
    if parsed is None:
        raise NotADate(value)
    return parsed
