"""The stored preview of edited exports of the real plan, pinned whole (golden_previews.json).

Every change (order, texts, raw values), every error (cell, message and its source), the counts
and the options are compared, so a change to how the preview is built shows here. After a
deliberate change, regenerate with UPDATE_GOLDEN=1 and review the diff.
"""

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.db.models import F
from django.utils import translation

from projects.models import Project
from projects.spreadsheets.apply import import_batch_create
from tests.factories import UserFactory
from tests.workbooks import column, development_row, edit_xlsx, export_xlsx, set_cell

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).with_name("golden_previews.json")


def _projects(projects, developments):
    set_cell(projects, 2, "name", "ハノイ市都市鉄道１号線及び２号線整備事業（改称）")
    set_cell(projects, 2, "name_en", "Hanoi urban railway, renamed")
    set_cell(projects, 3, "country", "タイ")
    set_cell(projects, 3, "status", "implementation")
    set_cell(projects, 4, "sectors", "鉄道、港湾")
    set_cell(projects, 4, "schemes", "円借款、官民連携")
    set_cell(projects, 5, "schemes", "")
    set_cell(projects, 6, "is_new", "はい")
    set_cell(projects, 7, "is_new", "")
    set_cell(projects, 8, "status", "procurement")


def _developments(projects, developments):
    sheet = developments
    sheet.cell(development_row(sheet, 2, 1), column(sheet, "text")).value = "本文を書き換えた"
    sheet.cell(development_row(sheet, 2, 1), column(sheet, "source")).value = "出典"
    sheet.cell(development_row(sheet, 7, 1), column(sheet, "kind")).value = "Award"
    sheet.cell(development_row(sheet, 7, 1), column(sheet, "date")).value = "Nov 2022 – Jan 2023"
    sheet.append([5, None, "2024-03", "award", "2024年3月に本邦企業が受注", "担当者メモ"])
    sheet.append([5, None, None, None, "2023年度に調査開始", None])
    sheet.append([9, None, "FY2021", "Other", "no source", ""])


def _errors(projects, developments):
    set_cell(projects, 2, "country", "Atlantis")
    set_cell(projects, 3, "status", "done")
    set_cell(projects, 4, "sectors", "鉄道、宇宙")
    set_cell(projects, 5, "schemes", "barter")
    set_cell(projects, 6, "is_new", "maybe")
    set_cell(projects, 7, "name", "x" * 201)
    set_cell(projects, 9, "sectors", "")
    set_cell(projects, 10, "number", 9999)
    set_cell(projects, 11, "number", 12)
    set_cell(projects, 13, "sectors", "x" * 2001)
    set_cell(projects, 8, "name", "  ")  # an error; the row's other cells are still compared
    set_cell(projects, 8, "status", "procurement")
    sheet = developments
    sheet.cell(development_row(sheet, 7, 1), column(sheet, "date")).value = "いつか"
    sheet.append([1, None, "", "gossip", "text", ""])
    sheet.append([1, None, "", "Other", "", ""])
    sheet.append([1, 77, "", "Other", "text", ""])
    sheet.append([None, None, "", "Other", "text", ""])
    sheet.append([2, 1, "", "Other", "twice", ""])
    sheet.append([2, 1, "", "Other", "twice", ""])
    sheet.append([3, None, "", "Other", "text", "s" * 2001])


def _without_version(projects, developments):
    projects.delete_cols(column(projects, "version"))
    set_cell(projects, 2, "status", "implementation")
    set_cell(projects, 3, "name", "新しい名前")


CASES = {
    # name: (sheet language, active language, edit, options, stale project)
    "projects-ja": ("ja", "en", _projects, {"note": "週次報告", "effective_on": date(2024, 3, 1)}, None),
    "projects-en-read-in-ja": ("en", "ja", _projects, {}, None),
    "developments-en": ("en", "en", _developments, {"note": "weekly"}, None),
    "developments-ja": ("ja", "ja", _developments, {}, None),
    "errors-en": ("en", "en", _errors, {}, None),
    "errors-ja-stale": ("ja", "en", _errors, {}, 12),
    "without-version": ("en", "en", _without_version, {}, None),
}


def _stored(plan_data, name) -> dict:
    sheet_language, active, edit, options, stale = CASES[name]
    Project.objects.update(updated=datetime(2030, 1, 1, 3, 0, 10, tzinfo=UTC))
    content = export_xlsx(sheet_language)
    if stale:
        Project.objects.filter(number=stale).update(version=F("version") + 1)
    with translation.override(active):
        batch = import_batch_create(
            source=edit_xlsx(content, edit), filename=f"{name}.xlsx", user=UserFactory(), **options
        )
    return {"state": batch.state, "preview": batch.preview}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_stored_preview_is_exactly_the_golden_one(plan_data, name):
    found = _stored(plan_data, name)
    golden = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    if os.environ.get("UPDATE_GOLDEN"):
        golden[name] = found
        GOLDEN.write_text(json.dumps(golden, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    assert found == golden[name]
