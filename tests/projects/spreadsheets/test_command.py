import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.roles import EDITOR, VIEWER
from projects.models import ImportBatch, Project, Status, StatusChange
from tests.factories import UserFactory
from tests.workbooks import edit_xlsx, export_xlsx, set_cell, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _status_edit(projects, developments):
    set_cell(projects, 3, "status", "implementation")
    developments.append([5, None, "2024-03", "award", "2024年3月に本邦企業が受注", ""])


def _bad_edit(projects, developments):
    set_cell(projects, 3, "status", "implementation")
    set_cell(projects, 4, "country", "Atlantis")


def _write(tmp_path, content, name="weekly.xlsx"):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def _run(*args, **options):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_projects", *args, stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def editor():
    return UserFactory(username="editor", role=EDITOR)


def test_dry_run_prints_the_preview_and_writes_nothing(plan_data, editor, tmp_path):
    path = _write(tmp_path, edit_xlsx(export_xlsx(), _status_edit))
    before = snapshot()

    stdout, stderr = _run(path, "--user", "editor", "--dry-run")

    with translation.override("ja"):  # the export is Japanese: its labels are shown
        implementation = str(Status.IMPLEMENTATION.label)
    assert "row 4: project 3: " in stdout and f"'{implementation}'" in stdout
    assert "project 5 new development" in stdout
    assert "Dry run: the file is clean; nothing was written." in stdout
    assert "100%" in stderr  # the progress bar
    assert snapshot() == before
    assert ImportBatch.objects.count() == 0


def test_apply_changes_everything_in_one_go(plan_data, editor, tmp_path):
    path = _write(tmp_path, edit_xlsx(export_xlsx(), _status_edit))

    stdout, _stderr = _run(path, "--user", "editor", "--note", "週次", "--effective-on", "2024-03-01")

    assert "Applied import #" in stdout
    assert Project.objects.get(number=3).status == Status.IMPLEMENTATION
    change = StatusChange.objects.filter(project__number=3).latest("sequence")
    assert (change.recorded_by, change.note, str(change.effective_on)) == (
        editor,
        "Imported from weekly.xlsx\n週次",
        "2024-03-01",
    )
    assert Project.objects.get(number=5).developments.filter(kind="award", recorded_by=editor).count() == 1
    assert ImportBatch.objects.get().state == ImportBatch.State.APPLIED


@pytest.mark.parametrize("dry_run", [True, False])
def test_errors_are_printed_by_cell_and_nothing_changes(plan_data, editor, tmp_path, dry_run):
    path = _write(tmp_path, edit_xlsx(export_xlsx(), _bad_edit))
    before = snapshot()
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command(
            "import_projects", path, user="editor", dry_run=dry_run, stdout=io.StringIO(), stderr=stderr
        )
    assert "案件!D5" in stderr.getvalue() and "Unknown country: Atlantis" in stderr.getvalue()
    assert snapshot() == before


def test_a_hostile_file_is_a_command_error(plan_data, editor, tmp_path):
    path = _write(tmp_path, b"just text", name="notes.xlsx")
    with pytest.raises(CommandError, match="not an XLSX workbook"):
        _run(path, "--user", "editor")
    assert ImportBatch.objects.count() == 0


def test_the_user_must_exist_and_be_allowed_to_import(plan_data, tmp_path):
    UserFactory(username="viewer", role=VIEWER)
    path = _write(tmp_path, export_xlsx())
    with pytest.raises(CommandError, match="No such user"):
        _run(path, "--user", "nobody")
    with pytest.raises(CommandError, match="may not import"):
        _run(path, "--user", "viewer")


def test_bad_arguments(plan_data, editor, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        _run(str(tmp_path / "missing.xlsx"), "--user", "editor")
    with pytest.raises(CommandError, match="not a date"):
        _run(_write(tmp_path, export_xlsx()), "--user", "editor", "--effective-on", "March")
