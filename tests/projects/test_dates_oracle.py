"""Oracle (issue 13, step B2): the one partial-date grammar of projects.dates against the
readers and the writer it replaces, on generated text. Removed with the old code."""

import datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from projects import dates
from projects.spreadsheets import values

PIECES = [
    *"0123456789",
    *"０１２３４５６７８９",
    "2024",
    "２０２４",
    "1999",
    "0000",
    "9999",
    "12",
    "13",
    "30",
    "31",
    "02",
    "-",
    "/",
    ".",
    "－",
    "／",
    " ",
    "  ",
    "\t",
    "\u3000",
    "年",
    "月",
    "日",
    "年度",
    "年代",
    "令和",
    "平成",
    "元",
    "fy",
    "FY",
    "ＦＹ",
    "Fy ",
    "jan",
    "Jan",
    "January",
    "Sept.",
    "sep",
    "Mar.",
    "nov",
    "Dec",
    "foo",
    "to",
    " to ",
    "~",
    "〜",
    "～",
    "–",
    "—",
    " - ",
    "頃",
    "に",
    "夏",
    "ß",
    "İ",
]

generated = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=9).map("".join),
    st.text(max_size=12),
    st.text(alphabet="0123456789-/. 年月日度令和平成元fyjanov~–", max_size=16),
)

DATES = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31))
PRECISIONS = st.sampled_from(["day", "month", "year", "fiscal_year", "none", "", None, "week"])


def _outcome(parse, text):
    try:
        return ("ok", parse(text))
    except dates.NoSuchDate:
        return ("no such date",)
    except dates.NotADate:
        return ("not a date",)


@settings(max_examples=3000, deadline=None)
@given(generated)
@example("2024 - 03")
@example("令和6年2月30日")
@example("2024年3月～4月")
@example("fy 2024")
def test_field_reader_is_the_old_typed_reader(text):
    assert _outcome(lambda t: dates.parse_partial_date(t, accept=dates.FIELD), text) == _outcome(
        dates._parse_typed_before_b2, text
    )


def _new_cell(text):
    if not text.strip():
        return None, "none", None
    try:
        return tuple(dates.parse_partial_date(text, accept=dates.CELL))
    except (dates.NotADate, dates.NoSuchDate):
        return None


@settings(max_examples=3000, deadline=None)
@given(generated)
@example("Nov 2022 – Jan 2023")
@example("Nov–Dec 2022")
@example("Dec–Nov 2022")
@example("2022-11 ~ 2023-01")
@example("2024-02-30 ~ 2024-03")
@example("30 feb 2024")
@example("2023年2月30日")
@example("foo 2023年1月 bar")
def test_cell_reader_is_the_old_cell_reader(text):
    assert _new_cell(text) == values.parse_date_cell(text)


@settings(max_examples=3000, deadline=None)
@given(DATES, PRECISIONS, st.one_of(st.none(), DATES), st.sampled_from(["ja", "en", "en-us", "EN", "fr", ""]))
def test_formatter_is_the_old_formatter(start, precision, end, language):
    assert dates.format_partial_date(start, precision, end, language=language) == dates._format_before_b2(
        start, precision, end, language=language
    )
