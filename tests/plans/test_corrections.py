"""plans.corrections: the reviewed corrections file's two kinds of entry, each applied only to
the value it was written for, and refused when incomplete or stale."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from plans.corrections import CorrectionError, apply_corrections, development_dates
from plans.parser import parse_plan
from projects.dates import ParsedDate, parse_development_date

FIXTURES = Path(django_settings.BASE_DIR) / "fixtures"
SOURCE = FIXTURES / "sources" / "action_plan_2023_projects.txt"
D43_TEXT = "2023年12月に第１処理区のパッケージ1について契約済み、パッケージ2、3については、契約交渉中"
DATE_43 = {
    "number": 43,
    "sequence": 1,
    "field": "development_date",
    "printed": "2023-12",
    "corrected": "2022-12",
    "reason": "The plan was written in mid-2023; the contract was signed on 22 December 2022.",
    "source": {
        "publication": "Audit of the 2023 data against the source, tracker issue 14",
        "date": "2026-11-28",
    },
}


@pytest.fixture(scope="module")
def rows():
    return parse_plan(SOURCE.read_text(encoding="utf-8")).rows


def _row(rows, number):
    return next(row for row in rows if row.number == number)


# --- text corrections


def test_a_text_correction_applies_only_to_the_value_it_was_written_for(rows):
    name = _row(rows, 2).name
    entry = {
        "number": 2,
        "field": "name",
        "parsed": name,
        "corrected": name + "X",
        "fixes": "x",
        "reason": "x",
    }
    corrected = apply_corrections(rows, [entry])
    assert corrected[1].name == name + "X"
    assert rows[1].name == name  # the parsed rows are not changed
    with pytest.raises(CorrectionError, match="does not apply"):
        apply_corrections(rows, [{**entry, "parsed": "別の名前"}])
    with pytest.raises(CorrectionError, match="lacks reason"):
        apply_corrections(rows, [{k: v for k, v in entry.items() if k != "reason"}])
    with pytest.raises(CorrectionError, match="unknown field 'status'"):
        apply_corrections(rows, [{**entry, "field": "status"}])


# --- development-date corrections


def test_a_date_correction_replaces_the_date_and_keeps_the_text(rows):
    assert _row(rows, 43).developments[0] == D43_TEXT
    assert parse_development_date(D43_TEXT) == ParsedDate(date(2023, 12, 1), "month", None)

    dates = development_dates(rows, [DATE_43])

    assert dates[43, 1] == ParsedDate(date(2022, 12, 1), "month", None)
    assert apply_corrections(rows, [DATE_43]) == rows  # no text is changed
    # Every other development keeps the date its text gives.
    untouched = development_dates(rows, [])
    assert {key: value for key, value in dates.items() if key != (43, 1)} == {
        key: value for key, value in untouched.items() if key != (43, 1)
    }
    assert len(dates) == 114


def test_the_committed_file_corrects_43_and_nothing_else(rows):
    corrections = json.loads((FIXTURES / "action_plan_2023_corrections.json").read_text(encoding="utf-8"))
    entries = corrections["corrections"]
    assert [(e["number"], e.get("sequence"), e["field"]) for e in entries] == [(43, 1, "development_date")]
    (entry,) = entries
    assert "22 December 2022" in entry["reason"]
    assert entry["source"]["date"] == "2026-11-28"
    assert "issue 14" in entry["source"]["publication"]
    assert "22 December 2022" in entry["source"]["publication"]
    assert "development-date correction" in corrections["about"]
    assert "text correction" in corrections["about"]
    dates = development_dates(apply_corrections(rows, entries), entries)
    assert dates[43, 1] == (date(2022, 12, 1), "month", None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reason": None}, "lacks reason"),
        ({"reason": ""}, "lacks reason"),
        ({"source": None}, "lacks source"),
        ({"source": {"publication": "Audit"}}, "lacks source date"),
        ({"source": {"date": "2026-11-28"}}, "lacks source publication"),
        ({"source": {"publication": "Audit", "date": "last week"}}, "is not YYYY-MM-DD"),
        ({"printed": None}, "lacks printed"),
        ({"sequence": None}, "lacks sequence"),
    ],
)
def test_a_date_correction_without_its_reason_or_source_is_refused(rows, change, message):
    entry = {key: value for key, value in {**DATE_43, **change}.items() if value is not None}
    with pytest.raises(CorrectionError, match=message):
        development_dates(rows, [entry])
    with pytest.raises(CorrectionError, match=message):  # the text pass checks every entry too
        apply_corrections(rows, [entry])


@pytest.mark.parametrize(
    "printed",
    [
        "2022-12",  # what a corrected rule would read: the correction is stale
        "2023-12-01",  # a day, not the month the text gives
        "2023",
        "2023-12 ~ 2024-01",
    ],
)
def test_a_stale_date_correction_is_refused(rows, printed):
    with pytest.raises(CorrectionError, match="does not apply: the parsed date is 2023-12-01 \\(month\\)"):
        development_dates(rows, [{**DATE_43, "printed": printed, "corrected": "2021-12"}])


def test_a_date_correction_must_name_a_development_and_a_date(rows):
    with pytest.raises(CorrectionError, match="no development 3"):
        development_dates(rows, [{**DATE_43, "sequence": 3}])
    with pytest.raises(CorrectionError, match="no such project"):
        development_dates(rows, [{**DATE_43, "number": 94}])
    with pytest.raises(CorrectionError, match="corrected 'December' is not a date"):
        development_dates(rows, [{**DATE_43, "corrected": "December"}])
    with pytest.raises(CorrectionError, match="corrects nothing"):
        development_dates(rows, [{**DATE_43, "corrected": "2023-12"}])
    with pytest.raises(CorrectionError, match="corrected twice"):
        development_dates(rows, [DATE_43, {**DATE_43, "corrected": "2021-12"}])


def test_a_date_correction_can_set_a_range(rows):
    # 50's second development: the rule reads May to July 2022.
    entry = {**DATE_43, "number": 50, "sequence": 2, "printed": "2022-05 ~ 2022-07", "corrected": "2022-05"}
    assert development_dates(rows, [entry])[50, 2] == (date(2022, 5, 1), "month", None)
