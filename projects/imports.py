"""Import of the XLSX list export: read a workbook safely, preview its changes, apply them whole.

The round trip: an editor downloads the list export (`exports.write_list_xlsx`), edits the
projects sheet (name, English name, country, sectors, schemes, status, new) and the
developments sheet (edit a row to change that development; append a row with an empty No. to
add one), and uploads it. Other columns (region, won, latest development, updated) are derived
and ignored. The hidden "version" column guards against overwriting edits made after the
export (check_stale). Deleting a row deletes nothing.

- `read_workbook()` refuses hostile files before openpyxl parses any XML: too large, not an
  XLSX zip, a zip bomb, macros, DTDs; then, while reading, too many rows and formulas.
- `build_preview()` compares every row with the database and lists the changes (sheet, row,
  project, field, before, after) and the errors (sheet, row, column, message).
- `import_batch_create()` stores the upload as an ImportBatch: previewed if clean, rejected
  if not. A hostile file raises `ImportRefused` and nothing is stored.
- `apply_preview()` re-reads the stored file and re-validates it against current data inside
  one transaction, and applies it through the services (with history and audit); any error
  rolls everything back.
"""

from __future__ import annotations

import html
import io
import json
import logging
import os
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext, override
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from countries.models import Country
from projects import services
from projects.dates import format_partial_date, parse_development_date
from projects.models import (
    DatePrecision,
    Development,
    DevelopmentKind,
    ImportBatch,
    Project,
    Scheme,
    Sector,
    Status,
)
from projects.spreadsheets.columns import (
    DEVELOPMENT_COLUMN_LABELS,
    LIST_COLUMN_LABELS,
    developments_sheet_title,
    unescape_cell,
)
from projects.spreadsheets.xlsx import decode_characters
from tracker.log import log_event

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
# XML compresses well (10-30 to 1 is usual); far beyond that is a decompression bomb.
MAX_COMPRESSION_RATIO = 100
# Small members may have any ratio: a tiny part cannot expand to anything harmful.
RATIO_CHECK_MIN_BYTES = 1024 * 1024
MAX_MEMBERS = 1000
MAX_ROWS = 200_000
# The longest text a cell may hold, per column (the default: Excel's own limit). Every cell is
# checked before it is parsed, so no parser ever sees more than this.
MAX_CELL_CHARS = 32_767
CELL_LIMITS = {
    "number": 20,
    "project_number": 20,
    "sequence": 20,
    "version": 20,
    "updated": 100,
    "country": 200,
    "status": 200,
    "kind": 200,
    "is_new": 50,
    "date": 100,
    "sectors": 2_000,
    "schemes": 2_000,
}
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

# Project columns an import may change; the other export columns are derived and ignored.
PROJECT_EDITABLE = ("name", "name_en", "country", "sectors", "schemes", "status", "is_new")
DEVELOPMENT_EDITABLE = ("date", "kind", "text", "source")

Progress = Callable[[str, int, int | None], None]


class Message(str):
    """A message translated now (a str, in the active language) that keeps its source text and
    parameters, so that a stored one is shown later in the reader's language (shown_errors),
    not in the uploader's. `_("…") % {…}` in this module makes one."""

    msgid: str
    params: dict | None

    def __new__(cls, msgid: str, params: dict | None = None):
        text = gettext(msgid)
        message = super().__new__(cls, text % params if params is not None else text)
        message.msgid, message.params = msgid, params
        return message

    def __mod__(self, params):
        return Message(self.msgid, params)

    def as_json(self) -> dict:
        params = None
        if self.params is not None:
            params = {k: v.as_json() if isinstance(v, Message) else v for k, v in self.params.items()}
        return {"msgid": self.msgid, "params": params}


def _(msgid: str) -> Message:  # gettext's usual name, so that makemessages finds the strings
    return Message(msgid)


def _render(stored) -> str:
    """A message stored by Message.as_json(), in the active language."""
    params = stored.get("params")
    if params is not None:
        params = {k: _render(v) if isinstance(v, dict) and "msgid" in v else v for k, v in params.items()}
    text = gettext(stored["msgid"])
    try:
        return text % params if params is not None else text
    except (KeyError, TypeError, ValueError):  # a catalogue out of step: the source text then
        return stored["msgid"] % params if params is not None else stored["msgid"]


def shown_errors(errors: list[dict]) -> list[dict]:
    """Stored preview errors for a reader: sheet, row, column, cell and the message in the
    active language (errors stored before messages kept their source keep their text)."""
    keys = ("sheet", "row", "column", "cell", "message")
    shown = []
    for error in errors:
        item = {key: error.get(key, "") for key in keys}
        if isinstance(error.get("source"), dict):
            item["message"] = _render(error["source"])
        shown.append(item)
    return shown


class ImportProblem(Exception):
    """Base of the import's exceptions; `str()` is a message for the user."""


class ImportRefused(ImportProblem):
    """The file is not read at all: hostile, too large, not an XLSX workbook."""


class ImportRejected(ImportProblem):
    """The file has errors (named by sheet, row and column): nothing is applied."""

    def __init__(self, errors: list[dict], message: str | None = None):
        self.errors = errors
        super().__init__(
            message or _("The file has %(count)d error(s); nothing was changed.") % {"count": len(errors)}
        )


class AlreadyApplied(ImportProblem):
    """The batch was applied before; applying it again is refused."""


class PreviewOutdated(ImportRejected):
    """The data changed since the preview: the batch now holds a fresh preview to review."""

    def __init__(self, preview: Preview):
        self.preview = preview
        super().__init__(
            preview.errors,
            _(
                "The data changed since this file was previewed. The preview has been refreshed: "
                "review it and confirm again."
            ),
        )


# Reading


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


# Preview


def _error(sheet: Sheet, row: int | None, key: str, message: str) -> dict:
    return {
        "sheet": sheet.title,
        "row": row,
        "column": sheet.header(key) if key else "",
        "cell": f"{sheet.letter(key)}{row}" if key and row and key in sheet.columns else "",
        "message": str(message),
        **({"source": message.as_json()} if isinstance(message, Message) else {}),
    }


@dataclass
class _ProjectEdit:
    project: Project
    sheet: str
    row: int
    fields: dict = field(default_factory=dict)
    sectors: list | None = None
    schemes: list | None = None
    status: str | None = None


@dataclass
class _DevelopmentEdit:
    project: Project
    sheet: str
    row: int
    development: Development | None  # None: a new development
    values: dict = field(default_factory=dict)


@dataclass
class Preview:
    """What applying a file would change, and what is wrong with it."""

    changes: list[dict]
    errors: list[dict]
    project_edits: list[_ProjectEdit] = field(default_factory=list, repr=False)
    development_edits: list[_DevelopmentEdit] = field(default_factory=list, repr=False)

    @property
    def is_clean(self) -> bool:
        return not self.errors

    def counts(self) -> dict:
        return {
            "changes": len(self.changes),
            "errors": len(self.errors),
            "projects_changed": len(
                {
                    e.project.pk
                    for e in self.project_edits
                    if e.fields or e.sectors is not None or e.schemes is not None
                }
            ),
            "status_changes": sum(1 for e in self.project_edits if e.status),
            "developments_added": sum(1 for e in self.development_edits if e.development is None),
            "developments_changed": sum(1 for e in self.development_edits if e.development is not None),
        }

    def as_json(self, options: dict | None = None) -> dict:
        return json.loads(
            json.dumps(
                {
                    "changes": self.changes,
                    "errors": self.errors,
                    "counts": self.counts(),
                    "options": options or {},
                },
                default=str,
            )
        )


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if re.fullmatch(r"[0-9]{1,9}", text):
            return int(text)
    return None


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if not (value.hour or value.minute or value.second)
            else value.isoformat()
        )
    if isinstance(value, _MonthValue):
        return f"{value.year}-{value.month:02d}"
    if isinstance(value, str):
        return unescape_cell(decode_characters(value))
    return str(value)


_RANGE = re.compile(r"^(.+?)\s*(?:[~〜～–—]|\s-\s|\sto\s)\s*(.+)$")
_ISO_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_YEAR_ONLY = re.compile(r"^(\d{4})$")
_FISCAL = re.compile(r"^fy\s?(\d{4})$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_EN_MONTH = re.compile(r"^([a-z]{3})[a-z]*\.?\s+(\d{4})$")
_EN_DAY = re.compile(r"^(\d{1,2})\s+([a-z]{3})[a-z]*\.?\s+(\d{4})$")
_EN_MONTH_RANGE = re.compile(r"^([a-z]{3})[a-z]*\.?\s*[–~-]\s*([a-z]{3})[a-z]*\.?\s+(\d{4})$")


def _one_date(text: str) -> tuple[date, str] | None:
    try:
        if m := _ISO_DAY.match(text):
            return date(int(m[1]), int(m[2]), int(m[3])), DatePrecision.DAY
        if m := _ISO_MONTH.match(text):
            return date(int(m[1]), int(m[2]), 1), DatePrecision.MONTH
        if m := _YEAR_ONLY.match(text):
            return date(int(m[1]), 1, 1), DatePrecision.YEAR
        if m := _FISCAL.match(text):
            return date(int(m[1]), 4, 1), DatePrecision.FISCAL_YEAR
        if (m := _EN_MONTH.match(text)) and m[1] in _MONTHS:
            return date(int(m[2]), _MONTHS[m[1]], 1), DatePrecision.MONTH
        if (m := _EN_DAY.match(text)) and m[2] in _MONTHS:
            return date(int(m[3]), _MONTHS[m[2]], int(m[1])), DatePrecision.DAY
    except ValueError:
        return None
    return None


def parse_date_cell(value) -> tuple[date | None, str, date | None] | None:
    """A date cell as (date, precision, date_end); None when it is not a date.

    Accepts "2024-03-15", "2024-03", "2024", "FY2024", "Mar 2024", ranges of those
    ("2022-11 ~ 2023-01", "Nov 2022 – Jan 2023"), Excel dates, and every Japanese form
    `parse_development_date` reads ("2023年1月", "2022年11月～2023年1月", "2021年度", "令和4年").
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, DatePrecision.NONE, None
    if isinstance(value, _MonthValue):
        return date(value.year, value.month, 1), DatePrecision.MONTH, None
    if isinstance(value, datetime):
        return value.date(), DatePrecision.DAY, None
    if isinstance(value, date):
        return value, DatePrecision.DAY, None
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    text = " ".join(unicodedata.normalize("NFKC", str(value)).casefold().split())
    if re.search(r"\d\s*年|令和|平成", text):
        parsed = parse_development_date(str(value))
        return (parsed.date, parsed.precision, parsed.date_end) if parsed.date else None
    single = _one_date(text)
    if single:
        return single[0], single[1], None
    if (m := _EN_MONTH_RANGE.match(text)) and m[1] in _MONTHS and m[2] in _MONTHS:
        start, end = date(int(m[3]), _MONTHS[m[1]], 1), date(int(m[3]), _MONTHS[m[2]], 1)
        return (start, DatePrecision.MONTH, end) if end > start else None
    if m := _RANGE.match(text):
        start, end = _one_date(m[1].strip()), _one_date(m[2].strip())
        if start and end and start[1] == end[1] and end[0] > start[0]:
            return start[0], start[1], end[0]
    return None


def _date_display(day, precision, date_end) -> str:
    return format_partial_date(day, precision, date_end, language=get_language() or "ja")


def _same_text(a: str, b: str) -> bool:
    """Equal up to line endings: XML turns a stored carriage return into a line feed."""
    return a.replace("\r\n", "\n").replace("\r", "\n") == b.replace("\r\n", "\n").replace("\r", "\n")


YES = {"yes", "y", "true", "1", "はい", "○", "◯", "✓", "✔", "新規"}
NO = {"", "no", "n", "false", "0", "いいえ", "-", "×"}


class _Lookups:
    """Codes and names (both languages) of the reference data, normalized for matching."""

    def __init__(self):
        self.countries = {}
        for country in Country.objects.all():
            for key in (country.iso_code, country.name_ja, country.name_en):
                self.countries[_norm(key)] = country
        self.sectors = self._named(Sector.objects.all())
        self.schemes = self._named(Scheme.objects.all())
        self.spans = {"sectors": _span(self.sectors), "schemes": _span(self.schemes)}
        self.statuses = self._choices(Status)
        self.kinds = self._choices(DevelopmentKind)
        self.yes = set(YES)
        self.no = set(NO)
        for language in ("en", "ja"):
            with override(language):
                self.yes.add(_norm(_("Yes")))
                self.no.add(_norm(_("No")))

    @staticmethod
    def _named(queryset) -> dict:
        return {_norm(key): obj for obj in queryset for key in (obj.code, obj.name_ja, obj.name_en)}

    @staticmethod
    def _choices(choices) -> dict:
        result = {}
        for code, label in choices.choices:
            result[_norm(code)] = code
            for language in ("en", "ja"):
                with override(language):
                    result[_norm(label)] = code
        return result


_LIST_SEPARATOR = re.compile(r"([、,，;；\n/／])")


def _span(lookup: dict) -> int:
    """The most pieces (names and separators) that one name of `lookup` is cut into."""
    return max((2 * len(_LIST_SEPARATOR.findall(key)) + 1 for key in lookup), default=1)


def _split_names(text: str, lookup: dict, span: int | None = None) -> tuple[list, list[str]]:
    """Objects named in a list cell, matching names that contain a separator themselves.

    "Urban, real estate and housing development, smart cities" is one sector; the cell is cut
    at separators and the longest run of pieces that names something wins. A run is never
    longer than the longest name (`span` pieces), so the work grows linearly with the cell.
    """
    if span is None:
        span = _span(lookup)
    parts = _LIST_SEPARATOR.split(text)
    found, unknown = [], []
    i = 0
    while i < len(parts):
        if _LIST_SEPARATOR.fullmatch(parts[i]) or not parts[i].strip():
            i += 1
            continue
        for j in range(min(len(parts), i + span), i, -1):
            candidate = _norm("".join(parts[i:j]))
            if candidate in lookup:
                if lookup[candidate] not in found:
                    found.append(lookup[candidate])
                i = j
                break
        else:
            unknown.append(parts[i].strip())
            i += 1
    return found, unknown


def _names(objects: Iterable) -> str:
    return "、".join(str(o.name) for o in objects)


class _PreviewBuilder:
    def __init__(self, parsed: ParsedFile, progress: Progress | None):
        self.parsed = parsed
        self.progress = progress
        self.lookups = _Lookups()
        self.projects = {
            p.number: p
            for p in Project.objects.select_related("country").prefetch_related("sectors", "schemes")
        }
        self.changes: list[dict] = []
        self.errors: list[dict] = []
        self.project_edits: list[_ProjectEdit] = []
        self.development_edits: list[_DevelopmentEdit] = []
        self.changed_projects: set[int] = set()
        self.version_cells: dict[int, tuple[Sheet, int, object]] = {}
        self.done = 0
        self.total = parsed.row_count

    def run(self) -> Preview:
        for sheet in self.parsed.sheets:
            self.errors.extend(sheet.errors)
        # Labels (statuses, kinds, dates, yes) in each sheet's own language; messages are shown
        # in the reader's (Message, shown_errors).
        if projects := self.parsed.sheet(PROJECTS):
            with override(projects.language):
                self.projects_sheet(projects)
        if developments := self.parsed.sheet(DEVELOPMENTS):
            with override(developments.language):
                self.developments_sheet(developments)
        self.check_stale()
        for error in self.errors:  # made in a sheet's language: the text in the active one
            if isinstance(error.get("source"), dict):
                error["message"] = _render(error["source"])
        if self.progress:
            self.progress(_("Checking"), self.total, self.total)
        return Preview(
            changes=self.changes,
            errors=self.errors,
            project_edits=self.project_edits,
            development_edits=self.development_edits,
        )

    def tick(self):
        self.done += 1
        if self.progress and self.done % max(self.total // 100, 500) == 0:
            self.progress(_("Checking"), self.done, self.total)

    def change(self, sheet, row, project, key, before, after, *, old, new, sequence=None, action="update"):
        self.changed_projects.add(project.number)
        self.changes.append(
            {
                "sheet": sheet.title,
                "kind": sheet.kind,
                "row": row,
                "number": project.number,
                "sequence": sequence,
                "action": action,
                "field": key,
                "column": sheet.header(key),
                "before": before,
                "after": after,
                "old": old,
                "new": new,
            }
        )

    def too_long(self, sheet: Sheet, row: int, values: tuple) -> bool:
        """Whether a cell of the row is longer than its column allows (CELL_LIMITS); each such
        cell is an error. Checked before anything of the row is parsed."""
        found = False
        for key in sheet.columns:
            value = sheet.value(values, key)
            limit = CELL_LIMITS.get(key, MAX_CELL_CHARS)
            if isinstance(value, str) and len(value) > limit:
                found = True
                self.errors.append(
                    _error(
                        sheet,
                        row,
                        key,
                        _("At most %(limit)d characters (this has %(count)d).")
                        % {"limit": limit, "count": len(value)},
                    )
                )
        return found

    def project_for(self, sheet: Sheet, row: int, values: tuple, key: str) -> Project | None:
        raw = sheet.value(values, key)
        if raw is None or not str(raw).strip():
            self.errors.append(_error(sheet, row, key, _("The project number is missing.")))
            return None
        number = _as_int(raw)
        if number is None:
            self.errors.append(
                _error(sheet, row, key, _("%(value)s is not a project number.") % {"value": _as_text(raw)})
            )
            return None
        project = self.projects.get(number)
        if project is None:
            self.errors.append(
                _error(
                    sheet,
                    row,
                    key,
                    _(
                        "Project %(number)d does not exist. New projects are added in the admin, not by import."
                    )
                    % {"number": number},
                )
            )
        return project

    # The projects sheet

    def projects_sheet(self, sheet: Sheet) -> None:
        if "number" not in sheet.columns:
            message = _("The column %(column)s is missing.") % {"column": str(LIST_COLUMN_LABELS["number"]())}
            self.errors.append(_error(sheet, 1, "", message))
            return
        seen: dict[int, int] = {}
        for row, values in sheet.rows:
            self.tick()
            if self.too_long(sheet, row, values):
                continue
            project = self.project_for(sheet, row, values, "number")
            if project is None:
                continue
            if project.number in seen:
                self.errors.append(
                    _error(
                        sheet,
                        row,
                        "number",
                        _("Project %(number)d appears twice in this sheet (also row %(row)d).")
                        % {"number": project.number, "row": seen[project.number]},
                    )
                )
                continue
            seen[project.number] = row
            if "version" in sheet.columns or "updated" in sheet.columns:
                self.version_cells[project.number] = (sheet, row, sheet.value(values, "version"))
            self.project_row(sheet, row, values, project)

    def project_row(self, sheet: Sheet, row: int, values: tuple, project: Project) -> None:
        edit = _ProjectEdit(project=project, sheet=sheet.title, row=row)
        errors_before = len(self.errors)

        def error(key, message):
            self.errors.append(_error(sheet, row, key, message))

        for key in ("name", "name_en"):
            if key not in sheet.columns:
                continue
            text = _as_text(sheet.value(values, key))
            if not text.strip():
                error(key, _("This column must not be empty."))
                continue
            max_length = Project._meta.get_field(key).max_length
            if len(text) > max_length:
                error(
                    key,
                    _("At most %(limit)d characters (this has %(count)d).")
                    % {"limit": max_length, "count": len(text)},
                )
                continue
            if not _same_text(text, getattr(project, key)):
                edit.fields[key] = text
                self.change(
                    sheet, row, project, key, getattr(project, key), text, old=getattr(project, key), new=text
                )

        if "country" in sheet.columns:
            text = _as_text(sheet.value(values, "country"))
            country = self.lookups.countries.get(_norm(text))
            if country is None:
                error(
                    "country",
                    _("Unknown country: %(value)s") % {"value": text}
                    if text.strip()
                    else _("The country is missing."),
                )
            elif country.pk != project.country_id:
                edit.fields["country"] = country
                self.change(
                    sheet,
                    row,
                    project,
                    "country",
                    project.country.name,
                    country.name,
                    old=project.country.iso_code,
                    new=country.iso_code,
                )

        for key, lookup, required in (
            ("sectors", self.lookups.sectors, True),
            ("schemes", self.lookups.schemes, False),
        ):
            if key not in sheet.columns:
                continue
            text = _as_text(sheet.value(values, key))
            found, unknown = _split_names(text, lookup, self.lookups.spans[key])
            if unknown:
                message = (
                    _("Unknown sector: %(value)s") if key == "sectors" else _("Unknown scheme: %(value)s")
                )
                error(key, message % {"value": "、".join(unknown)})
                continue
            if required and not found:
                error(key, _("A project has at least one sector."))
                continue
            current = list(getattr(project, key).all())
            if {o.pk for o in found} != {o.pk for o in current}:
                setattr(edit, key, found)
                self.change(
                    sheet,
                    row,
                    project,
                    key,
                    _names(current),
                    _names(found),
                    old=sorted(o.code for o in current),
                    new=sorted(o.code for o in found),
                )

        if "status" in sheet.columns:
            text = _as_text(sheet.value(values, "status"))
            status = self.lookups.statuses.get(_norm(text))
            if status is None:
                error(
                    "status",
                    _("Unknown status: %(value)s (use one of: %(codes)s)")
                    % {"value": text, "codes": ", ".join(str(label) for label in Status.labels)}
                    if text.strip()
                    else _("The status is missing."),
                )
            elif status != project.status:
                edit.status = status
                labels = dict(Status.choices)
                self.change(
                    sheet,
                    row,
                    project,
                    "status",
                    str(labels[project.status]),
                    str(labels[status]),
                    old=project.status,
                    new=status,
                )

        if "is_new" in sheet.columns:
            raw = sheet.value(values, "is_new")
            text = _norm(_as_text(raw))
            if isinstance(raw, bool):
                flag = raw
            elif text in self.lookups.yes:
                flag = True
            elif text in self.lookups.no:
                flag = False
            else:
                flag = None
                error("is_new", _("Write yes or leave it empty, not %(value)s.") % {"value": _as_text(raw)})
            if flag is not None and flag != project.is_new:
                edit.fields["is_new"] = flag
                self.change(
                    sheet,
                    row,
                    project,
                    "is_new",
                    _yes_no(project.is_new),
                    _yes_no(flag),
                    old=project.is_new,
                    new=flag,
                )

        if len(self.errors) == errors_before and (
            edit.fields or edit.sectors is not None or edit.schemes is not None or edit.status
        ):
            self.project_edits.append(edit)

    # The developments sheet

    def developments_sheet(self, sheet: Sheet) -> None:
        for key in ("project_number", "sequence", "text"):
            if key not in sheet.columns:
                self.errors.append(
                    _error(
                        sheet,
                        1,
                        "",
                        _("The column %(column)s is missing.")
                        % {"column": str(DEVELOPMENT_COLUMN_LABELS[key]())},
                    )
                )
                return
        developments: dict[tuple[int, int], Development] = {}
        wanted = {
            p.pk
            for p in (self.projects.get(_as_int(sheet.value(v, "project_number"))) for _row, v in sheet.rows)
            if p is not None
        }
        for development in Development.objects.filter(project_id__in=wanted).select_related("project"):
            developments[(development.project_id, development.sequence)] = development
        seen: dict[tuple[int, int], int] = {}
        for row, values in sheet.rows:
            self.tick()
            if self.too_long(sheet, row, values):
                continue
            project = self.project_for(sheet, row, values, "project_number")
            if project is None:
                continue
            raw_sequence = sheet.value(values, "sequence")
            if raw_sequence is None or not str(raw_sequence).strip():
                self.development_row(sheet, row, values, project, None)
                continue
            sequence = _as_int(raw_sequence)
            development = developments.get((project.pk, sequence)) if sequence is not None else None
            if development is None:
                self.errors.append(
                    _error(
                        sheet,
                        row,
                        "sequence",
                        _(
                            "Project %(number)d has no development No. %(sequence)s. Leave No. empty "
                            "to add a development."
                        )
                        % {"number": project.number, "sequence": _as_text(raw_sequence)},
                    )
                )
                continue
            if (project.pk, sequence) in seen:
                self.errors.append(
                    _error(
                        sheet,
                        row,
                        "sequence",
                        _(
                            "Development %(number)d-%(sequence)d appears twice in this sheet (also row %(row)d)."
                        )
                        % {
                            "number": project.number,
                            "sequence": sequence,
                            "row": seen[(project.pk, sequence)],
                        },
                    )
                )
                continue
            seen[(project.pk, sequence)] = row
            self.development_row(sheet, row, values, project, development)

    def development_row(self, sheet, row, values, project, development: Development | None) -> None:
        errors_before = len(self.errors)
        kind_labels = dict(DevelopmentKind.choices)
        new = {}

        def error(key, message):
            self.errors.append(_error(sheet, row, key, message))

        text = _as_text(sheet.value(values, "text"))
        if not text.strip():
            error("text", _("The text of a development must not be empty."))
        else:
            new["text"] = text

        if "kind" in sheet.columns:
            raw = _as_text(sheet.value(values, "kind"))
            kind = self.lookups.kinds.get(_norm(raw)) if raw.strip() else DevelopmentKind.OTHER
            if kind is None:
                error(
                    "kind",
                    _("Unknown kind: %(value)s (use one of: %(codes)s)")
                    % {"value": raw, "codes": ", ".join(str(label) for label in DevelopmentKind.labels)},
                )
            else:
                new["kind"] = kind
        elif development is None:
            new["kind"] = DevelopmentKind.OTHER

        if "date" in sheet.columns:
            raw = sheet.value(values, "date")
            if development is not None and _same_date_text(raw, development):
                pass
            else:
                parsed = parse_date_cell(raw)
                if parsed is None:
                    error(
                        "date",
                        _(
                            "Cannot read the date %(value)s. Write e.g. 2024-03, 2024-03-15, 2024, FY2024, "
                            "2024年3月 or 2022年11月～2023年1月."
                        )
                        % {"value": _as_text(raw)},
                    )
                else:
                    if development is None and parsed[0] is None and "text" in new:
                        # An added development without a date gets the one its text gives, as the plan's do.
                        parsed = tuple(parse_development_date(new["text"]))
                    new["date"], new["date_precision"], new["date_end"] = parsed
        elif development is None and "text" in new:
            new["date"], new["date_precision"], new["date_end"] = parse_development_date(new["text"])

        if "source" in sheet.columns:
            source = _as_text(sheet.value(values, "source"))
            limit = Development._meta.get_field("source").max_length
            if len(source) > limit:
                error(
                    "source",
                    _("At most %(limit)d characters (this has %(count)d).")
                    % {"limit": limit, "count": len(source)},
                )
            else:
                new["source"] = source

        if len(self.errors) > errors_before:
            return
        sequence = development.sequence if development else None
        if development is None:
            edit = _DevelopmentEdit(project=project, sheet=sheet.title, row=row, development=None, values=new)
            self.development_edits.append(edit)
            shown = {
                "date": _date_display(new.get("date"), new.get("date_precision"), new.get("date_end")),
                "kind": str(kind_labels[new["kind"]]),
                "text": new["text"],
                "source": new.get("source", ""),
            }
            raw_new = {
                "date": [_iso(new.get("date")), new.get("date_precision", "none"), _iso(new.get("date_end"))],
                "kind": new["kind"],
                "text": new["text"],
                "source": new.get("source", ""),
            }
            for key in DEVELOPMENT_EDITABLE:
                if key in ("date", "text", "kind") or shown[key]:
                    self.change(
                        sheet, row, project, key, "", shown[key], old=None, new=raw_new[key], action="add"
                    )
            return
        changed = {}
        if "text" in new and not _same_text(new["text"], development.text):
            changed["text"] = new["text"]
            self.change(
                sheet,
                row,
                project,
                "text",
                development.text,
                new["text"],
                old=development.text,
                new=new["text"],
                sequence=sequence,
            )
        if "kind" in new and new["kind"] != development.kind:
            changed["kind"] = new["kind"]
            self.change(
                sheet,
                row,
                project,
                "kind",
                str(kind_labels[development.kind]),
                str(kind_labels[new["kind"]]),
                old=development.kind,
                new=new["kind"],
                sequence=sequence,
            )
        if "date" in new:
            before = (development.date, development.date_precision, development.date_end)
            after = (new["date"], new["date_precision"], new["date_end"])
            if before != after:
                changed.update(date=after[0], date_precision=after[1], date_end=after[2])
                self.change(
                    sheet,
                    row,
                    project,
                    "date",
                    _date_display(*before),
                    _date_display(*after),
                    old=[_iso(before[0]), before[1], _iso(before[2])],
                    new=[_iso(after[0]), after[1], _iso(after[2])],
                    sequence=sequence,
                )
        if "source" in new and not _same_text(new["source"], development.source):
            changed["source"] = new["source"]
            self.change(
                sheet,
                row,
                project,
                "source",
                development.source,
                new["source"],
                old=development.source,
                new=new["source"],
                sequence=sequence,
            )
        if changed:
            self.development_edits.append(
                _DevelopmentEdit(
                    project=project, sheet=sheet.title, row=row, development=development, values=changed
                )
            )

    def check_stale(self) -> None:
        """Refuse rows of projects saved after the file was exported: applying would undo that.

        The projects sheet's hidden Version column holds each project's version at export time,
        as the admin and the API check it (optimistic locking): any save since, even in the same
        minute, makes it differ. A file exported before that column existed has only the
        minute-rounded Updated column, which cannot tell; its rows that change something are
        refused, asking for a fresh export. A sheet with neither column (made by hand, not
        exported) is not checked: its preview shows every value it would replace.
        """
        for number in sorted(self.changed_projects):
            if number not in self.version_cells:
                continue
            sheet, row, in_file = self.version_cells[number]
            project = self.projects[number]
            if "version" not in sheet.columns:
                message = _(
                    "This file has no %(column)s column (it was exported by an earlier version of the "
                    "tracker), so changes made to project %(number)d since the export cannot be told "
                    "apart. Export again and redo your edits."
                ) % {"column": str(LIST_COLUMN_LABELS["version"]()), "number": number}
                self.errors.append(_error(sheet, row, "updated", message))
                continue
            if _as_int(in_file) == project.version:
                continue
            self.errors.append(
                _error(
                    sheet,
                    row,
                    "version",
                    _(
                        "Project %(number)d was saved at %(current)s, after this file was exported (its "
                        "version is %(version)d now, %(in_file)s in the file). Importing would undo that "
                        "change: export again and redo your edits."
                    )
                    % {
                        "number": number,
                        "current": tokyo_minute(project.updated),
                        "version": project.version,
                        "in_file": _as_text(in_file) or "—",
                    },
                )
            )


def tokyo_minute(value: datetime) -> str:
    """A date-time as "YYYY-MM-DD HH:MM" in the tracker's time zone (Asia/Tokyo), whatever
    time zone is active."""
    return timezone.localtime(value, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")


def _same_date_text(raw, development: Development) -> bool:
    """Whether the cell still holds the development's date as an export writes it (either language)."""
    text = _as_text(raw).strip()
    values = (development.date, development.date_precision, development.date_end)
    return any(text == format_partial_date(*values, language=language) for language in ("ja", "en"))


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _yes_no(value: bool) -> str:
    return _("Yes") if value else ""


def build_preview(parsed: ParsedFile, *, progress: Progress | None = None) -> Preview:
    """The changes the file would make, and its errors, against the data as it is now."""
    return _PreviewBuilder(parsed, progress).run()


# Storing and applying


def _clean_filename(filename: str) -> str:
    name = os.path.basename(str(filename or "").replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:255] or "upload.xlsx"


def import_options(note: str = "", effective_on: date | None = None) -> dict:
    return {"note": note or "", "effective_on": effective_on.isoformat() if effective_on else None}


def import_batch_create(
    *,
    source,
    filename: str,
    user=None,
    note: str = "",
    effective_on: date | None = None,
    progress: Progress | None = None,
) -> ImportBatch:
    """Read and preview an upload and store it: previewed when clean, rejected with its errors.

    Raises ImportRefused (and stores nothing) for a hostile or unreadable file.
    """
    filename = _clean_filename(filename)
    try:
        parsed = read_workbook(source, filename, progress=progress)
    except ImportRefused:
        log_event("import_refused", user=user, filename=filename, level=logging.WARNING)
        raise
    preview = build_preview(parsed, progress=progress)
    batch = ImportBatch.objects.create(
        filename=filename,
        content=parsed.content,
        state=ImportBatch.State.PREVIEWED if preview.is_clean else ImportBatch.State.REJECTED,
        preview=preview.as_json(import_options(note, effective_on)),
        uploaded_by=user if user is not None and user.is_authenticated else None,
    )
    log_event("import_uploaded", user=user, batch=batch.pk, filename=filename, state=batch.state)
    return batch


def _fingerprint(changes: list[dict]) -> list:
    keys = ("kind", "row", "number", "sequence", "action", "field", "old", "new")
    return json.loads(json.dumps([[c.get(k) for k in keys] for c in changes], default=str))


def apply_preview(batch: ImportBatch, user, *, progress: Progress | None = None) -> ImportBatch:
    """Apply a previewed batch in one transaction: all of it, through the services, or nothing.

    The stored file is read again and checked against the data as it is now, with the affected
    projects locked. If that finds errors, or changes other than the ones previewed, nothing is
    applied and the batch gets the fresh preview (PreviewOutdated). Applying twice is refused.
    """
    if batch.state == ImportBatch.State.APPLIED:
        raise AlreadyApplied(_("This import was applied already."))
    if batch.state == ImportBatch.State.REJECTED:
        raise ImportRejected(batch.preview.get("errors", []))
    parsed = read_workbook(bytes(batch.content), batch.filename, progress=progress)
    options = batch.preview.get("options") or {}
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.state == ImportBatch.State.APPLIED:
                raise AlreadyApplied(_("This import was applied already."))
            if locked.state == ImportBatch.State.REJECTED:
                raise ImportRejected(locked.preview.get("errors", []))
            # Lock the file's projects first, in one order, so no one edits them between check and write.
            numbers = _referenced_numbers(parsed)
            list(
                Project.objects.select_for_update()
                .filter(number__in=numbers)
                .order_by("pk")
                .values_list("pk")
            )
            preview = build_preview(parsed, progress=progress)
            if preview.errors or _fingerprint(preview.changes) != _fingerprint(
                locked.preview.get("changes", [])
            ):
                raise PreviewOutdated(preview)
            _apply(preview, user=user, filename=batch.filename, options=options, progress=progress)
            locked.state = ImportBatch.State.APPLIED
            locked.applied_at = timezone.now()
            locked.save(update_fields=["state", "applied_at"])
    except PreviewOutdated as exc:
        # After the rollback: keep the fresh preview on the batch, for the editor to review.
        batch.preview = exc.preview.as_json(options)
        batch.state = ImportBatch.State.PREVIEWED if exc.preview.is_clean else ImportBatch.State.REJECTED
        batch.save(update_fields=["preview", "state"])
        raise
    except ImportRejected as exc:
        if exc.errors:
            batch.preview = {**batch.preview, "errors": exc.errors}
            batch.state = ImportBatch.State.REJECTED
            batch.save(update_fields=["preview", "state"])
        raise
    batch.refresh_from_db()
    log_event("import_applied", user=user, batch=batch.pk, filename=batch.filename)
    return batch


def _referenced_numbers(parsed: ParsedFile) -> list[int]:
    numbers = set()
    for sheet in parsed.sheets:
        key = "number" if sheet.kind == PROJECTS else "project_number"
        for _row, values in sheet.rows:
            number = _as_int(sheet.value(values, key))
            if number is not None:
                numbers.add(number)
    return sorted(numbers)


def _validation_messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def _apply(preview: Preview, *, user, filename: str, options: dict, progress: Progress | None) -> None:
    note = _("Imported from %(filename)s") % {"filename": filename}
    if options.get("note"):
        note = f"{note}\n{options['note']}"
    effective_on = date.fromisoformat(options["effective_on"]) if options.get("effective_on") else None
    total = len(preview.project_edits) + len(preview.development_edits)
    done = 0
    step = max(total // 100, 1)

    def failed(edit, exc):
        raise ImportRejected(
            [
                {
                    "sheet": edit.sheet,
                    "row": edit.row,
                    "column": "",
                    "cell": "",
                    "message": _validation_messages(exc),
                }
            ]
        ) from exc

    for edit in preview.project_edits:
        try:
            if edit.fields or edit.sectors is not None or edit.schemes is not None:
                services.project_update(
                    project=edit.project, user=user, sectors=edit.sectors, schemes=edit.schemes, **edit.fields
                )
            if edit.status:
                services.project_change_status(
                    project=edit.project, status=edit.status, effective_on=effective_on, note=note, user=user
                )
        except ValidationError as exc:
            failed(edit, exc)
        done += 1
        if progress and done % step == 0:
            progress(_("Applying"), done, total)
    for edit in preview.development_edits:
        try:
            if edit.development is None:
                services.development_add(project=edit.project, user=user, **edit.values)
            else:
                services.development_update(development=edit.development, user=user, **edit.values)
        except ValidationError as exc:
            failed(edit, exc)
        done += 1
        if progress and done % step == 0:
            progress(_("Applying"), done, total)
