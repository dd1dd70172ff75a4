"""Reading an uploaded workbook safely (`read_workbook()`).

Hostile files are refused before openpyxl parses any XML: too large, not an XLSX zip, a zip
bomb, macros, DTDs, formulas anywhere; then, while reading, too many rows. The sheets are told
apart by their titles and headers, in either language.
"""

from __future__ import annotations

import io
import re
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
    projects_sheet_title,
)
from projects.spreadsheets.errors import ImportRefused
from projects.spreadsheets.messages import Message, _
from projects.spreadsheets.upload import check_archive, check_hidden_formulas, read_limited
from projects.text import match_form

MAX_ROWS = 200_000


# Columns read per row; the export has 13. Anything further right is not read at all.
MAX_COLUMNS = 64


PROJECTS = "projects"


DEVELOPMENTS = "developments"


Progress = Callable[[str, int, int | None], None]


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


def _norm(value) -> str:
    """One form for matching headers, codes and labels (projects.text.match_form)."""
    return match_form(str(value))


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
    project_titles = _sheet_titles(projects_sheet_title)
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
    content = read_limited(source)
    check_archive(content)
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
        check_hidden_formulas(content)
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
