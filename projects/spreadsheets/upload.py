"""The upload checked before openpyxl parses any of it: its size, the zip (members, sizes,
compression ratio), macros, DTDs, external links, and formulas anywhere the cell reader does not
look (hidden cells, defined names, data validation, conditional formats)."""

from __future__ import annotations

import html
import io
import re
import zipfile

from django.conf import settings

from projects.spreadsheets.errors import ImportRefused
from projects.spreadsheets.messages import _

MAX_FILE_BYTES = settings.IMPORT_MAX_FILE_BYTES


MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024


# XML compresses well (10-30 to 1 is usual); far beyond that is a decompression bomb.
MAX_COMPRESSION_RATIO = 100


# Small members may have any ratio: a tiny part cannot expand to anything harmful.
RATIO_CHECK_MIN_BYTES = 1024 * 1024


MAX_MEMBERS = 1000


# A DTD must come before the root element, so the start of each XML part is enough to find one.
DTD_SCAN_BYTES = 64 * 1024


# Excel 4.0 macro sheets and (5.0) dialog sheets: macros without a vbaProject.bin.
MACRO_SHEET_FOLDERS = ("xl/macrosheets/", "xl/dialogsheets/")


XLSX_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def read_limited(source) -> bytes:
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


def _not_xlsx() -> str:
    return _("The file is not an XLSX workbook. Save it in Excel as .xlsx and upload it again.")


def check_archive(content: bytes) -> None:
    """Refuse anything but a plain XLSX zip, from its directory alone, before any XML is parsed."""
    _check_signature(content)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ImportRefused(_not_xlsx()) from exc
    with archive:
        _check_sizes(members)
        try:
            _check_parts(archive, members)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise ImportRefused(_not_xlsx()) from exc


def _check_signature(content: bytes) -> None:
    """An old .xls (or an encrypted workbook, which is one), CSV text, or no zip at all."""
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
        raise ImportRefused(_not_xlsx())


def _check_sizes(members: list[zipfile.ZipInfo]) -> None:
    """Members, encryption, compression methods, and the sizes and ratios of a zip bomb."""
    if len(members) > MAX_MEMBERS:
        raise ImportRefused(_not_xlsx())
    total = compressed = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise ImportRefused(_("The workbook is encrypted. Remove the password and upload it again."))
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ImportRefused(_not_xlsx())
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
            _("The workbook would unpack to more than %(limit)s MB, which is refused as a possible zip bomb.")
            % {"limit": _megabytes(MAX_UNCOMPRESSED_BYTES)}
        )


def _check_parts(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """The content types of a workbook; no macros, external links or DTDs."""
    names = {m.filename: m for m in members}
    if "[Content_Types].xml" not in names or names["[Content_Types].xml"].file_size > 1024 * 1024:
        raise ImportRefused(_not_xlsx())
    content_types = archive.read("[Content_Types].xml")
    lower_names = [name.lower() for name in names]
    if (
        any(name.endswith("vbaproject.bin") for name in lower_names)
        or any(name.startswith(MACRO_SHEET_FOLDERS) for name in lower_names)
        or b"macroEnabled" in content_types
        or b"macrosheet+xml" in content_types
        or b"dialogsheet+xml" in content_types
    ):
        raise ImportRefused(_("The workbook contains macros, which are not accepted. Save it as .xlsx."))
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
        raise ImportRefused(_not_xlsx())
    for member in members:
        if member.filename.endswith((".xml", ".rels", ".vml")):
            with archive.open(member) as part:
                head = part.read(DTD_SCAN_BYTES).upper()
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise ImportRefused(
                    _("The workbook part %(name)s declares a DTD, which is not accepted.")
                    % {"name": member.filename}
                )


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


def check_hidden_formulas(content: bytes) -> None:
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
