"""Reading an uploaded workbook safely (`read_workbook()`).

Hostile files are refused before openpyxl parses any XML: too large, not an XLSX zip, a zip
bomb, macros, DTDs, formulas anywhere; then, while reading, too many rows. The sheets are told
apart by their titles and headers, in either language.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import override
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from projects.spreadsheets.columns import (
    DEVELOPMENT_COLUMN_LABELS,
    LIST_COLUMN_LABELS,
    developments_sheet_title,
)
from projects.spreadsheets.messages import Message, _
from projects.spreadsheets.stored import CellError

MAX_FILE_BYTES = 10 * 1024 * 1024


MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024


# XML compresses well (10-30 to 1 is usual); far beyond that is a decompression bomb.
MAX_COMPRESSION_RATIO = 100


# Small members may have any ratio: a tiny part cannot expand to anything harmful.
RATIO_CHECK_MIN_BYTES = 1024 * 1024


MAX_MEMBERS = 1000


MAX_ROWS = 200_000


# Columns read per row; the export has 13. Anything further right is not read at all.
MAX_COLUMNS = 64


# A DTD must come before the root element, so the start of each XML part is enough to find one.
DTD_SCAN_BYTES = 64 * 1024


# Excel 4.0 macro sheets and (5.0) dialog sheets: macros without a vbaProject.bin.
MACRO_SHEET_FOLDERS = ("xl/macrosheets/", "xl/dialogsheets/")


XLSX_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)

PROJECTS = "projects"


DEVELOPMENTS = "developments"


Progress = Callable[[str, int, int | None], None]


class ImportProblem(Exception):
    """Base of the import's exceptions; `str()` is a message for the user."""


class ImportRefused(ImportProblem):
    """The file is not read at all: hostile, too large, not an XLSX workbook."""


class ImportRejected(ImportProblem):
    """The file has errors (named by sheet, row and column): nothing is applied."""

    def __init__(self, errors: list[CellError], message: str | None = None):
        self.errors = errors
        super().__init__(
            message or _("The file has %(count)d error(s); nothing was changed.") % {"count": len(errors)}
        )


@dataclass
class Sheet:
    """The rows of one recognised sheet, with its columns mapped to keys."""

    kind: str
    title: str
    columns: dict[str, int]  # key -> 0-based column index
    headers: dict[str, str]  # key -> the header as written in the file
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (row number, values)
    errors: list[dict] = field(default_factory=list)
    # The language of the sheet's headers: the preview names statuses, kinds and dates in it.
    language: str = "ja"

    def header(self, key: str) -> str:
        return self.headers.get(key, key)

    def letter(self, key: str) -> str:
        return get_column_letter(self.columns[key] + 1) if key in self.columns else ""

    def value(self, values: tuple, key: str):
        index = self.columns.get(key)
        if index is None or index >= len(values):
            return None
        return values[index]


@dataclass
class ParsedFile:
    filename: str
    content: bytes
    sheets: list[Sheet]

    def sheet(self, kind: str) -> Sheet | None:
        return next((s for s in self.sheets if s.kind == kind), None)

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sheets)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def _read_limited(source) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        content = bytes(source)
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        content = source.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise ImportRefused(
            _("The file is larger than %(limit)s MB. Split it or export fewer projects.")
            % {"limit": _megabytes(MAX_FILE_BYTES)}
        )
    if not content:
        raise ImportRefused(_("The file is empty."))
    return content


def _check_archive(content: bytes) -> None:
    """Refuse anything but a plain XLSX zip, from its directory alone, before any XML is parsed."""
    not_xlsx = _("The file is not an XLSX workbook. Save it in Excel as .xlsx and upload it again.")
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused(
            _(
                "The file is an old-format Excel workbook (.xls) or a password-protected workbook. "
                "Save it as an unprotected .xlsx and upload it again."
            )
        )
    if not content.startswith(b"PK\x03\x04"):
        head = content[:2048]
        if b"\x00" not in head and (b"," in head or b"\t" in head):
            raise ImportRefused(_("The file looks like CSV text. Upload the XLSX export instead."))
        raise ImportRefused(not_xlsx)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ImportRefused(not_xlsx) from exc
    with archive:
        if len(members) > MAX_MEMBERS:
            raise ImportRefused(not_xlsx)
        total = compressed = 0
        for member in members:
            if member.flag_bits & 0x1:
                raise ImportRefused(_("The workbook is encrypted. Remove the password and upload it again."))
            if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ImportRefused(not_xlsx)
            total += member.file_size
            compressed += member.compress_size
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
                raise ImportRefused(
                    _(
                        "The workbook part %(name)s is compressed %(ratio)d to 1, which is refused as "
                        "a possible zip bomb."
                    )
                    % {"name": member.filename, "ratio": ratio}
                )
        # The ratio of the archive as a whole: many small parts of a high ratio add up too.
        overall = total / max(compressed, 1)
        if total > RATIO_CHECK_MIN_BYTES and overall > MAX_COMPRESSION_RATIO:
            raise ImportRefused(
                _(
                    "The workbook is compressed %(ratio)d to 1 as a whole, which is refused as a possible "
                    "zip bomb."
                )
                % {"ratio": overall}
            )
        if total > MAX_UNCOMPRESSED_BYTES:
            raise ImportRefused(
                _(
                    "The workbook would unpack to more than %(limit)s MB, which is refused as a possible zip bomb."
                )
                % {"limit": _megabytes(MAX_UNCOMPRESSED_BYTES)}
            )
        names = {m.filename: m for m in members}
        if "[Content_Types].xml" not in names or names["[Content_Types].xml"].file_size > 1024 * 1024:
            raise ImportRefused(not_xlsx)
        try:
            content_types = archive.read("[Content_Types].xml")
            lower_names = [name.lower() for name in names]
            if (
                any(name.endswith("vbaproject.bin") for name in lower_names)
                or any(name.startswith(MACRO_SHEET_FOLDERS) for name in lower_names)
                or b"macroEnabled" in content_types
                or b"macrosheet+xml" in content_types
                or b"dialogsheet+xml" in content_types
            ):
                raise ImportRefused(
                    _("The workbook contains macros, which are not accepted. Save it as .xlsx.")
                )
            if any(name.startswith("xl/externallinks/") for name in lower_names) or (
                b"externalLink+xml" in content_types
            ):
                raise ImportRefused(
                    _(
                        "The workbook links to other workbooks (external links), which are not "
                        "accepted. Paste the linked cells as values only and upload again."
                    )
                )
            if not any(ct.encode() in content_types for ct in XLSX_CONTENT_TYPES):
                raise ImportRefused(not_xlsx)
            for member in members:
                if member.filename.endswith((".xml", ".rels", ".vml")):
                    with archive.open(member) as part:
                        head = part.read(DTD_SCAN_BYTES).upper()
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise ImportRefused(
                            _("The workbook part %(name)s declares a DTD, which is not accepted.")
                            % {"name": member.filename}
                        )
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise ImportRefused(not_xlsx) from exc


# Formulas anywhere openpyxl's cell reading does not see them: in a cell beyond MAX_COLUMNS, in
# a data validation or conditional format (formula, formula1, formula2, x14's xm:f), and in a
# defined name. The parts are scanned as bytes, in pieces, so a large sheet costs little.
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(f|formula[12]?)(?=[\s/>])")


_DEFINED_NAME = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?definedName\b[^>]*>([^<]*)<")


_CELL_REFERENCE = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')


# A validation or conditional format may compare with a constant: a quoted list or a number.
_CONSTANT = re.compile(r'\s*(?:"[^"]*"|-?[0-9]+(?:\.[0-9]+)?)\s*')


# A defined name may name cells (Excel's print areas and filter ranges do): Sheet!$A$1:$M$94.
_RANGE_REF = r"(?:'(?:[^']|'')+'|[^\W\d][\w.]*)!\$?[A-Z]{0,3}\$?[0-9]{0,7}(?::\$?[A-Z]{0,3}\$?[0-9]{0,7})?"


_REFERENCES = re.compile(rf"\s*{_RANGE_REF}(?:\s*,\s*{_RANGE_REF})*\s*")


SCAN_PIECE_BYTES = 1024 * 1024


# A match is looked at only when this much follows it in the piece (else in the next piece):
# more than Excel allows in a formula (8,192 characters).
SCAN_OVERLAP_BYTES = 64 * 1024


def _scan(archive: zipfile.ZipFile, name: str, pattern: re.Pattern):
    """(buffer, match) for each match of `pattern` in the part, read in pieces."""
    with archive.open(name) as part:
        buffer, final = b"", False
        while not final:
            piece = part.read(SCAN_PIECE_BYTES)
            final = not piece
            buffer += piece
            limit = len(buffer) if final else len(buffer) - SCAN_OVERLAP_BYTES
            for match in pattern.finditer(buffer):
                if match.start() >= limit:
                    break
                yield buffer, match
            if not final:
                buffer = buffer[max(limit, 0) :]


def _check_hidden_formulas(content: bytes) -> None:
    """Refuse a formula anywhere in the sheets or the defined names (see _FORMULA_TAG)."""
    refused = _(
        "The workbook part %(part)s holds a formula (%(where)s). Formulas are not accepted: remove it, "
        "or copy the cells and paste them back as values only."
    )
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            lower = name.lower()
            if lower == "xl/workbook.xml":
                for _buffer, match in _scan(archive, name, _DEFINED_NAME):
                    text = html.unescape(match[1].decode("utf-8", "replace"))
                    if text.strip() and not _REFERENCES.fullmatch(text):
                        where = _("in a defined name: %(text)s") % {"text": text[:100]}
                        raise ImportRefused(refused % {"part": name, "where": where})
            elif lower.startswith("xl/worksheets/") and lower.endswith(".xml"):
                for buffer, match in _scan(archive, name, _FORMULA_TAG):
                    if match[1] == b"f":
                        start = buffer.rfind(b"<c ", 0, match.start())
                        inside = start >= 0 and buffer.find(b"</c>", start, match.start()) < 0
                        cell = _CELL_REFERENCE.search(buffer, start, match.start()) if inside else None
                        where = _("in cell %(cell)s") % {"cell": cell[1].decode() if cell else "?"}
                        raise ImportRefused(refused % {"part": name, "where": where})
                    close = buffer.find(b"<", match.end())
                    opening = buffer[match.start() : buffer.find(b">", match.start()) + 1]
                    text = html.unescape(
                        buffer[buffer.find(b">", match.start()) + 1 : close].decode("utf-8", "replace")
                    )
                    if opening.endswith(b"/>") or (close >= 0 and _CONSTANT.fullmatch(text)):
                        continue
                    where = _("in a data validation or conditional format: %(text)s") % {"text": text[:100]}
                    raise ImportRefused(refused % {"part": name, "where": where})


def _norm(value) -> str:
    """One form for matching headers, codes and labels: NFKC, casefolded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", str(value)).casefold().split())


def _aliases(labels: dict[str, Callable]) -> dict[str, str]:
    """Normalized header -> column key: the key itself and its label in Japanese and English."""
    result = {}
    for key, label in labels.items():
        result[_norm(key)] = key
        for language in ("en", "ja"):
            with override(language):
                result[_norm(label())] = key
    return result


def _sheet_titles(function: Callable[[], str]) -> set[str]:
    titles = set()
    for language in ("en", "ja"):
        with override(language):
            titles.add(_norm(function()))
    return titles


def _classify(title: str, header: tuple) -> tuple[str, dict[str, int], dict[str, str], list[str]] | None:
    """The sheet's kind and its columns, from its title and header row; None if not ours."""
    cells = [(i, _norm(v)) for i, v in enumerate(header) if v is not None and _norm(v)]
    development_titles = _sheet_titles(developments_sheet_title)
    project_titles = _sheet_titles(lambda: _("Projects"))
    candidates = [
        (DEVELOPMENTS, _aliases(DEVELOPMENT_COLUMN_LABELS)),
        (PROJECTS, _aliases(LIST_COLUMN_LABELS)),
    ]
    if _norm(title) in project_titles:
        candidates.reverse()
    for kind, aliases in candidates:
        columns, headers, duplicates = {}, {}, []
        for index, text in cells:
            key = aliases.get(text)
            if key is None:
                continue
            if key in columns:
                duplicates.append(str(header[index]))
                continue
            columns[key] = index
            headers[key] = str(header[index]).strip()
        required = {"project_number", "text"} if kind == DEVELOPMENTS else {"number"}
        if required <= set(columns) or (
            _norm(title) in (development_titles if kind == DEVELOPMENTS else project_titles) and columns
        ):
            return kind, columns, headers, duplicates
    return None


def _header_language(headers: dict[str, str]) -> str:
    """ "en" when more of the headers are the English labels than the Japanese ones, else "ja"."""
    labels = {**LIST_COLUMN_LABELS, **DEVELOPMENT_COLUMN_LABELS}
    votes = {}
    for language in ("ja", "en"):
        with override(language):
            votes[language] = sum(1 for key, text in headers.items() if _norm(text) == _norm(labels[key]()))
    return "en" if votes["en"] > votes["ja"] else "ja"


def _cell_value(cell, sheet_title: str):
    data_type = getattr(cell, "data_type", None)
    if data_type == "f":
        raise ImportRefused(
            _(
                "Cell %(sheet)s!%(cell)s holds a formula. Formulas are not accepted: copy the cells "
                "and paste them back as values only."
            )
            % {"sheet": sheet_title, "cell": cell.coordinate}
        )
    if data_type == "e":
        raise ImportRefused(
            _("Cell %(sheet)s!%(cell)s holds an error value (%(value)s). Correct it and upload again.")
            % {"sheet": sheet_title, "cell": cell.coordinate, "value": cell.value}
        )
    value = cell.value
    if isinstance(value, datetime) and _is_month_format(getattr(cell, "number_format", "")):
        return _MonthValue(value.year, value.month)
    return value


@dataclass(frozen=True)
class _MonthValue:
    """A date cell Excel shows as a month (typed "2024-03" or "Mar-24")."""

    year: int
    month: int


def _is_month_format(number_format: str) -> bool:
    text = re.sub(r'"[^"]*"|\[[^\]]*\]', "", number_format or "").lower()
    return "m" in text and "y" in text and "d" not in text and "h" not in text and "s" not in text


def read_workbook(source, filename: str = "", *, progress: Progress | None = None) -> ParsedFile:
    """Read an uploaded XLSX (bytes or a file object) into sheets of rows, refusing hostile files."""
    content = _read_limited(source)
    _check_archive(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except ImportRefused:
        raise
    except Exception as exc:  # untrusted input: whatever openpyxl chokes on is "not readable"
        raise ImportRefused(
            _("The file could not be read as an XLSX workbook (%(error)s).") % {"error": type(exc).__name__}
        ) from exc
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            sheet = _read_sheet(worksheet, progress)
            if sheet is not None:
                sheets.append(sheet)
    except ImportRefused:
        raise
    except Exception as exc:  # a malformed sheet part, found while streaming it
        raise ImportRefused(
            _("The file could not be read as an XLSX workbook (%(error)s).") % {"error": type(exc).__name__}
        ) from exc
    finally:
        workbook.close()
    try:
        _check_hidden_formulas(content)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as exc:
        raise ImportRefused(
            _("The file could not be read as an XLSX workbook (%(error)s).") % {"error": type(exc).__name__}
        ) from exc
    for kind in (PROJECTS, DEVELOPMENTS):
        same = [s.title for s in sheets if s.kind == kind]
        if len(same) > 1:
            raise ImportRefused(
                _("The sheets %(sheets)s have the same columns. Keep one of them and upload again.")
                % {"sheets": ", ".join(same)}
            )
    if not sheets:
        raise ImportRefused(
            _(
                "No sheet has the columns of the project list export (a Number column on the projects "
                "sheet, or Project number and Text on the developments sheet). Upload a file made by "
                "the XLSX export."
            )
        )
    return ParsedFile(filename=filename, content=content, sheets=sheets)


def _read_sheet(worksheet, progress: Progress | None) -> Sheet | None:
    title = worksheet.title
    estimate = worksheet.max_row
    # The stored dimension may lie (or be missing); read every row that is really there.
    worksheet.reset_dimensions()
    rows = worksheet.iter_rows(max_col=MAX_COLUMNS)
    sheet = None
    count = 0
    step = max((estimate or 0) // 100, 1000)
    for count, cells in enumerate(rows, start=1):
        if count - 1 > MAX_ROWS:  # the header row is not one of the MAX_ROWS
            raise ImportRefused(
                _("The sheet %(sheet)s has more than %(limit)s rows.")
                % {"sheet": title, "limit": f"{MAX_ROWS:,}"}
            )
        values = tuple(_cell_value(cell, title) for cell in cells)
        if count == 1:
            found = _classify(title, values)
            if found is None:
                sheet = Sheet(kind="", title=title, columns={}, headers={})
                continue
            kind, columns, headers, duplicates = found
            sheet = Sheet(kind=kind, title=title, columns=columns, headers=headers)
            sheet.language = _header_language(headers)
            for text in duplicates:
                sheet.errors.append(
                    _error(sheet, 1, "", _("The column %(column)s appears twice.") % {"column": text})
                )
            continue
        if sheet.kind and any(v is not None and str(v).strip() for v in values):
            sheet.rows.append((count, values))
        if progress and count % step == 0:
            progress(_("Reading %(sheet)s") % {"sheet": title}, count, estimate)
    if progress and count:
        progress(_("Reading %(sheet)s") % {"sheet": title}, count, count)
    if sheet is None or not sheet.kind:
        return None
    return sheet


def _error(sheet: Sheet, row: int | None, key: str, message: str) -> dict:
    return {
        "sheet": sheet.title,
        "row": row,
        "column": sheet.header(key) if key else "",
        "cell": f"{sheet.letter(key)}{row}" if key and row and key in sheet.columns else "",
        "message": str(message),
        **({"source": message.as_json()} if isinstance(message, Message) else {}),
    }
