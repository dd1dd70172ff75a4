"""Storing and applying an import.

- `import_batch_create()` stores the upload as an ImportBatch: previewed if clean, rejected
  if not. A hostile file raises `ImportRefused` and nothing is stored.
- `apply_preview()` re-reads the stored file and re-validates it against current data inside
  one transaction, and applies it through the services (with history and audit); any error
  rolls everything back.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from projects import audit, services
from projects.models import (
    ImportBatch,
    Project,
)
from projects.spreadsheets.errors import ImportProblem, ImportRefused, ImportRejected
from projects.spreadsheets.messages import _
from projects.spreadsheets.preview import Preview, build_preview
from projects.spreadsheets.reading import PROJECTS, ParsedFile, Progress, read_workbook
from projects.spreadsheets.stored import CellError, Change, Options, store_preview, stored_preview
from projects.spreadsheets.values import _as_int
from tracker.log import log_event


class AlreadyApplied(ImportProblem):
    """The batch was applied before; applying it again is refused."""


class PreviewOutdated(ImportRejected):
    """The data changed since the preview: the batch now holds a fresh preview to review."""

    def __init__(self, preview: Preview):
        self.preview = preview
        super().__init__(
            preview.errors,
            _(
                "The data changed since this file was previewed. The preview has been refreshed: "
                "review it and confirm again."
            ),
        )


def _clean_filename(filename: str) -> str:
    name = os.path.basename(str(filename or "").replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:255] or "upload.xlsx"


def import_batch_create(
    *,
    source,
    filename: str,
    user=None,
    note: str = "",
    effective_on: date | None = None,
    progress: Progress | None = None,
) -> ImportBatch:
    """Read and preview an upload and store it: previewed when clean, rejected with its errors.

    Raises ImportRefused (and stores nothing) for a hostile or unreadable file.
    """
    filename = _clean_filename(filename)
    try:
        parsed = read_workbook(source, filename, progress=progress)
    except ImportRefused:
        log_event("import_refused", user=user, filename=filename, level=logging.WARNING)
        raise
    preview = build_preview(parsed, progress=progress)
    batch = ImportBatch(
        filename=filename,
        content=parsed.content,
        state=ImportBatch.State.PREVIEWED if preview.is_clean else ImportBatch.State.REJECTED,
        uploaded_by=services.acting_user(user),
    )
    store_preview(batch, preview.stored(Options.of(note, effective_on)))
    batch.save(force_insert=True)
    log_event("import_uploaded", user=user, batch=batch.pk, filename=filename, state=batch.state)
    return batch


def _fingerprint(changes: list[Change]) -> list:
    keys = ("kind", "row", "number", "sequence", "action", "field", "old", "new")
    return json.loads(json.dumps([[getattr(c, k) for k in keys] for c in changes], default=str))


def apply_preview(batch: ImportBatch, user, *, progress: Progress | None = None) -> ImportBatch:
    """Apply a previewed batch in one transaction: all of it, through the services, or nothing.

    The stored file is read again and checked against the data as it is now, with the affected
    projects locked. If that finds errors, or changes other than the ones previewed, nothing is
    applied and the batch gets the fresh preview (PreviewOutdated). Applying twice is refused.
    """
    if batch.state == ImportBatch.State.APPLIED:
        raise AlreadyApplied(_("This import was applied already."))
    if batch.state == ImportBatch.State.REJECTED:
        raise ImportRejected(stored_preview(batch).errors)
    parsed = read_workbook(bytes(batch.content), batch.filename, progress=progress)
    options = stored_preview(batch).options
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.state == ImportBatch.State.APPLIED:
                raise AlreadyApplied(_("This import was applied already."))
            stored = stored_preview(locked)
            if locked.state == ImportBatch.State.REJECTED:
                raise ImportRejected(stored.errors)
            # Lock the file's projects first, in one order, so no one edits them between check and write.
            numbers = _referenced_numbers(parsed)
            list(
                Project.objects.select_for_update()
                .filter(number__in=numbers)
                .order_by("pk")
                .values_list("pk")
            )
            preview = build_preview(parsed, progress=progress)
            if preview.errors or _fingerprint(preview.changes) != _fingerprint(stored.changes):
                raise PreviewOutdated(preview)
            # The batch is the change log's one entry for what it writes.
            with audit.origin(audit.import_via(batch.pk), folded=True):
                _apply(preview, user=user, filename=batch.filename, options=options, progress=progress)
            locked.state = ImportBatch.State.APPLIED
            locked.applied_at = timezone.now()
            locked.save(update_fields=["state", "applied_at"])
    except PreviewOutdated as exc:
        # After the rollback: keep the fresh preview on the batch, for the editor to review.
        store_preview(batch, exc.preview.stored(options))
        batch.state = ImportBatch.State.PREVIEWED if exc.preview.is_clean else ImportBatch.State.REJECTED
        batch.save(update_fields=["preview", "state"])
        raise
    except ImportRejected as exc:
        if exc.errors:
            store_preview(batch, dataclasses.replace(stored_preview(batch), errors=exc.errors))
            batch.state = ImportBatch.State.REJECTED
            batch.save(update_fields=["preview", "state"])
        raise
    batch.refresh_from_db()
    log_event("import_applied", user=user, batch=batch.pk, filename=batch.filename)
    return batch


def _referenced_numbers(parsed: ParsedFile) -> list[int]:
    numbers = set()
    for sheet in parsed.sheets:
        key = "number" if sheet.kind == PROJECTS else "project_number"
        for _row, values in sheet.rows:
            number = _as_int(sheet.value(values, key))
            if number is not None:
                numbers.add(number)
    return sorted(numbers)


def _validation_messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def _apply(preview: Preview, *, user, filename: str, options: Options, progress: Progress | None) -> None:
    note = _("Imported from %(filename)s") % {"filename": filename}
    if options.note:
        note = f"{note}\n{options.note}"
    effective_on = options.effective_date
    total = len(preview.project_edits) + len(preview.development_edits)
    done = 0
    step = max(total // 100, 1)

    def failed(edit, exc):
        raise ImportRejected(
            [CellError(sheet=edit.sheet, row=edit.row, message=_validation_messages(exc))]
        ) from exc

    for edit in preview.project_edits:
        try:
            if edit.updates:
                services.project_update(
                    project=edit.project, user=user, sectors=edit.sectors, schemes=edit.schemes, **edit.fields
                )
            if edit.status:
                services.project_change_status(
                    project=edit.project, status=edit.status, effective_on=effective_on, note=note, user=user
                )
        except ValidationError as exc:
            failed(edit, exc)
        done += 1
        if progress and done % step == 0:
            progress(_("Applying"), done, total)
    for edit in preview.development_edits:
        try:
            if edit.development is None:
                services.development_add(project=edit.project, user=user, **edit.values)
            else:
                services.development_update(development=edit.development, user=user, **edit.values)
        except ValidationError as exc:
            failed(edit, exc)
        done += 1
        if progress and done % step == 0:
            progress(_("Applying"), done, total)
