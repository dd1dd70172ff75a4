import datetime
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.dates import (
    CELL,
    FIELD,
    NoSuchDate,
    NotADate,
    ParsedDate,
    format_partial_date,
    format_partial_date_input,
    parse_development_date,
    parse_partial_date,
)
from projects.models import DatePrecision

D = datetime.date


def test_month_with_full_width_digits_and_pdf_spaces():
    assert parse_development_date("2023 年１月に旅客ターミナル（第１期分）の入札情報が再公示") == ParsedDate(
        D(2023, 1, 1), DatePrecision.MONTH, None
    )


def test_month_all_full_width():
    assert parse_development_date("２０２２年１１月に契約") == (D(2022, 11, 1), "month", None)


def test_month_half_width():
    assert parse_development_date("2020年7月にL/A締結") == (D(2020, 7, 1), "month", None)


def test_day():
    assert parse_development_date("2023年３月15日に署名") == (D(2023, 3, 15), "day", None)


def test_day_that_does_not_exist_falls_back_to_the_month():
    assert parse_development_date("2023年2月30日に署名") == (D(2023, 2, 1), "month", None)


def test_range_with_both_years():
    assert parse_development_date("2022年11月～2023年１月にサービスの導入エリアを拡大") == (
        D(2022, 11, 1),
        "month",
        D(2023, 1, 1),
    )


def test_range_with_spaces_and_mixed_widths():
    assert parse_development_date("・2021 年 12 月～2022 年 1 月にハノイ市において") == (
        D(2021, 12, 1),
        "month",
        D(2022, 1, 1),
    )


def test_range_within_one_year():
    assert parse_development_date("実証実験を2023年４月～７月に実施") == (
        D(2023, 4, 1),
        "month",
        D(2023, 7, 1),
    )


def test_range_within_one_year_that_wraps_into_the_next():
    assert parse_development_date("2022年12月～1月に実施") == (D(2022, 12, 1), "month", D(2023, 1, 1))


def test_range_over_years_and_months():
    assert parse_development_date("総務省と連携し、2022年７月～2024年３月に実証実験を実施") == (
        D(2022, 7, 1),
        "month",
        D(2024, 3, 1),
    )


def test_fiscal_year():
    assert parse_development_date("スタミダムについて、2021 年度より協力準備調査を実施中") == (
        D(2021, 4, 1),
        DatePrecision.FISCAL_YEAR,
        None,
    )


def test_fiscal_year_range():
    assert parse_development_date("2021年度～2023年度に実施") == (D(2021, 4, 1), "fiscal_year", D(2023, 4, 1))


def test_reiwa_fiscal_year():
    assert parse_development_date("令和４年度の「デジタル技術を活用した…」で採択") == (
        D(2022, 4, 1),
        "fiscal_year",
        None,
    )


def test_reiwa_gannen_fiscal_year():
    assert parse_development_date("令和元年度に採択") == (D(2019, 4, 1), "fiscal_year", None)


def test_reiwa_year():
    assert parse_development_date("令和5年に開始") == (D(2023, 1, 1), "year", None)


def test_year():
    assert parse_development_date("2022 年にベトナム国会が 2025 年までの投資方針を承認") == (
        D(2022, 1, 1),
        DatePrecision.YEAR,
        None,
    )


def test_year_range():
    assert parse_development_date("2022年～2024年に実施") == (D(2022, 1, 1), "year", D(2024, 1, 1))


def test_season_is_a_year():
    assert parse_development_date("2023 年夏頃を目標に実証実験を実施予定") == (D(2023, 1, 1), "year", None)


def test_season_to_year_end_is_a_year():
    text = "停滞していたが、2023 年秋から年末頃に PPP 入札公示予定"
    assert parse_development_date(text) == (D(2023, 1, 1), "year", None)


def test_a_later_bare_month_is_the_end_in_the_year_before_it():
    text = "2022年5月にE/N署名、7月にL/A締結（第三期）"
    assert parse_development_date(text) == (D(2022, 5, 1), "month", D(2022, 7, 1))


MEETINGS = (
    "2022年10月に東京で開催された第５回日バPPPプラットフォーム会合、及び2023年３月にダッカで"
    "開催された日バPPPプラットフォーム・フォローアップ会合等において、相手国政府と案件化に向けた協議を実施"
)


def test_several_dates_run_from_the_first_to_the_last():
    assert parse_development_date(MEETINGS) == (D(2022, 10, 1), "month", D(2023, 3, 1))
    three = "2021年4月に着工、2022年1月に一部開通、2023年2月に全線開通"
    assert parse_development_date(three) == (D(2021, 4, 1), "month", D(2023, 2, 1))
    assert parse_development_date("2021年度より調査、2023年度に設計") == (
        D(2021, 4, 1),
        "fiscal_year",
        D(2023, 4, 1),
    )


def test_the_end_is_the_latest_of_the_later_dates():
    text = "2022年5月にE/N署名、2023年3月にL/A締結、2022年12月に入札公示"
    assert parse_development_date(text) == (D(2022, 5, 1), "month", D(2023, 3, 1))


def test_a_later_range_ends_at_its_end():
    text = "2021年5月に公示、2022年10月～12月に評価"
    assert parse_development_date(text) == (D(2021, 5, 1), "month", D(2022, 12, 1))
    text = "2021年12月～2022年1月に実証実験、2023年3月に協議"
    assert parse_development_date(text) == (D(2021, 12, 1), "month", D(2023, 3, 1))


def test_from_until_is_a_range():
    text = "2022年10月から2023年3月まで実証実験を実施"
    assert parse_development_date(text) == (D(2022, 10, 1), "month", D(2023, 3, 1))


@pytest.mark.parametrize(
    "text",
    [
        # What a policy covers, not when something happened (project 4):
        "2022年にベトナム国会が2025年までの南北高速道路東線投資方針を承認",
        # An earlier event it refers to (project 21):
        "2022年12月にタイ運輸大臣による国土交通大臣表敬を行い、2020年12月に交換した４者協力覚書の更新を確認",
        # Relative years and a decade (project 48):
        "2022年５月にシンガポール運輸相が、２～３年以内の工事着工、及び2030年代中頃の開業を発表",
        # A later date not followed by に, より, から or 、:
        "2022年5月に署名、2023年の完成を目指す",
        # A bare month of the same year before the first month: no guessed year.
        "2022年11月にE/N署名、2月にL/A締結",
        # A coarser later date (a year, a season) is no month:
        "2022年5月に署名、2023年に着工予定",
        "2022年5月に署名、2023年夏頃に実証実験を実施予定",
        # Numbers that are not months:
        "2022年5月に署名、3ヶ月に一度、協議",
    ],
)
def test_no_wrong_end(text):
    assert parse_development_date(text).date_end is None


def test_a_later_day_gives_its_month_and_a_later_month_its_year():
    assert parse_development_date("2022年5月に署名、2022年7月15日に締結") == (
        D(2022, 5, 1),
        "month",
        D(2022, 7, 1),
    )
    assert parse_development_date("2021年に署名、2022年7月に締結") == (D(2021, 1, 1), "year", D(2022, 1, 1))
    assert parse_development_date("2022年5月1日に署名、7月に締結").date_end is None  # a month is no day
    assert parse_development_date("2022年5月1日に署名、7月10日に締結") == (
        D(2022, 5, 1),
        "day",
        D(2022, 7, 10),
    )


def test_decade_is_skipped_for_the_next_expression():
    assert parse_development_date("2030年代中頃の開業を発表") == (None, "none", None)
    assert parse_development_date("2030年代中頃の開業を2022年５月に発表") == (D(2022, 5, 1), "month", None)


def test_small_numbers_are_not_years():
    assert parse_development_date("２～３年以内の工事着工") == (None, DatePrecision.NONE, None)


@pytest.mark.parametrize("text", ["", None, "相手国政府において事業の実現に向け検討中", "入札手続き中"])
def test_no_date(text):
    assert parse_development_date(text) == ParsedDate(None, "none", None)


def test_range_that_does_not_go_forward_has_no_end():
    assert parse_development_date("2023年5月～2023年5月") == (D(2023, 5, 1), "month", None)


def test_range_end_of_another_precision_is_ignored():
    assert parse_development_date("2022年7月～2024年に実施") == (D(2022, 7, 1), "month", None)


def test_format_japanese():
    assert format_partial_date(D(2023, 1, 1), "month") == "2023年1月"
    assert format_partial_date(D(2023, 1, 5), "day") == "2023年1月5日"
    assert format_partial_date(D(2021, 4, 1), DatePrecision.FISCAL_YEAR) == "2021年度"
    assert format_partial_date(D(2022, 1, 1), DatePrecision.YEAR) == "2022年"


def test_format_japanese_ranges():
    assert format_partial_date(D(2022, 11, 1), "month", D(2023, 1, 1)) == "2022年11月～2023年1月"
    assert format_partial_date(D(2023, 4, 1), "month", D(2023, 7, 1)) == "2023年4月～7月"
    assert format_partial_date(D(2021, 4, 1), "fiscal_year", D(2023, 4, 1)) == "2021年度～2023年度"


def test_format_english():
    assert format_partial_date(D(2023, 1, 1), "month", language="en") == "Jan 2023"
    assert format_partial_date(D(2023, 1, 5), "day", language="en") == "5 Jan 2023"
    assert format_partial_date(D(2021, 4, 1), "fiscal_year", language="en") == "FY2021"
    assert format_partial_date(D(2022, 1, 1), "year", language="en-us") == "2022"
    assert format_partial_date(D(2022, 11, 1), "month", D(2023, 1, 1), language="en") == "Nov 2022 – Jan 2023"
    assert format_partial_date(D(2023, 4, 1), "month", D(2023, 7, 1), language="en") == "Apr–Jul 2023"


def test_format_nothing():
    assert format_partial_date(None, "none") == ""
    assert format_partial_date(None, "month") == ""
    assert format_partial_date(D(2023, 1, 1), DatePrecision.NONE) == ""


def test_parse_then_format_round_trip():
    parsed = parse_development_date("・2022 年 11 月～2023 年１月にサービスの導入エリアを拡大")
    assert format_partial_date(*parsed) == "2022年11月～2023年1月"


# Typed dates: the one parser of the admin's date boxes


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2024", (date(2024, 1, 1), "year")),
        ("2024年", (date(2024, 1, 1), "year")),
        ("2024-03", (date(2024, 3, 1), "month")),
        ("2024/3", (date(2024, 3, 1), "month")),
        ("2024年3月", (date(2024, 3, 1), "month")),
        ("２０２４－０３", (date(2024, 3, 1), "month")),
        ("2024-03-15", (date(2024, 3, 15), "day")),
        ("2024年3月15日", (date(2024, 3, 15), "day")),
        ("２０２４／３／１５", (date(2024, 3, 15), "day")),
        ("FY2024", (date(2024, 4, 1), "fiscal_year")),
        ("fy 2024", (date(2024, 4, 1), "fiscal_year")),
        ("ＦＹ２０２４", (date(2024, 4, 1), "fiscal_year")),
        ("2024年度", (date(2024, 4, 1), "fiscal_year")),
        ("２０２４年度", (date(2024, 4, 1), "fiscal_year")),
        ("令和6年3月", (date(2024, 3, 1), "month")),
        ("令和６年３月１５日", (date(2024, 3, 15), "day")),
        ("令和6年度", (date(2024, 4, 1), "fiscal_year")),
        ("令和元年", (date(2019, 1, 1), "year")),
        ("令和元年度", (date(2019, 4, 1), "fiscal_year")),
        ("平成30年4月", (date(2018, 4, 1), "month")),
    ],
)
def test_parse_partial_date(typed, expected):
    assert parse_partial_date(typed) == ParsedDate(*expected, None)


@pytest.mark.parametrize("typed", ["", " ", None])
def test_parse_partial_date_of_nothing_is_none(typed):
    assert parse_partial_date(typed) is None


@pytest.mark.parametrize("typed", ["24-03", "March 2024", "2024年夏頃", "2030年代", "2024年3月～4月"])
def test_parse_partial_date_refuses_other_text(typed):
    with pytest.raises(NotADate):
        parse_partial_date(typed)


@pytest.mark.parametrize("typed", ["2024-02-30", "2024-13", "2024年13月", "令和6年2月30日"])
def test_parse_partial_date_refuses_dates_that_do_not_exist(typed):
    with pytest.raises(NoSuchDate):
        parse_partial_date(typed)


@pytest.mark.parametrize(
    ("value", "precision", "language", "text"),
    [
        (date(2024, 3, 15), "day", "ja", "2024-03-15"),
        (date(2024, 3, 1), "month", "ja", "2024-03"),
        (date(2024, 1, 1), "year", "ja", "2024"),
        (date(2024, 4, 1), "fiscal_year", "ja", "2024年度"),
        (date(2024, 4, 1), "fiscal_year", "en", "FY2024"),
        (None, "none", "ja", ""),
    ],
)
def test_partial_date_input_round_trip(value, precision, language, text):
    assert format_partial_date_input(value, precision, language=language) == text
    assert parse_partial_date(text) == (ParsedDate(value, precision, None) if value else None)


# Properties of the one grammar (issue 13, step B2: it replaced the admin's and the import's
# readers after an oracle compared them on generated text).

PRECISIONS = ["day", "month", "year", "fiscal_year"]
FOUR_DIGIT_DATES = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))


def _at(value: date, precision: str) -> date:
    """The first day of the period of `precision` that holds `value` (as the model stores it)."""
    return {
        "day": value,
        "month": value.replace(day=1),
        "year": value.replace(month=1, day=1),
        "fiscal_year": date(value.year, 4, 1),
    }[precision]


@settings(max_examples=500, deadline=None)
@given(
    FOUR_DIGIT_DATES,
    st.one_of(st.none(), FOUR_DIGIT_DATES),
    st.sampled_from(PRECISIONS),
    st.sampled_from(["ja", "en"]),
)
def test_a_cell_reads_back_every_date_and_range_the_export_writes(start, end, precision, language):
    start = _at(start, precision)
    end = _at(end, precision) if end is not None and _at(end, precision) > start else None
    written = format_partial_date(start, precision, end, language=language)
    assert parse_partial_date(written, accept=CELL) == (start, precision, end), written


@settings(max_examples=300, deadline=None)
@given(FOUR_DIGIT_DATES, st.sampled_from(PRECISIONS), st.sampled_from(["ja", "en"]))
def test_a_date_box_reads_back_every_date_it_shows(value, precision, language):
    value = _at(value, precision)
    shown = format_partial_date_input(value, precision, language=language)
    assert parse_partial_date(shown, accept=FIELD) == (value, precision, None)


@settings(max_examples=500, deadline=None)
@given(st.integers(1, 9999), st.integers(0, 99), st.integers(0, 99), st.sampled_from("-/."))
def test_numeric_dates_are_the_days_python_knows(year, month, day, separator):
    text = separator.join([f"{year:04d}", str(month), str(day)])
    try:
        expected = ParsedDate(date(year, month, day), "day", None)
    except ValueError:
        expected = NoSuchDate
    for accept in (FIELD, CELL):
        if expected is NoSuchDate:
            with pytest.raises(NoSuchDate):
                parse_partial_date(text, accept=accept)
        else:
            assert parse_partial_date(text, accept=accept) == expected


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=20), st.sampled_from([FIELD, CELL]))
def test_any_text_is_a_date_or_refused_as_none_or_no_such_date(text, accept):
    try:
        parsed = parse_partial_date(text, accept=accept)
    except (NotADate, NoSuchDate):
        return
    assert parsed is None or isinstance(parsed.date, date)
