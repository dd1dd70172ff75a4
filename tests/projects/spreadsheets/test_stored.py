"""The stored preview's one schema: every stored row reads and writes back equal."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.utils import translation

from accounts.roles import EDITOR
from projects import services
from projects.api.imports import ImportBatchSerializer
from projects.models import ImportBatch, Project, Status
from projects.spreadsheets.apply import PreviewOutdated, apply_preview, import_batch_create
from projects.spreadsheets.errors import ImportRejected
from projects.spreadsheets.stored import (
    CellError,
    Change,
    Counts,
    Options,
    StoredPreview,
    store_preview,
    stored_preview,
)
from tests.factories import UserFactory
from tests.workbooks import development_row, edit_xlsx, export_xlsx, set_cell

GOLDEN = Path(__file__).with_name("golden_previews.json")


def _round_trips(row: dict) -> None:
    assert StoredPreview.from_json(row).to_json() == row
    # And stays so when written again.
    assert StoredPreview.from_json(StoredPreview.from_json(row).to_json()).to_json() == row


@pytest.mark.parametrize("name", sorted(json.loads(GOLDEN.read_text())))
def test_golden_previews_round_trip(name):
    _round_trips(json.loads(GOLDEN.read_text())[name]["preview"])


# Rows as earlier versions could have stored them: keys missing, the source of messages absent.
OLD_ROWS = [
    {},
    {"changes": [], "errors": []},
    {
        "changes": [
            {
                "sheet": "案件",
                "row": 3,
                "number": 2,
                "field": "name",
                "column": "名称",
                "before": "a",
                "after": "b",
                "old": "a",
                "new": "b",
            }
        ],
        "errors": [{"sheet": "案件", "row": 4, "column": "国", "message": "Unknown country: X"}],
        "counts": {"changes": 1, "errors": 1},
    },
    {"options": {}, "counts": {}},
    {"options": {"note": "only a note"}},
    {"errors": [{"sheet": "S", "row": None, "column": "", "cell": "", "message": "m", "source": None}]},
]


@pytest.mark.parametrize("row", OLD_ROWS)
def test_old_shaped_rows_round_trip(row):
    _round_trips(row)


def test_missing_keys_read_as_todays_defaults():
    stored = StoredPreview.from_json(OLD_ROWS[2])
    [change] = stored.changes
    assert (change.kind, change.sequence, change.action) == ("", None, "update")
    [error] = stored.errors
    assert (error.cell, error.source, error.rendered()) == ("", None, "Unknown country: X")
    assert stored.counts == Counts(changes=1, errors=1)
    assert stored.options == Options(note="", effective_on=None)
    assert StoredPreview.from_json({}) == StoredPreview()


def test_a_missing_key_given_a_value_is_written():
    stored = StoredPreview.from_json({})
    stored.errors = [CellError(sheet="S", row=2, message="m")]
    assert stored.to_json() == {
        "errors": [{"sheet": "S", "row": 2, "column": "", "cell": "", "message": "m"}],
    }


def test_an_old_shaped_row_reads_through_the_api_serializer(db):
    batch = ImportBatch.objects.create(filename="old.xlsx", content=b"", preview=OLD_ROWS[2])
    data = ImportBatchSerializer(batch).data
    assert data["counts"] == {"changes": 1, "errors": 1}
    assert (data["note"], data["effective_on"]) == ("", None)
    assert data["changes"] == [
        {k: v for k, v in OLD_ROWS[2]["changes"][0].items() if k not in ("old", "new")}
    ]
    assert data["errors"] == [
        {"sheet": "案件", "row": 4, "column": "国", "cell": "", "message": "Unknown country: X"}
    ]


def test_change_public_leaves_out_the_raw_values():
    change = Change(
        sheet="S", kind="projects", row=2, number=1, field="name", before="a", after="b", old="a", new="b"
    )
    assert set(change.public()) == set(change.to_json()) - {"old", "new"}


# Rows written by the real code paths.


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", role=EDITOR)


def _edits(projects, developments):
    set_cell(projects, 3, "status", "implementation")
    set_cell(projects, 2, "name", "改称")
    developments.cell(development_row(developments, 2, 1), 3).value = "2023-02"
    developments.append([5, None, "2024-03", "award", "2024年3月に本邦企業が受注", "担当者メモ"])


def _upload(editor, edit=_edits, **options) -> ImportBatch:
    with translation.override("en"):
        return import_batch_create(
            source=edit_xlsx(export_xlsx(), edit), filename="x.xlsx", user=editor, **options
        )


def _assert_stored_round_trips(batch: ImportBatch) -> None:
    batch.refresh_from_db()
    _round_trips(batch.preview)
    assert stored_preview(batch).to_json() == batch.preview


def test_clean_preview_with_options_round_trips(plan_data, editor):
    batch = _upload(editor, note="週次報告", effective_on=date(2024, 3, 1))
    assert batch.state == ImportBatch.State.PREVIEWED
    _assert_stored_round_trips(batch)
    assert stored_preview(batch).options == Options(note="週次報告", effective_on="2024-03-01")
    apply_preview(batch, editor)
    _assert_stored_round_trips(batch)


def test_rejected_preview_round_trips(plan_data, editor):
    def edit(projects, developments):
        _edits(projects, developments)
        set_cell(projects, 7, "country", "Atlantis")

    batch = _upload(editor, edit)
    assert batch.state == ImportBatch.State.REJECTED
    _assert_stored_round_trips(batch)
    assert stored_preview(batch).errors[0].source["msgid"] == "Unknown country: %(value)s"


def test_refreshed_preview_round_trips(plan_data, editor):
    batch = _upload(editor)
    services.project_change_status(
        project=Project.objects.get(number=3), status=Status.PREPARATION, user=editor
    )
    with pytest.raises(PreviewOutdated):
        apply_preview(batch, editor)
    _assert_stored_round_trips(batch)


def test_preview_rejected_while_applying_round_trips(plan_data, editor, monkeypatch):
    from django.core.exceptions import ValidationError

    batch = _upload(editor)

    def failing(**kwargs):
        raise ValidationError({"text": "boom"})

    monkeypatch.setattr(services, "development_add", failing)
    with pytest.raises(ImportRejected):
        apply_preview(batch, editor)
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.REJECTED
    [error] = batch.preview["errors"]
    assert error == {"sheet": "動き", "row": 116, "column": "", "cell": "", "message": "text: boom"}
    _assert_stored_round_trips(batch)


def test_stored_preview_is_read_once_and_follows_the_field():
    batch = ImportBatch(filename="x.xlsx", content=b"", preview={"changes": []})
    first = stored_preview(batch)
    assert stored_preview(batch) is first
    store_preview(batch, StoredPreview(errors=[CellError(sheet="S", row=2, message="m")]))
    assert [e.message for e in stored_preview(batch).errors] == ["m"]
    batch.preview = {}
    assert stored_preview(batch) == StoredPreview()
