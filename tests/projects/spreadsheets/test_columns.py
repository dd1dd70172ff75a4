"""The file contract's escaping: formula triggers neutralized, and undone exactly on import."""

import pytest

from projects.spreadsheets.columns import escape_cell, unescape_cell
from tests.workbooks import HOSTILE


@pytest.mark.parametrize("value", HOSTILE)
def test_escape_cell_neutralizes_formula_triggers_and_unescape_restores_them(value):
    escaped = escape_cell(value)
    assert escaped.startswith("'")
    assert unescape_cell(escaped) == value


def test_escape_cell_leaves_plain_text_and_numbers_alone():
    assert escape_cell("ハノイ市都市鉄道") == "ハノイ市都市鉄道"
    assert escape_cell(12) == 12
    assert unescape_cell("'quoted but harmless") == "'quoted but harmless"


@pytest.mark.parametrize(
    "value",
    [
        "'=A1 (our code)",
        "'+81 3 1234 5678",
        "''-x",
        "'",
        "''",
        "'quoted",
        "＝SUM(A1)",
        "＋81",
        "－1",
        "＠user",
        "'＝x",
        "",
        "plain",
    ],
)
def test_unescape_cell_undoes_escape_cell_exactly(value):
    assert unescape_cell(escape_cell(value)) == value


@pytest.mark.parametrize(
    "value", ["＝SUM(A1)", "＋81 3", "－1", "＠user", "'=A1 (our code)", "'+81 3 1234 5678"]
)
def test_full_width_triggers_and_apostrophe_then_trigger_are_escaped(value):
    assert escape_cell(value) == "'" + value


def test_an_apostrophe_before_harmless_text_is_not_escaped():
    assert escape_cell("'quoted") == "'quoted"
    assert escape_cell("a=b") == "a=b"
