from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from projects.models import ImportBatch
from projects.spreadsheets.apply import apply_preview, import_batch_create
from projects.spreadsheets.errors import ImportProblem, ImportRejected
from projects.spreadsheets.preview import build_preview
from projects.spreadsheets.reading import read_workbook
from projects.spreadsheets.stored import CellError, Options, StoredPreview, stored_preview
from projects.spreadsheets.upload import MAX_FILE_BYTES


class Command(BaseCommand):
    help = (
        "Import an edited XLSX list export: print its preview (changes and errors by sheet, row and "
        "column), then apply all of it in one transaction, or nothing. --dry-run writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The XLSX file.")
        parser.add_argument("--user", required=True, help="The user the changes are recorded for.")
        parser.add_argument("--dry-run", action="store_true", help="Print the preview and write nothing.")
        parser.add_argument("--note", default="", help="Added to the note of every status change.")
        parser.add_argument(
            "--effective-on", default=None, metavar="YYYY-MM-DD", help="Effective date of the status changes."
        )

    def handle(self, *args, file, user, dry_run, note, effective_on, **options):
        self.verbosity = options["verbosity"]
        importer = self._user(user)
        effective = self._date(effective_on)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"{file}: larger than {MAX_FILE_BYTES / 1024 / 1024:g} MB; refused.")
        self._last = None
        try:
            with path.open("rb") as handle:
                if dry_run:
                    parsed = read_workbook(handle, path.name, progress=self._progress)
                    preview = build_preview(parsed, progress=self._progress).stored(
                        Options.of(note, effective)
                    )
                    self._end_progress()
                    self._print(preview)
                    if preview.errors:
                        raise CommandError(f"{len(preview.errors)} error(s); nothing would be applied.")
                    self.stdout.write(self.style.SUCCESS("Dry run: the file is clean; nothing was written."))
                    return
                batch = import_batch_create(
                    source=handle,
                    filename=path.name,
                    user=importer,
                    note=note,
                    effective_on=effective,
                    progress=self._progress,
                )
            self._end_progress()
            preview = stored_preview(batch)
            self._print(preview)
            if batch.state == ImportBatch.State.REJECTED:
                raise CommandError(
                    f"{len(preview.errors)} error(s); nothing was applied (import #{batch.pk} rejected)."
                )
            if not preview.changes:
                self.stdout.write("No changes.")
            batch = apply_preview(batch, importer, progress=self._progress)
            self._end_progress()
        except ImportRejected as exc:
            self._end_progress()
            for error in exc.errors:
                self.stderr.write(self._error_line(error))
            raise CommandError(str(exc)) from exc
        except ImportProblem as exc:
            self._end_progress()
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Applied import #{batch.pk}: {len(stored_preview(batch).changes)} change(s).")
        )

    def _user(self, username):
        try:
            importer = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No such user: {username}") from exc
        if not importer.is_active:
            raise CommandError(f"The user {username} is not active.")
        if not importer.has_perms(["projects.add_importbatch", "projects.change_importbatch"]):
            raise CommandError(f"The user {username} may not import spreadsheets (needs the editor role).")
        return importer

    @staticmethod
    def _date(text):
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise CommandError(f"--effective-on: not a date (YYYY-MM-DD): {text}") from exc

    def _progress(self, phase, done, total):
        """A one-line progress bar on stderr, redrawn each percent."""
        if total:
            percent = min(100, done * 100 // total)
            width = 30
            filled = width * percent // 100
            line = f"\r{phase}: [{'#' * filled}{'.' * (width - filled)}] {percent:3d}% ({done:,}/{total:,})"
        else:
            line = f"\r{phase}: {done:,}"
        if line != self._last:
            self.stderr.write(line, ending="")
            self.stderr.flush()
            self._last = line

    def _end_progress(self):
        if self._last is not None:
            self.stderr.write("")
            self._last = None

    def _error_line(self, error: CellError):
        where = error.sheet
        if error.cell:
            where += f"!{error.cell}"
        elif error.row:
            where += f" row {error.row}"
        column = f" ({error.column})" if error.column else ""
        return f"ERROR {where}{column}: {error.message}"

    def _print(self, preview: StoredPreview):
        changes, errors = preview.changes, preview.errors
        if self.verbosity >= 1:
            for change in changes:
                development = ""
                if change.kind == "developments":
                    development = " new development" if change.action == "add" else f" No. {change.sequence}"
                self.stdout.write(
                    f"{change.sheet} row {change.row}: project {change.number}{development}: "
                    f"{change.column}: {change.before!r} -> {change.after!r}"
                )
        for error in errors:
            self.stderr.write(self.style.ERROR(self._error_line(error)))
        counts = preview.counts
        self.stdout.write(
            f"{len(changes)} change(s): {counts.projects_changed} project(s) edited, "
            f"{counts.status_changes} status change(s), {counts.developments_added} "
            f"development(s) added, {counts.developments_changed} changed; {len(errors)} error(s)."
        )
