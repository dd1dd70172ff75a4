"""A small, fast, streaming XLSX writer for the list export.

openpyxl and XlsxWriter spend several microseconds per cell, and the list export writes
millions of cells (100,000 projects and their 500,000 developments). This writer builds each
sheet's XML with string formatting, a batch of rows at a time, and streams it into the zip:
memory stays flat. (Compressing in a thread of its own was tried: on two cores shared with
the database it was slower.)

It writes what the export needs and nothing more: sheets of numbers and text, column widths, a
style per column (plus one for the header row) and frozen panes. Text is always an inline
string, so a value starting with "=" is text, never a formula; characters XML cannot hold are
written as Excel writes them, `_xHHHH_` (encode_characters; decode_characters reads them back,
as the import does). The files open in Excel and LibreOffice and read back with openpyxl
(the import reads them).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr

try:  # ISA-L's deflate: the same format as zlib's, four times as fast at level 1
    from isal import isal_zlib as _deflate
except ImportError:  # pragma: no cover - isal is in requirements.txt; zlib does the same, slower
    import zlib as _deflate

# XML 1.0 cannot hold these at all (openpyxl refuses such a value outright), and a carriage
# return is read back as a line feed. In a cell, the spreadsheet format's escape says them:
# _xHHHH_ (ECMA-376 ST_Xstring, as Excel writes them), and "_" before text that looks like one
# is written _x005F_ so that it reads back as itself.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_UNSAFE = re.compile("_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def _encode_one(match: re.Match) -> str:
    return f"_x{ord(match[0]):04X}_"


def _decode_one(match: re.Match) -> str:
    code = int(match[1], 16)
    # NUL and lone surrogates cannot be stored (PostgreSQL, UTF-8): they stay as written.
    return match[0] if code == 0 or 0xD800 <= code <= 0xDFFF else chr(code)


def encode_characters(text: str) -> str:
    """Text as an XLSX cell holds it: characters XML cannot hold (and a carriage return) as
    _xHHHH_, and a "_" that starts something of that form as _x005F_. decode_characters()
    undoes it exactly."""
    return _UNSAFE.sub(_encode_one, text)


def decode_characters(text: str) -> str:
    """Undo encode_characters() (and Excel's own _xHHHH_) on a cell's text."""
    return _ESCAPE.sub(_decode_one, text) if "_x" in text else text


# Cell styles (the cellXfs of STYLES below). TOP is the default: a cell of it needs no s="…".
TOP, HEADER, WRAP = 0, 1, 2

# A column's values: TEXT (str) or NUMBER (int). Either way a row may hold anything else: None
# or "" is no cell, an int or float a number, a str text, anything else its str().
TEXT, NUMBER = "text", "number"

# Rows are encoded and compressed in batches of this many.
ROWS_PER_WRITE = 1000

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{NS_MAIN}">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>
"""


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# Rows are built as text with the characters XML cannot hold left in their values, and those
# are encoded in the text of a whole batch of rows (clean_rows): the markup has none of them and
# no "_x", so every one there is a value's. Per value, looking for them costs more than all the
# rest; per batch, a byte translation finds whether there is any (there almost never is).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0D, 0x20)])


def clean_rows(text: str) -> bytes:
    """Rows' text as UTF-8, with the characters XML 1.0 cannot hold (control characters, lone
    surrogates, U+FFFE, U+FFFF) and carriage returns encoded as encode_characters() does."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return encode_characters(text).encode("utf-8")
    if (
        "_x" in text
        or "\ufffe" in text
        or "\uffff" in text
        or len(data.translate(None, _CONTROL_BYTES)) != len(data)
    ):
        return encode_characters(text).encode("utf-8")
    return data


@dataclass(frozen=True)
class SheetColumn:
    width: float
    style: int = TOP
    kind: str = TEXT
    hidden: bool = False


def _style(style: int) -> str:
    return f' s="{style}"' if style else ""


def _space(text: str) -> str:
    """xml:space="preserve" for text with whitespace at either end (which Excel would drop)."""
    return "" if text.strip() is text else ' xml:space="preserve"'


def _cell(reference: str, value, style: int) -> str:
    """One cell, whatever the value ("" for None and ""), for clean_rows() to encode."""
    if value is None or value == "":
        return ""
    if value.__class__ is int or value.__class__ is float:
        return f'<c r="{reference}"{_style(style)}><v>{value}</v></c>'
    text = value if isinstance(value, str) else str(value)
    if "&" in text or "<" in text or ">" in text:
        text = _xml_escape(text)
    return f'<c r="{reference}"{_style(style)} t="inlineStr"><is><t{_space(text)}>{text}</t></is></c>'


def _number_cells(letter: str, style: int):
    """A NUMBER column's cells: cells(values, row_numbers) -> the cells' text, one per value."""
    start, close = f'<c r="{letter}', f'"{_style(style)}><v>'

    def cells(values, numbers):
        out = []
        append = out.append
        for value, r in zip(values, numbers, strict=True):
            if value.__class__ is int:
                append(f"{start}{r}{close}{value}</v></c>")
            else:
                append(_cell(f"{letter}{r}", value, style))
        return out

    return cells


def _text_cells(letter: str, style: int):
    """A TEXT column's cells: cells(values, row_numbers) -> the cells' text, one per value."""
    start = f'<c r="{letter}'
    plain = f'"{_style(style)} t="inlineStr"><is><t>'
    preserve = f'"{_style(style)} t="inlineStr"><is><t xml:space="preserve">'

    def cells(values, numbers):
        out = []
        append = out.append
        for value, r in zip(values, numbers, strict=True):
            if value is None:
                append("")
            elif value.__class__ is str and value:
                if "&" in value or "<" in value or ">" in value:
                    value = _xml_escape(value)
                append(f"{start}{r}{plain if value.strip() is value else preserve}{value}</t></is></c>")
            else:
                append(_cell(f"{letter}{r}", value, style))
        return out

    return cells


def _row_formatter(columns: Sequence[SheetColumn]):
    """format_rows(rows, last_row_number, batch, write) -> the last row number written: writes
    the rows as <row> elements, for clean_rows(), `batch` rows per call of write(text).

    It is the export's inner loop, so it works a batch at a time, column by column: each
    column's cells are made in one loop with the markup prepared once, inline for a value of
    the column's kind (None or str for TEXT, int for NUMBER), by _cell otherwise; then the
    cells are joined row by row. A row of the wrong width is a ValueError.
    """
    makers = [
        (_number_cells if column.kind == NUMBER else _text_cells)(column_letter(index), int(column.style))
        for index, column in enumerate(columns, start=1)
    ]

    def format_rows(rows, r, batch, write):
        rows = iter(rows)
        while chunk := list(islice(rows, batch)):
            numbers = [str(n) for n in range(r + 1, r + 1 + len(chunk))]
            values = list(zip(*chunk, strict=True))  # column by column
            if len(values) != len(makers):
                raise ValueError(f"rows of {len(values)} values for {len(makers)} columns")
            cells = [make(column, numbers) for make, column in zip(makers, values, strict=True)]
            rows_of_cells = zip(numbers, zip(*cells, strict=True), strict=True)
            write("".join([f'<row r="{n}">{"".join(row)}</row>' for n, row in rows_of_cells]))
            r += len(chunk)
        return r

    return format_rows


def _use_fast_deflate(part, level: int) -> None:
    """Compress a zip member being written with _deflate (ISA-L) instead of zlib.

    Why: compression is otherwise about half of the export's Python time, and zipfile has no
    option to choose the compressor. How: this is the one place that touches zipfile's private
    attributes. A member opened for writing with ZIP_DEFLATED holds a raw-deflate compressobj
    (wbits -15) in `_compressor` and feeds it every write; ISA-L's compressobj takes the same
    calls and writes the same format, so it is swapped in before the first write. Safe fallback:
    when zlib is all there is, or the member is not deflated, or zipfile no longer keeps its
    compressor there (another Python version), the member keeps zlib's: slower, the same file.
    """
    if _deflate is zlib or getattr(part, "_compressor", None) is None:
        return
    info = getattr(part, "_zinfo", None)
    if info is None or info.compress_type != zipfile.ZIP_DEFLATED or getattr(part, "_file_size", 0):
        return
    part._compressor = _deflate.compressobj(min(level, 3), _deflate.DEFLATED, -15)  # ISA-L: 0-3


class StreamingWorkbook:
    """Sheets written one after the other, each from an iterable of rows, into `fileobj`.

    with StreamingWorkbook(fileobj) as workbook:
        workbook.add_sheet("Projects", columns, header, rows, freeze="B2")
    """

    def __init__(self, fileobj, compresslevel: int = 1):
        self._zip = zipfile.ZipFile(fileobj, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self._compresslevel = compresslevel
        self._titles: list[str] = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self._zip.close()

    def add_sheet(
        self,
        title: str,
        columns: Sequence[SheetColumn],
        header: Sequence[str],
        rows: Iterable[Sequence],
        *,
        freeze: str | None = None,
    ) -> int:
        """Write a sheet: the header row (bold, shaded, wrapped), then `rows`, one value per
        column each. Returns the number of rows written after the header."""
        self._titles.append(title)
        number = len(self._titles)
        format_rows = _row_formatter(columns)
        with self._zip.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as part:
            _use_fast_deflate(part, self._compresslevel)

            def write(text: str):
                part.write(clean_rows(text))

            write(_sheet_head(columns, freeze, selected=number == 1))
            header_cells = "".join(
                _cell(f"{column_letter(index)}1", str(label), HEADER)
                for index, label in enumerate(header, start=1)
            )
            write(f'<row r="1">{header_cells}</row>')
            last = format_rows(iter(rows), 1, ROWS_PER_WRITE, write)
            write("</sheetData></worksheet>")
        return last - 1

    def close(self):
        self._write_package()
        self._zip.close()

    def _write_package(self):
        sheets = range(1, len(self._titles) + 1)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in sheets
        )
        self._zip.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{NS_CT}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            f"{overrides}</Types>",
        )
        self._zip.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{NS_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{REL_TYPE}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{REL_TYPE}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>",
        )
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._zip.writestr(
            "docProps/core.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
            "</cp:coreProperties>",
        )
        self._zip.writestr(
            "docProps/app.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>Microsoft Excel</Application></Properties>",
        )
        sheet_entries = "".join(
            f'<sheet name={quoteattr(_ILLEGAL.sub("", title))} sheetId="{n}" r:id="rId{n}"/>'
            for n, title in zip(sheets, self._titles, strict=True)
        )
        self._zip.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
            f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheet_entries}</sheets></workbook>',
        )
        sheet_rels = "".join(
            f'<Relationship Id="rId{n}" Type="{REL_TYPE}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in sheets
        )
        styles_id = len(self._titles) + 1
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{NS_PKG_REL}">'
            f'{sheet_rels}<Relationship Id="rId{styles_id}" Type="{REL_TYPE}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        self._zip.writestr("xl/styles.xml", STYLES)


def _sheet_head(columns: Sequence[SheetColumn], freeze: str | None, selected: bool) -> str:
    view = '<sheetView workbookViewId="0"' + (' tabSelected="1"' if selected else "")
    if freeze:
        match = re.fullmatch(r"([A-Z]+)(\d+)", freeze)
        column, row = match.group(1), int(match.group(2))
        x_split = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(column))) - 1
        y_split = row - 1
        if x_split and y_split:
            pane = "bottomRight"
        elif y_split:
            pane = "bottomLeft"
        else:
            pane = "topRight"
        splits = (f' xSplit="{x_split}"' if x_split else "") + (f' ySplit="{y_split}"' if y_split else "")
        view += (
            f'><pane{splits} topLeftCell="{freeze}" activePane="{pane}" state="frozen"/>'
            f'<selection pane="{pane}" activeCell="{freeze}" sqref="{freeze}"/></sheetView>'
        )
    else:
        view += "/>"
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1" style="{c.style}"'
        + (' hidden="1"/>' if c.hidden else "/>")
        for i, c in enumerate(columns, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        f'<sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
    )
