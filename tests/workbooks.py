"""Workbook helpers for the import tests: export the list, edit it with openpyxl, snapshot the data."""

import csv
import io

from django.utils import translation
from openpyxl import load_workbook

from projects.models import (
    Development,
    Project,
    StatusChange,
)
from projects.spreadsheets.export import csv_stream, write_list_xlsx
from projects.spreadsheets.preview import build_preview
from projects.spreadsheets.reading import read_workbook


def export_xlsx(language="ja") -> bytes:
    buffer = io.BytesIO()
    with translation.override(language):
        write_list_xlsx(Project.objects.all(), buffer)
    return buffer.getvalue()


def edit_xlsx(content: bytes, edit) -> bytes:
    """Open an export with openpyxl, let `edit(projects_sheet, developments_sheet)` change it, save."""
    workbook = load_workbook(io.BytesIO(content))
    edit(workbook.worksheets[0], workbook.worksheets[1])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def project_row(sheet, number: int) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == number)


def development_row(sheet, number: int, sequence: int) -> int:
    return next(
        r
        for r in range(2, sheet.max_row + 1)
        if (sheet.cell(r, 1).value, sheet.cell(r, 2).value) == (number, sequence)
    )


def column(sheet, key: str) -> int:
    """The 1-based column of `key` in an export sheet (headers are language-dependent)."""
    from projects.spreadsheets.columns import DEVELOPMENT_COLUMNS, LIST_COLUMNS

    columns = LIST_COLUMNS if sheet.parent.index(sheet) == 0 else DEVELOPMENT_COLUMNS
    return [c.key for c in columns].index(key) + 1


def set_cell(sheet, number: int, key: str, value):
    sheet.cell(project_row(sheet, number), column(sheet, key)).value = value


def snapshot() -> dict:
    """Every project-data row, to prove an import changed exactly what it should (or nothing)."""
    project_fields = [
        "number",
        "name",
        "name_en",
        "country__iso_code",
        "status",
        "version",
        "updated",
    ]
    development_fields = [
        "project__number",
        "sequence",
        "kind",
        "text",
        "date",
        "date_precision",
        "date_end",
        "source",
    ]
    return {
        "projects": {p["number"]: p for p in Project.objects.values(*project_fields)},
        "sectors": sorted(Project.sectors.through.objects.values_list("project__number", "sector__code")),
        "schemes": sorted(Project.schemes.through.objects.values_list("project__number", "scheme__code")),
        "developments": {
            (d["project__number"], d["sequence"]): d for d in Development.objects.values(*development_fields)
        },
        "status_changes": sorted(
            StatusChange.objects.values_list(
                "project__number", "sequence", "status", "previous_status", "note"
            )
        ),
        "history": (Project.history.count(), Development.history.count(), StatusChange.history.count()),
    }


def changed(before: dict, after: dict) -> set:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def preview_of(edit, language="ja"):
    """The preview of the plan's export in `language`, edited by `edit(projects, developments)`."""
    return build_preview(read_workbook(edit_xlsx(export_xlsx(language), edit), "x.xlsx"))


# Cells a spreadsheet would run as formulas, unless escaped.
HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def csv_rows(queryset):
    content = b"".join(csv_stream(queryset))
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_sheet(writer, queryset, sheet_index=0):
    buffer = io.BytesIO()
    writer(queryset, buffer)
    buffer.seek(0)
    workbook = load_workbook(buffer)
    return workbook.worksheets[sheet_index]
