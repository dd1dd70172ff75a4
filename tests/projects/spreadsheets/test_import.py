import io
import os
import zipfile
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from accounts.roles import EDITOR
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
from projects.spreadsheets import preview as preview_module
from projects.spreadsheets import reading, upload, values
from projects.spreadsheets.apply import AlreadyApplied, PreviewOutdated, apply_preview, import_batch_create
from projects.spreadsheets.errors import ImportRefused, ImportRejected
from projects.spreadsheets.preview import build_preview
from projects.spreadsheets.reading import read_workbook
from projects.spreadsheets.values import parse_date_cell
from tests.factories import (
    CountryFactory,
    DevelopmentFactory,
    ProjectFactory,
    SchemeFactory,
    SectorFactory,
    UserFactory,
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


# Helpers shared with the admin, API and command tests.


@pytest.fixture
def editor():
    return UserFactory(username="editor", role=EDITOR)


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
    ProjectFactory(number=1)
    ProjectFactory(number=2)
    content = make()
    before = snapshot()
    with pytest.raises(ImportRefused) as excinfo:
        import_batch_create(source=content, filename="upload.xlsx", user=editor)
    assert message in str(excinfo.value)
    assert ImportBatch.objects.count() == 0
    assert snapshot() == before


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


# Values


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03", (date(2024, 3, 1), DatePrecision.MONTH, None)),
        ("2024-03-15", (date(2024, 3, 15), DatePrecision.DAY, None)),
        ("2024", (date(2024, 1, 1), DatePrecision.YEAR, None)),
        (2024, (date(2024, 1, 1), DatePrecision.YEAR, None)),
        ("FY2024", (date(2024, 4, 1), DatePrecision.FISCAL_YEAR, None)),
        ("fy 2021", (date(2021, 4, 1), DatePrecision.FISCAL_YEAR, None)),
        ("2023年1月", (date(2023, 1, 1), DatePrecision.MONTH, None)),
        ("２０２３年１月", (date(2023, 1, 1), DatePrecision.MONTH, None)),
        ("2022年11月～2023年1月", (date(2022, 11, 1), DatePrecision.MONTH, date(2023, 1, 1))),
        ("2021年度", (date(2021, 4, 1), DatePrecision.FISCAL_YEAR, None)),
        ("Jan 2023", (date(2023, 1, 1), DatePrecision.MONTH, None)),
        ("Nov 2022 – Jan 2023", (date(2022, 11, 1), DatePrecision.MONTH, date(2023, 1, 1))),
        ("Nov–Dec 2022", (date(2022, 11, 1), DatePrecision.MONTH, date(2022, 12, 1))),
        ("2022-11 ~ 2023-01", (date(2022, 11, 1), DatePrecision.MONTH, date(2023, 1, 1))),
        ("", (None, DatePrecision.NONE, None)),
        (None, (None, DatePrecision.NONE, None)),
        ("sometime soon", None),
        ("2024-13", None),
        ("2024-02-30", None),
    ],
)
def test_parse_date_cell(value, expected):
    assert parse_date_cell(value) == expected


def test_every_date_the_export_writes_reads_back_the_same():
    from projects.dates import format_partial_date

    cases = [
        (date(2023, 1, 5), DatePrecision.DAY, None),
        (date(2023, 1, 1), DatePrecision.MONTH, None),
        (date(2022, 11, 1), DatePrecision.MONTH, date(2023, 1, 1)),
        (date(2023, 4, 1), DatePrecision.MONTH, date(2023, 7, 1)),
        (date(2021, 4, 1), DatePrecision.FISCAL_YEAR, None),
        (date(2021, 4, 1), DatePrecision.FISCAL_YEAR, date(2023, 4, 1)),
        (date(2022, 1, 1), DatePrecision.YEAR, None),
    ]
    for case in cases:
        for language in ("ja", "en"):
            assert parse_date_cell(format_partial_date(*case, language=language)) == case, (case, language)


def _preview_of(edit, language="ja"):
    return build_preview(read_workbook(edit_xlsx(export_xlsx(language), edit), "x.xlsx"))


def test_values_match_codes_and_labels_in_both_languages():
    rail = SectorFactory(code="rail", name_ja="鉄道", name_en="Railways")
    urban = SectorFactory(
        code="urban", name_ja="都市開発", name_en="Urban, real estate and housing development, smart cities"
    )
    loan = SchemeFactory(code="oda-loan", name_ja="円借款", name_en="ODA loan (yen loan)")
    vietnam = CountryFactory(iso_code="VN", name_ja="ベトナム", name_en="Viet Nam")
    thailand = CountryFactory(iso_code="TH", name_ja="タイ", name_en="Thailand")
    kenya = CountryFactory(iso_code="KE", name_ja="ケニア", name_en="Kenya")
    for number in (1, 2, 3):
        ProjectFactory(number=number, country=vietnam, sectors=[rail])

    def edit(projects, developments):
        set_cell(projects, 1, "country", "th")
        set_cell(projects, 1, "status", "Implementation")
        set_cell(projects, 1, "sectors", "Railways, Urban, real estate and housing development, smart cities")
        set_cell(projects, 1, "schemes", "oda-loan")
        set_cell(projects, 1, "is_new", "はい")
        set_cell(projects, 2, "country", "ケニア")
        set_cell(projects, 2, "status", "procurement")
        set_cell(projects, 2, "sectors", "urban、鉄道")
        set_cell(projects, 3, "country", "Viet Nam")

    preview = _preview_of(edit, "en")
    assert preview.errors == []
    found = {(c.number, c.field): c.new for c in preview.changes}
    assert found == {
        (1, "country"): "TH",
        (1, "status"): "implementation",
        (1, "sectors"): ["rail", "urban"],
        (1, "schemes"): ["oda-loan"],
        (1, "is_new"): True,
        (2, "country"): "KE",
        (2, "status"): "procurement",
        (2, "sectors"): ["rail", "urban"],
    }
    assert thailand and kenya and loan and urban


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("country", "Atlantis", "Unknown country: Atlantis"),
        ("country", "", "The country is missing."),
        ("status", "done", "Unknown status: done"),
        ("sectors", "鉄道、宇宙", "Unknown sector: 宇宙"),
        ("sectors", "", "at least one sector"),
        ("schemes", "barter", "Unknown scheme: barter"),
        ("is_new", "maybe", "Write yes"),
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
        preview = _preview_of(edit, "en")
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

    preview = _preview_of(edit)
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

    preview = _preview_of(edit, "en")
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

    preview = _preview_of(edit)
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

    preview = _preview_of(edit, language="en")
    assert [(e.row, e.column) for e in preview.errors] == [(2, "Updated")]
    assert "has no Version column" in preview.errors[0].message
    assert "Export again" in preview.errors[0].message


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


# An untouched export re-imports as zero changes, whatever text is stored.


def test_text_starting_with_an_apostrophe_and_a_trigger_survives_the_round_trip():
    project = ProjectFactory(number=1, name="'=A1 (our code)", name_en="'+81 3 1234 5678")
    DevelopmentFactory(project=project, sequence=1, text="＝全角の式", source="''-x")
    preview = build_preview(read_workbook(export_xlsx(), "x.xlsx"))
    assert (preview.changes, preview.errors) == ([], [])


def test_control_characters_survive_the_round_trip():
    """The list XLSX dropped them, so a re-import changed the name."""
    project = ProjectFactory(number=1, name="名称\x01と\x0bWord", name_en="a\rb _x0041_ \ufffe")
    DevelopmentFactory(project=project, sequence=1, text="本文\x1f\r\n", source="\x0c")
    content = export_xlsx()
    names = [row[1] for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)]
    assert "名称_x0001_と_x000B_Word" in names
    preview = build_preview(read_workbook(content, "x.xlsx"))
    assert (preview.changes, preview.errors) == ([], [])


# Text a user can store: anything PostgreSQL holds (no NUL, no lone surrogate); names and texts
# must not be blank (the import refuses a blank one), sources may be.
_storable = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
_prefixes = st.sampled_from(["", "'", "''", "=", "'=", "＋", "'－", "@", "\t", "\r", "_x0001_", " "])
_stored_text = st.builds(lambda prefix, rest: prefix + rest, _prefixes, _storable)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=_stored_text.filter(lambda t: t.strip() and len(t) <= 200),
    name_en=_stored_text.filter(lambda t: t.strip()),
    text=_stored_text.filter(lambda t: t.strip()),
    source=_stored_text,
)
def test_any_stored_text_survives_an_xlsx_export_and_its_reimport(name, name_en, text, source):
    project = ProjectFactory(number=1) if not Project.objects.exists() else Project.objects.get()
    Project.objects.filter(pk=project.pk).update(name=name, name_en=name_en)
    Development.objects.filter(project=project).delete()
    Development.objects.create(
        project=project, sequence=1, kind=DevelopmentKind.OTHER, text=text, source=source
    )
    preview = build_preview(read_workbook(export_xlsx(), "x.xlsx"))
    assert (preview.changes, preview.errors) == ([], [])


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
    ProjectFactory(number=1)
    ProjectFactory(number=2)
    content = make()
    before = snapshot()
    with pytest.raises(ImportRefused) as excinfo:
        import_batch_create(source=content, filename="upload.xlsx", user=editor)
    assert message in str(excinfo.value)
    assert ImportBatch.objects.count() == 0
    assert snapshot() == before


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


# Slow input: every cell is capped and parsed in linear time.


def test_a_list_cell_of_thousands_of_names_is_refused_by_its_length_with_row_and_column():
    ProjectFactory(number=1)
    ProjectFactory(number=2)
    cell = ",".join(["nosuchsector"] * 2000)

    def edit(projects, developments):
        set_cell(projects, 1, "sectors", cell)

    preview = _preview_of(edit, language="en")
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

    preview = _preview_of(edit, language="en")
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

    preview = _preview_of(edit, language="ja")  # read with English active (the autouse fixture)
    [change] = preview.changes
    with translation.override("ja"):
        expected = (str(Status.IDENTIFICATION.label), str(Status.IMPLEMENTATION.label))
    assert (change.before, change.after) == expected
