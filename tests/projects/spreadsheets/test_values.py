"""Cell values: dates as the export writes them and as people type them, codes and labels."""

from datetime import date

import pytest

from projects.models import (
    DatePrecision,
)
from projects.spreadsheets.values import parse_date_cell
from tests.factories import (
    CountryFactory,
    ProjectFactory,
    SchemeFactory,
    SectorFactory,
)
from tests.workbooks import (
    preview_of,
    set_cell,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


# Values


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03", (date(2024, 3, 1), DatePrecision.MONTH, None)),
        ("2024-03-15", (date(2024, 3, 15), DatePrecision.DAY, None)),
        ("2024", (date(2024, 1, 1), DatePrecision.YEAR, None)),
        (2024, (date(2024, 1, 1), DatePrecision.YEAR, None)),
        ("FY2024", (date(2024, 4, 1), DatePrecision.FISCAL_YEAR, None)),
        ("fy 2021", (date(2021, 4, 1), DatePrecision.FISCAL_YEAR, None)),
        ("2023年1月", (date(2023, 1, 1), DatePrecision.MONTH, None)),
        ("２０２３年１月", (date(2023, 1, 1), DatePrecision.MONTH, None)),
        ("2022年11月～2023年1月", (date(2022, 11, 1), DatePrecision.MONTH, date(2023, 1, 1))),
        ("2021年度", (date(2021, 4, 1), DatePrecision.FISCAL_YEAR, None)),
        ("Jan 2023", (date(2023, 1, 1), DatePrecision.MONTH, None)),
        ("Nov 2022 – Jan 2023", (date(2022, 11, 1), DatePrecision.MONTH, date(2023, 1, 1))),
        ("Nov–Dec 2022", (date(2022, 11, 1), DatePrecision.MONTH, date(2022, 12, 1))),
        ("2022-11 ~ 2023-01", (date(2022, 11, 1), DatePrecision.MONTH, date(2023, 1, 1))),
        ("", (None, DatePrecision.NONE, None)),
        (None, (None, DatePrecision.NONE, None)),
        ("sometime soon", None),
        ("2024-13", None),
        ("2024-02-30", None),
    ],
)
def test_parse_date_cell(value, expected):
    assert parse_date_cell(value) == expected


def test_every_date_the_export_writes_reads_back_the_same():
    from projects.dates import format_partial_date

    cases = [
        (date(2023, 1, 5), DatePrecision.DAY, None),
        (date(2023, 1, 1), DatePrecision.MONTH, None),
        (date(2022, 11, 1), DatePrecision.MONTH, date(2023, 1, 1)),
        (date(2023, 4, 1), DatePrecision.MONTH, date(2023, 7, 1)),
        (date(2021, 4, 1), DatePrecision.FISCAL_YEAR, None),
        (date(2021, 4, 1), DatePrecision.FISCAL_YEAR, date(2023, 4, 1)),
        (date(2022, 1, 1), DatePrecision.YEAR, None),
    ]
    for case in cases:
        for language in ("ja", "en"):
            assert parse_date_cell(format_partial_date(*case, language=language)) == case, (case, language)


def test_values_match_codes_and_labels_in_both_languages():
    rail = SectorFactory(code="rail", name_ja="鉄道", name_en="Railways")
    urban = SectorFactory(
        code="urban", name_ja="都市開発", name_en="Urban, real estate and housing development, smart cities"
    )
    loan = SchemeFactory(code="oda-loan", name_ja="円借款", name_en="ODA loan (yen loan)")
    vietnam = CountryFactory(iso_code="VN", name_ja="ベトナム", name_en="Viet Nam")
    thailand = CountryFactory(iso_code="TH", name_ja="タイ", name_en="Thailand")
    kenya = CountryFactory(iso_code="KE", name_ja="ケニア", name_en="Kenya")
    for number in (1, 2, 3):
        ProjectFactory(number=number, country=vietnam, sectors=[rail])

    def edit(projects, developments):
        set_cell(projects, 1, "country", "th")
        set_cell(projects, 1, "status", "Implementation")
        set_cell(projects, 1, "sectors", "Railways, Urban, real estate and housing development, smart cities")
        set_cell(projects, 1, "schemes", "oda-loan")
        set_cell(projects, 1, "is_new", "はい")
        set_cell(projects, 2, "country", "ケニア")
        set_cell(projects, 2, "status", "procurement")
        set_cell(projects, 2, "sectors", "urban、鉄道")
        set_cell(projects, 3, "country", "Viet Nam")

    preview = preview_of(edit, "en")
    assert preview.errors == []
    found = {(c.number, c.field): c.new for c in preview.changes}
    assert found == {
        (1, "country"): "TH",
        (1, "status"): "implementation",
        (1, "sectors"): ["rail", "urban"],
        (1, "schemes"): ["oda-loan"],
        (2, "country"): "KE",
        (2, "status"): "procurement",
        (2, "sectors"): ["rail", "urban"],
    }
    assert thailand and kenya and loan and urban
