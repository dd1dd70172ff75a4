"""The preview: every change and error named by sheet, row and column; cells capped and parsed
in linear time."""

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F
from django.utils import timezone, translation
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from projects import services
from projects.models import (
    DatePrecision,
    DevelopmentKind,
    Project,
    Status,
)
from projects.spreadsheets import preview as preview_module
from projects.spreadsheets import values
from projects.spreadsheets.preview import build_preview
from projects.spreadsheets.reading import read_workbook
from tests.factories import (
    DevelopmentFactory,
    ProjectFactory,
    SectorFactory,
)
from tests.workbooks import (
    column,
    edit_xlsx,
    export_xlsx,
    preview_of,
    set_cell,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("country", "Atlantis", "Unknown country: Atlantis"),
        ("country", "", "The country is missing."),
        ("status", "done", "Unknown status: done"),
        ("sectors", "鉄道、宇宙", "Unknown sector: 宇宙"),
        ("sectors", "", "at least one sector"),
        ("schemes", "barter", "Unknown scheme: barter"),
        ("name", "", "must not be empty"),
        ("name", "x" * 201, "At most 200 characters"),
        ("number", "abc", "abc is not a project number"),
        ("number", 999, "Project 999 does not exist"),
    ],
)
def test_bad_project_cells_are_named_by_row_and_column(key, value, message):
    rail = SectorFactory(code="rail", name_ja="鉄道", name_en="Railways")
    ProjectFactory(number=1, sectors=[rail])
    ProjectFactory(number=2, sectors=[rail])

    def edit(projects, developments):
        set_cell(projects, 2, key, value)

    with translation.override("en"):
        preview = preview_of(edit, "en")
    assert len(preview.errors) == 1, preview.errors
    error = preview.errors[0]
    letter = get_column_letter(column_index(key) + 1)
    assert (error.sheet, error.row, error.cell) == ("Projects", 3, f"{letter}3")
    assert error.column == header_en(key)
    assert message in error.message


def column_index(key):
    from projects.spreadsheets.columns import LIST_COLUMNS

    return [c.key for c in LIST_COLUMNS].index(key)


def header_en(key):
    from projects.spreadsheets.columns import LIST_COLUMNS

    with translation.override("en"):
        return next(c.label for c in LIST_COLUMNS if c.key == key)


def test_duplicate_project_rows_are_an_error():
    ProjectFactory(number=1)
    ProjectFactory(number=2)

    def edit(projects, developments):
        projects.cell(3, 1).value = 1

    preview = preview_of(edit)
    assert [(e.row, e.cell) for e in preview.errors] == [(3, "A3")]
    assert "appears twice" in preview.errors[0].message


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        ([1, None, "sometime", "Other", "text", ""], "date", "Cannot read the date sometime"),
        ([1, None, "", "gossip", "text", ""], "kind", "Unknown kind: gossip"),
        ([1, None, "", "Other", "", ""], "text", "must not be empty"),
        ([1, 7, "", "Other", "text", ""], "sequence", "has no development No. 7"),
        ([999, None, "", "Other", "text", ""], "project_number", "Project 999 does not exist"),
        ([None, None, "", "Other", "text", ""], "project_number", "The project number is missing"),
    ],
)
def test_bad_development_rows_are_named_by_row_and_column(values, key, message):
    project = ProjectFactory(number=1)
    DevelopmentFactory(project=project, sequence=1, text="既存の動き")

    def edit(projects, developments):
        developments.append(values)

    preview = preview_of(edit, "en")
    assert len(preview.errors) == 1, preview.errors
    error = preview.errors[0]
    letter = "ABCDEF"[["project_number", "sequence", "date", "kind", "text", "source"].index(key)]
    assert (error.sheet, error.row, error.cell) == ("Developments", 3, f"{letter}3")
    assert message in error.message


def test_an_unchanged_export_previews_no_changes_in_either_language(plan_data):
    for language in ("ja", "en"):
        preview = build_preview(read_workbook(export_xlsx(language), "x.xlsx"))
        assert (preview.changes, preview.errors) == ([], []), language


def test_formula_like_text_survives_the_round_trip_unchanged():
    project = ProjectFactory(number=1, name="=HYPERLINK(1)", name_en="+1 line")
    DevelopmentFactory(project=project, sequence=1, text="-2 delays", source="@source")
    preview = build_preview(read_workbook(export_xlsx(), "x.xlsx"))
    assert (preview.changes, preview.errors) == ([], [])


def test_added_development_without_a_date_takes_the_one_its_text_gives():
    ProjectFactory(number=1)

    def edit(projects, developments):
        developments.append([1, None, None, "award", "2024年3月に本邦企業が受注", None])

    preview = preview_of(edit)
    assert preview.errors == []
    values = preview.development_edits[0].values
    assert (values["date"], values["date_precision"], values["kind"]) == (
        date(2024, 3, 1),
        DatePrecision.MONTH,
        DevelopmentKind.AWARD,
    )


def test_rows_of_projects_changed_since_the_export_are_refused():
    project = ProjectFactory(number=1)
    ProjectFactory(number=2)
    content = export_xlsx()
    Project.objects.filter(pk=project.pk).update(version=F("version") + 1)

    def edit(projects, developments):
        set_cell(projects, 1, "name", "新しい名前")
        set_cell(projects, 2, "name", "別の名前")

    preview = build_preview(read_workbook(edit_xlsx(content, edit), "x.xlsx"))
    assert len(preview.errors) == 1
    assert preview.errors[0].row == 2
    assert preview.errors[0].cell == "N2"
    assert "after this file was exported" in preview.errors[0].message


def test_a_save_in_the_same_minute_as_the_export_is_not_reverted(editor):
    """The stale check compared minute-rounded times: a colleague's save in the minute of the
    export was silently undone by the upload."""
    project = ProjectFactory(number=1, name="元の名前")
    ProjectFactory(number=2)
    frozen = datetime(2030, 1, 1, 3, 0, 10, tzinfo=UTC)
    Project.objects.update(updated=frozen)
    content = export_xlsx()
    services.project_update(project=Project.objects.get(pk=project.pk), user=editor, name="同僚の名前")
    Project.objects.filter(pk=project.pk).update(updated=frozen.replace(second=50))  # the same minute

    def edit(projects, developments):
        set_cell(projects, 1, "status", "implementation")

    with timezone.override(ZoneInfo("UTC")):  # whatever zone is active, the message says Tokyo time
        preview = build_preview(read_workbook(edit_xlsx(content, edit), "x.xlsx"))
    assert [(e.row, e.cell) for e in preview.errors] == [(2, "N2")]
    message = preview.errors[0].message
    assert "saved at 2030-01-01 12:00, after this file was exported" in message  # Tokyo time


def test_the_version_column_is_hidden_in_the_xlsx_and_holds_the_version():
    project = ProjectFactory(number=1)
    Project.objects.filter(pk=project.pk).update(version=7)
    sheet = load_workbook(io.BytesIO(export_xlsx("en"))).worksheets[0]
    assert (sheet["N1"].value, sheet["N2"].value) == ("Version", 7)
    assert sheet.column_dimensions["N"].hidden


def test_a_file_exported_before_the_version_column_is_refused_where_it_changes_something():
    ProjectFactory(number=1)
    ProjectFactory(number=2)

    def edit(projects, developments):
        projects.delete_cols(column(projects, "version"))
        set_cell(projects, 1, "name", "新しい名前")

    preview = preview_of(edit, language="en")
    assert [(e.row, e.column) for e in preview.errors] == [(2, "Updated")]
    assert "has no Version column" in preview.errors[0].message
    assert "Export again" in preview.errors[0].message


# Slow input: every cell is capped and parsed in linear time.


def test_a_list_cell_of_thousands_of_names_is_refused_by_its_length_with_row_and_column():
    ProjectFactory(number=1)
    ProjectFactory(number=2)
    cell = ",".join(["nosuchsector"] * 2000)

    def edit(projects, developments):
        set_cell(projects, 1, "sectors", cell)

    preview = preview_of(edit, language="en")
    assert len(preview.errors) == 1
    error = preview.errors[0]
    assert (error.row, error.column, error.cell) == (2, "Sectors", "F2")
    assert (
        error.message
        == f"At most {preview_module.CELL_LIMITS['sectors']:,d} characters (this has {len(cell):,d}).".replace(
            ",", ""
        )
    )


@pytest.mark.parametrize("key", ["date", "kind", "text"])
def test_every_development_cell_is_capped(key, monkeypatch):
    monkeypatch.setattr(preview_module, "MAX_CELL_CHARS", 1000)  # Excel's 32,767 for text, by default
    project = ProjectFactory(number=1)
    DevelopmentFactory(project=project, sequence=1)
    limit = preview_module.CELL_LIMITS.get(key, preview_module.MAX_CELL_CHARS)

    def edit(projects, developments):
        developments.cell(2, column(developments, key)).value = "2" * (limit + 1)

    preview = preview_of(edit, language="en")
    assert [(e.row, e.cell[0]) for e in preview.errors] == [(2, "ABCDEF"[column_index_dev(key)])]
    assert f"At most {limit} characters" in preview.errors[0].message


def column_index_dev(key):
    return ["project_number", "sequence", "date", "kind", "text", "source"].index(key)


def test_splitting_names_is_linear_in_the_number_of_names(monkeypatch):
    """Counted in normalizations, not timed: ten times the names cost at most ten times the steps."""
    lookup = {
        values._norm(name): name
        for name in ["Rail", "Urban, real estate and housing development, smart cities"]
    }
    steps = []
    norm = values._norm
    monkeypatch.setattr(values, "_norm", lambda value: steps.append(1) or norm(value))

    def count(n):
        steps.clear()
        found, unknown = values._split_names(",".join(["nosuchsector"] * n), lookup)
        assert (found, len(unknown)) == ([], n)
        return len(steps)

    assert count(1000) <= 11 * count(100)


def test_a_japanese_sheet_previews_its_changes_with_japanese_labels_whoever_uploads_it():
    ProjectFactory(number=1, status=Status.IDENTIFICATION)

    def edit(projects, developments):
        set_cell(projects, 1, "status", "implementation")

    preview = preview_of(edit, language="ja")  # read with English active (the autouse fixture)
    [change] = preview.changes
    with translation.override("ja"):
        expected = (str(Status.IDENTIFICATION.label), str(Status.IMPLEMENTATION.label))
    assert (change.before, change.after) == expected
