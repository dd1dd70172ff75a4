"""The streaming XLSX writer: any value, valid packages in batches, the ISA-L deflate and its
fallbacks, and characters XML cannot hold written as _xHHHH_ and read back exactly."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from projects.spreadsheets.xlsx import (
    NUMBER,
    TEXT,
    TOP,
    WRAP,
    SheetColumn,
    StreamingWorkbook,
    encode_characters,
)


def test_characters_xml_cannot_hold_are_encoded_and_decoded_exactly():
    from projects.spreadsheets.xlsx import clean_rows, decode_characters

    for text in ["a\x01b", "\x0b", "\r\n", "_x0041_", "_x005F_", "\ufffe\uffff", "x_y", "_x12_", "_X0041_"]:
        encoded = encode_characters(text)
        assert not any(ch in encoded for ch in "\x01\x0b\r\ufffe\uffff")
        assert decode_characters(encoded) == text, text
        assert clean_rows(text).decode() == encoded
    assert encode_characters("_x0041_") == "_x005F_x0041_"


def test_streaming_workbook_writes_any_value():
    columns = [SheetColumn(8, TOP, NUMBER), SheetColumn(20, WRAP, TEXT), SheetColumn(10)]
    rows = [
        (1, "text", 2.5),
        (None, "", None),
        ("not a number", 3, Decimal("1.50")),
        (4, date(2024, 1, 2), "  "),
    ]
    count, buffer = _write(columns, iter(rows))
    assert count == 4
    sheet = load_workbook(buffer).worksheets[0]
    assert sheet.title == "Sheet & <1>"
    values = [list(row) for row in sheet.iter_rows(min_row=2, max_row=5, values_only=True)]
    assert values == [
        [1, "text", 2.5],
        [None, None, None],
        ["not a number", 3, "1.50"],
        [4, "2024-01-02", "  "],
    ]
    assert sheet.cell(row=2, column=2).alignment.wrap_text


def test_streaming_workbook_is_a_valid_package_in_batches():
    columns = [SheetColumn(8, TOP, NUMBER), SheetColumn(20)]
    count, buffer = _write(columns, ((i, f"行{i}") for i in range(2500)))
    assert count == 2500
    with zipfile.ZipFile(buffer) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
    assert {"[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml"} <= names
    sheet = load_workbook(buffer, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2500 and rows[-1] == (2499, "行2499")


def test_streaming_workbook_refuses_a_row_of_the_wrong_width():
    with pytest.raises(ValueError):
        _write([SheetColumn(8), SheetColumn(8)], [("a", "b", "c")])


@pytest.mark.parametrize("deflate", ["isal", "zlib"])
def test_streaming_workbook_deflates_with_isal_or_zlib(monkeypatch, deflate):
    import zlib

    from projects.spreadsheets import xlsx as xlsx_stream

    if deflate == "isal":
        assert xlsx_stream._deflate.__name__ == "isal.isal_zlib"  # installed (requirements.txt)
    else:
        monkeypatch.setattr(xlsx_stream, "_deflate", zlib)
    count, buffer = _write(
        [SheetColumn(8, TOP, NUMBER), SheetColumn(20)], ((i, "繰り返し" * 20) for i in range(3000))
    )
    with zipfile.ZipFile(buffer) as archive:
        assert archive.testzip() is None
        member = archive.getinfo("xl/worksheets/sheet1.xml")
        assert member.compress_type == zipfile.ZIP_DEFLATED and member.compress_size < member.file_size / 10
    rows = list(load_workbook(buffer, read_only=True).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(rows) == count == 3000 and rows[-1] == (2999, "繰り返し" * 20)


def test_fast_deflate_leaves_a_member_it_does_not_recognise_alone():
    """The wrapper around zipfile's private compressor swaps only a deflated member's, before its
    first write; anything else keeps zipfile's own compressor (the same file, slower)."""
    from projects.spreadsheets.xlsx import _use_fast_deflate

    class Unknown:  # what a zipfile without `_compressor` would give
        pass

    _use_fast_deflate(Unknown(), 1)  # no error, nothing to swap
    with (
        zipfile.ZipFile(io.BytesIO(), "w", zipfile.ZIP_STORED) as archive,
        archive.open("stored", "w") as part,
    ):
        _use_fast_deflate(part, 1)
        assert part._compressor is None
    with (
        zipfile.ZipFile(io.BytesIO(), "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("late", "w") as part,
    ):
        part.write(b"already begun")
        zlib_compressor = part._compressor
        _use_fast_deflate(part, 1)
        assert part._compressor is zlib_compressor


def _write(columns, rows):
    buffer = io.BytesIO()
    with StreamingWorkbook(buffer) as workbook:
        count = workbook.add_sheet("Sheet & <1>", columns, [f"h{i}" for i in range(len(columns))], rows)
    buffer.seek(0)
    return count, buffer
