"""Applying a previewed import: exactly the edits, with history and audit, all or nothing."""

import io
from datetime import date

import pytest
from django.utils import translation
from openpyxl import load_workbook

from projects import services
from projects.models import (
    DatePrecision,
    Development,
    DevelopmentKind,
    ImportBatch,
    Project,
    Status,
    StatusChange,
)
from projects.spreadsheets.apply import AlreadyApplied, PreviewOutdated, apply_preview, import_batch_create
from projects.spreadsheets.errors import ImportRefused, ImportRejected
from projects.spreadsheets.reading import read_workbook
from tests.factories import (
    DevelopmentFactory,
    ProjectFactory,
)
from tests.workbooks import (
    changed,
    column,
    development_row,
    edit_xlsx,
    export_xlsx,
    project_row,
    set_cell,
    snapshot,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


# The round trip on the real plan.


def _round_trip_edits(projects, developments):
    set_cell(projects, 3, "status", "implementation")
    set_cell(projects, 2, "name", "ハノイ市都市鉄道１号線及び２号線整備事業（改称）")
    developments.cell(development_row(developments, 2, 1), 3).value = "2023-02"
    developments.append([5, None, "2024-03", "award", "2024年3月に本邦企業が受注", "担当者メモ"])


def test_round_trip_applies_exactly_the_edits_with_history_and_audit(plan_data, editor):
    content = edit_xlsx(export_xlsx(), _round_trip_edits)
    before = snapshot()
    five_next = Development.objects.filter(project__number=5).count() + 1

    batch = import_batch_create(
        source=content,
        filename="status-2024-03.xlsx",
        user=editor,
        note="週次報告",
        effective_on=date(2024, 3, 1),
    )

    assert batch.state == ImportBatch.State.PREVIEWED
    assert batch.preview["errors"] == []
    summary = {(c["number"], c["sequence"], c["action"], c["field"]) for c in batch.preview["changes"]}
    assert summary == {
        (3, None, "update", "status"),
        (2, None, "update", "name"),
        (2, 1, "update", "date"),
        (5, None, "add", "date"),
        (5, None, "add", "kind"),
        (5, None, "add", "text"),
        (5, None, "add", "source"),
    }
    status = next(c for c in batch.preview["changes"] if c["field"] == "status")
    with translation.override("ja"):  # the Japanese sheet's labels, whoever uploads it
        labels = str(Status.IDENTIFICATION.label), str(Status.IMPLEMENTATION.label)
    assert (status["sheet"], status["row"], status["before"], status["after"]) == ("案件", 4, *labels)
    assert snapshot() == before  # a preview writes nothing but the batch

    apply_preview(batch, editor)

    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.APPLIED and batch.applied_at is not None
    after = snapshot()
    assert changed(before["projects"], after["projects"]) == {2, 3, 5}
    for number, fields in {2: {"name"}, 3: {"status"}, 5: set()}.items():
        differing = {
            k
            for k in before["projects"][number]
            if before["projects"][number][k] != after["projects"][number][k]
        }
        assert differing == fields | {"version", "updated"}, number
    assert after["projects"][2]["name"] == "ハノイ市都市鉄道１号線及び２号線整備事業（改称）"
    assert after["projects"][3]["status"] == Status.IMPLEMENTATION
    assert after["sectors"] == before["sectors"] and after["schemes"] == before["schemes"]
    assert changed(before["developments"], after["developments"]) == {(2, 1), (5, five_next)}
    edited = Development.objects.get(project__number=2, sequence=1)
    assert (edited.date, edited.date_precision) == (date(2023, 2, 1), DatePrecision.MONTH)
    added = Development.objects.get(project__number=5, sequence=five_next)
    assert (added.kind, added.text, added.date, added.source, added.recorded_by) == (
        DevelopmentKind.AWARD,
        "2024年3月に本邦企業が受注",
        date(2024, 3, 1),
        "担当者メモ",
        editor,
    )

    change = StatusChange.objects.filter(project__number=3).latest("sequence")
    assert (change.status, change.previous_status, change.recorded_by, change.effective_on) == (
        Status.IMPLEMENTATION,
        Status.IDENTIFICATION,
        editor,
        date(2024, 3, 1),
    )
    assert change.note == "Imported from status-2024-03.xlsx\n週次報告"
    assert len(after["status_changes"]) == len(before["status_changes"]) + 1
    # One audit row per changed object, each with the editor.
    assert Project.history.filter(number=2).latest("history_date").history_user == editor
    assert Project.history.filter(number=3).latest("history_date").history_user == editor
    assert change.history.get().history_user == editor
    assert edited.history.latest("history_date").history_user == editor
    assert added.history.get().history_user == editor


def test_applying_twice_is_refused(plan_data, editor):
    batch = import_batch_create(
        source=edit_xlsx(export_xlsx(), _round_trip_edits), filename="x.xlsx", user=editor
    )
    apply_preview(batch, editor)
    after_first = snapshot()
    with pytest.raises(AlreadyApplied):
        apply_preview(batch, editor)
    stale = ImportBatch.objects.get(pk=batch.pk)
    stale.state = ImportBatch.State.PREVIEWED  # a copy loaded before the first apply
    with pytest.raises(AlreadyApplied):
        apply_preview(stale, editor)
    assert snapshot() == after_first


def _bad_country(projects, developments):
    set_cell(projects, 7, "country", "Atlantis")


def _bad_status(projects, developments):
    set_cell(projects, 7, "status", "finished-ish")


def _bad_date(projects, developments):
    developments.cell(development_row(developments, 7, 1), 3).value = "いつか"


def _bad_number(projects, developments):
    set_cell(projects, 7, "number", 9999)


@pytest.mark.parametrize(
    ("bad", "sheet_index", "key", "message"),
    [
        (_bad_country, 0, "country", "Unknown country: Atlantis"),
        (_bad_status, 0, "status", "Unknown status: finished-ish"),
        (_bad_date, 1, "date", "Cannot read the date いつか"),
        (_bad_number, 0, "number", "Project 9999 does not exist"),
    ],
    ids=["unknown country", "bad status", "unparseable date", "unknown number"],
)
def test_one_bad_row_changes_nothing(plan_data, editor, bad, sheet_index, key, message):
    def edit(projects, developments):
        _round_trip_edits(projects, developments)
        bad(projects, developments)

    content = edit_xlsx(export_xlsx(), edit)
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[sheet_index]
    row = (
        project_row(sheet, 9999 if key == "number" else 7)
        if sheet_index == 0
        else development_row(sheet, 7, 1)
    )
    header = sheet.cell(1, column(sheet, key)).value
    before = snapshot()

    batch = import_batch_create(source=content, filename="bad.xlsx", user=editor)

    assert batch.state == ImportBatch.State.REJECTED
    assert len(batch.preview["errors"]) == 1
    error = batch.preview["errors"][0]
    assert (error["sheet"], error["row"], error["column"]) == (sheet.title, row, header)
    assert message in error["message"]
    with pytest.raises(ImportRejected):
        apply_preview(batch, editor)
    assert snapshot() == before
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.REJECTED


def test_apply_rechecks_current_data_and_refreshes_an_outdated_preview(plan_data, editor):
    batch = import_batch_create(
        source=edit_xlsx(export_xlsx(), _round_trip_edits), filename="x.xlsx", user=editor
    )
    three = Project.objects.get(number=3)
    services.project_change_status(project=three, status=Status.PREPARATION, user=editor)
    before = snapshot()

    with pytest.raises(PreviewOutdated):
        apply_preview(batch, editor)

    assert snapshot() == before
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.REJECTED  # project 3 changed after the export
    assert any("after this file was exported" in e["message"] for e in batch.preview["errors"])


def test_a_service_error_while_applying_rolls_everything_back(plan_data, editor, monkeypatch):
    batch = import_batch_create(
        source=edit_xlsx(export_xlsx(), _round_trip_edits), filename="x.xlsx", user=editor
    )
    before = snapshot()
    real = services.development_add

    def failing(**kwargs):
        from django.core.exceptions import ValidationError

        raise ValidationError({"text": "boom"})

    monkeypatch.setattr(services, "development_add", failing)
    with pytest.raises(ImportRejected) as excinfo:
        apply_preview(batch, editor)
    monkeypatch.setattr(services, "development_add", real)
    assert "boom" in excinfo.value.errors[0].message
    assert snapshot() == before


def test_two_sheets_with_the_same_columns_are_refused():
    ProjectFactory(number=1)
    workbook = load_workbook(io.BytesIO(export_xlsx("en")))
    workbook.copy_worksheet(workbook.worksheets[0])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(ImportRefused, match="have the same columns"):
        read_workbook(out.getvalue(), "x.xlsx")


def test_the_xlsx_export_has_a_developments_sheet_to_edit():
    project = ProjectFactory(number=7)
    DevelopmentFactory(
        project=project,
        sequence=1,
        kind=DevelopmentKind.AGREEMENT,
        text="2022年11月～2023年1月にL/A締結",
        date=date(2022, 11, 1),
        date_precision=DatePrecision.MONTH,
        date_end=date(2023, 1, 1),
        source="行動計画2023",
    )
    workbook = load_workbook(io.BytesIO(export_xlsx("en")))
    sheet = workbook.worksheets[1]
    assert sheet.title == "Developments"
    assert [c.value for c in sheet[1]] == ["Project number", "No.", "Date", "Kind", "Text", "Source"]
    assert [c.value for c in sheet[2]] == [
        7,
        1,
        "Nov 2022 – Jan 2023",
        "Agreement",
        "2022年11月～2023年1月にL/A締結",
        "行動計画2023",
    ]
    assert sheet.freeze_panes == "B2"
