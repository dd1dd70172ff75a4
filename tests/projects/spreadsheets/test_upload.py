"""Hostile uploads are refused before anything is stored: sizes, zip bombs, macros, DTDs,
formulas anywhere, external links, too many rows."""

import io
import os
import zipfile

import pytest
from openpyxl import Workbook

from projects.models import (
    ImportBatch,
)
from projects.spreadsheets import reading, upload
from projects.spreadsheets.apply import import_batch_create
from projects.spreadsheets.errors import ImportRefused
from projects.spreadsheets.preview import build_preview
from projects.spreadsheets.reading import read_workbook
from tests.factories import (
    DevelopmentFactory,
    ProjectFactory,
)
from tests.workbooks import (
    edit_xlsx,
    export_xlsx,
    snapshot,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


# Reading: hostile files are refused before anything is stored.


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


XLSX_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)


def _workbook_with_rows(count: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["number", "name"])
    for i in range(count):
        sheet.append([i + 1, f"name {i}"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _with_formula(content: bytes) -> bytes:
    def edit(projects, developments):
        projects["B3"] = "=1+1"

    return edit_xlsx(content, edit)


def _assert_refused_with_nothing_stored(make, message, editor):
    """The file `make()` builds is refused with `message`; no batch and no data change."""
    ProjectFactory(number=1)
    ProjectFactory(number=2)
    content = make()
    before = snapshot()
    with pytest.raises(ImportRefused) as excinfo:
        import_batch_create(source=content, filename="upload.xlsx", user=editor)
    assert message in str(excinfo.value)
    assert ImportBatch.objects.count() == 0
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("csv", lambda: "番号,名称\n1,テスト\n".encode(), "CSV"),
        ("random bytes", lambda: os.urandom(4096), "not an XLSX"),
        ("empty", lambda: b"", "empty"),
        ("old xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, ".xls"),
        ("broken zip", lambda: b"PK\x03\x04" + os.urandom(2000), "not an XLSX"),
        (
            "word document",
            lambda: _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
            "not an XLSX",
        ),
        ("too large", lambda: b"PK\x03\x04" + b"\0" * upload.MAX_FILE_BYTES, "larger than 10 MB"),
        (
            "zip bomb",
            lambda: _zip(
                {"[Content_Types].xml": XLSX_TYPES, "xl/worksheets/sheet1.xml": b"\0" * (20 * 1024 * 1024)}
            ),
            "zip bomb",
        ),
        (
            "macros",
            lambda: _zip({"[Content_Types].xml": XLSX_TYPES, "xl/vbaProject.bin": b"\0" * 10}),
            "macros",
        ),
        (
            "DTD",
            lambda: _zip(
                {
                    "[Content_Types].xml": XLSX_TYPES,
                    "xl/workbook.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><workbook/>',
                }
            ),
            "DTD",
        ),
        ("formula", lambda: _with_formula(export_xlsx()), "案件!B3"),
    ],
)
def test_hostile_files_are_refused_with_a_clear_message_and_nothing_written(name, make, message, editor):
    _assert_refused_with_nothing_stored(make, message, editor)


def test_formula_message_names_the_cell_and_says_what_to_do():
    ProjectFactory(number=1)
    ProjectFactory(number=2)
    with pytest.raises(ImportRefused, match=r"案件!B3 holds a formula.*values only"):
        read_workbook(_with_formula(export_xlsx()), "x.xlsx")


def test_total_uncompressed_size_is_limited(monkeypatch):
    content = _workbook_with_rows(2000)
    monkeypatch.setattr(upload, "MAX_UNCOMPRESSED_BYTES", 10_000)
    with pytest.raises(ImportRefused, match="unpack to more than"):
        read_workbook(content, "x.xlsx")


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 50)
    with pytest.raises(ImportRefused, match="more than 50 rows"):
        read_workbook(_workbook_with_rows(60), "x.xlsx")


def test_a_lying_dimension_does_not_hide_rows(monkeypatch):
    """Rows are counted as read, not taken from the sheet's stored dimension."""
    monkeypatch.setattr(reading, "MAX_ROWS", 50)
    content = _workbook_with_rows(60)
    members = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for info in archive.infolist():
            members[info.filename] = archive.read(info)
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = sheet.replace(
        b'<dimension ref="A1:B61"/>', b'<dimension ref="A1:B2"/>'
    )
    with pytest.raises(ImportRefused, match="more than 50 rows"):
        read_workbook(_zip(members), "x.xlsx")


def test_a_workbook_without_our_columns_is_refused():
    workbook = Workbook()
    workbook.active.append(["foo", "bar"])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(ImportRefused, match="No sheet has the columns"):
        read_workbook(out.getvalue(), "x.xlsx")


def test_read_workbook_accepts_a_file_object_and_finds_both_sheets():
    project = ProjectFactory(number=1)
    DevelopmentFactory(project=project, sequence=1)
    parsed = read_workbook(io.BytesIO(export_xlsx("en")), "x.xlsx")
    assert [s.kind for s in parsed.sheets] == ["projects", "developments"]
    assert len(parsed.sheet("projects").rows) == 1
    assert len(parsed.sheet("developments").rows) == 1


# Refusals the README promises: nothing is stored.


def _members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _export_with(change) -> bytes:
    """An export of projects 1 and 2 whose parts `change(members)` alters."""
    members = _members(export_xlsx())
    change(members)
    return _zip(members)


def _add(name, data):
    return lambda members: members.__setitem__(name, data)


def _replace(part, old, new):
    def change(members):
        assert old in members[part]
        members[part] = members[part].replace(old, new, 1)

    return change


_FIRST_ROW_END = b'</c></row><row r="3">'
_DATA_VALIDATION = (
    b'</sheetData><dataValidations count="1"><dataValidation type="list" sqref="H2">'
    b"<formula1>%s</formula1></dataValidation></dataValidations>"
)


def _many_parts():
    members = {"[Content_Types].xml": XLSX_TYPES}
    for i in range(150):  # 150 MB unpacked, 1 MB a part: no part is large enough for the part check
        members[f"xl/media/part{i}.xml"] = b"\0" * (1024 * 1024)
    return _zip(members)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: _export_with(_add("xl/macrosheets/sheet1.xml", b"<xm:macrosheet/>")), "macros"),
        (lambda: _export_with(_add("xl/dialogsheets/sheet1.xml", b"<dialogsheet/>")), "macros"),
        (
            lambda: _export_with(_add("xl/externalLinks/externalLink1.xml", b"<externalLink/>")),
            "external links",
        ),
        (
            lambda: _export_with(
                _replace(
                    "xl/worksheets/sheet1.xml",
                    _FIRST_ROW_END,
                    b'</c><c r="CA2"><f>HYPERLINK("http://x")</f><v>x</v></c></row><row r="3">',
                )
            ),
            "holds a formula (in cell CA2)",
        ),
        (
            lambda: _export_with(
                _replace(
                    "xl/workbook.xml",
                    b"</sheets>",
                    b'</sheets><definedNames><definedName name="x">WEBSERVICE("http://x")</definedName></definedNames>',
                )
            ),
            "in a defined name",
        ),
        (
            lambda: _export_with(
                _replace("xl/worksheets/sheet1.xml", b"</sheetData>", _DATA_VALIDATION % b'INDIRECT("A1")')
            ),
            "in a data validation",
        ),
        (_many_parts, "as a whole"),
    ],
    ids=[
        "macro sheet",
        "dialog sheet",
        "external link",
        "formula beyond BZ",
        "defined name",
        "validation",
        "parts",
    ],
)
def test_more_hostile_files_are_refused_with_nothing_stored(make, message, editor):
    _assert_refused_with_nothing_stored(make, message, editor)


def test_references_in_defined_names_and_constant_validations_are_accepted():
    """Excel adds a filter range or a print area as a defined name; a list validation is text."""
    ProjectFactory(number=1)
    ProjectFactory(number=2)
    defined = (
        b'</sheets><definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        b"'\xe6\xa1\x88\xe4\xbb\xb6'!$A$1:$N$3</definedName>"
        b'<definedName name="_xlnm.Print_Titles">Projects!$1:$1,Projects!$A:$B</definedName></definedNames>'
    )

    def change(members):
        _replace("xl/workbook.xml", b"</sheets>", defined)(members)
        _replace("xl/worksheets/sheet1.xml", b"</sheetData>", _DATA_VALIDATION % b'"planning,procurement"')(
            members
        )

    preview = build_preview(read_workbook(_export_with(change), "x.xlsx"))
    assert (preview.changes, preview.errors) == ([], [])


def test_exactly_the_row_limit_is_accepted_and_one_more_is_refused(monkeypatch):
    """A header plus exactly MAX_ROWS data rows was refused as "more than MAX_ROWS rows"."""
    monkeypatch.setattr(reading, "MAX_ROWS", 50)
    sheets = read_workbook(_workbook_with_rows(50), "x.xlsx").sheets
    assert len(sheets[0].rows) == 50
    with pytest.raises(ImportRefused, match="more than 50 rows"):
        read_workbook(_workbook_with_rows(51), "x.xlsx")
