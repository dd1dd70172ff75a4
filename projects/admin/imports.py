"""Admin for spreadsheet imports: upload a file, review its preview, confirm it.

The list shows every upload. "Add" leads to the upload form; an upload's page is its preview
(changes row by row, errors by row and column) with a Confirm button only when the file is
clean. Uploading needs projects.add_importbatch, confirming projects.change_importbatch.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.models import ImportBatch
from projects.spreadsheets.apply import PreviewOutdated, apply_preview, import_batch_create
from projects.spreadsheets.errors import ImportProblem, ImportRefused
from projects.spreadsheets.reading import MAX_ROWS
from projects.spreadsheets.stored import Change, stored_preview
from projects.spreadsheets.upload import MAX_FILE_BYTES

# The preview page lists at most this many rows of changes and errors each; the API and the
# management command give the full lists.
MAX_SHOWN = 1000


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (XLSX)"))
    note = forms.CharField(
        label=_("Status note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Added to the note of every status change this import makes."),
    )
    effective_on = forms.DateField(
        label=_("Effective date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The date the status changes took effect. Empty: as of the source."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted here, not at import, so it is translated into the request's language.
        self.fields["file"].help_text = gettext(
            "The XLSX list export, edited. At most %(mb)s MB and %(rows)s rows per sheet."
        ) % {"mb": f"{MAX_FILE_BYTES / 1024 / 1024:g}", "rows": f"{MAX_ROWS:,}"}


def preview_rows(changes: list[Change]) -> list[dict]:
    """The changes grouped by sheet and row, in file order, for the preview table."""
    rows: dict[tuple, dict] = {}
    for change in changes:
        key = (change.sheet, change.row)
        row = rows.get(key)
        if row is None:
            row = rows[key] = {
                "sheet": change.sheet,
                "row": change.row,
                "number": change.number,
                "sequence": change.sequence,
                "action": change.action,
                "changes": [],
            }
        row["changes"].append(change)
    return list(rows.values())


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "filename",
        "state",
        "uploaded_by",
        "uploaded_at",
        "applied_at",
        "change_count",
        "error_count",
    ]
    list_filter = ["state"]
    list_select_related = ["uploaded_by"]
    search_fields = ["filename"]
    ordering = ["-uploaded_at"]

    def get_queryset(self, request):
        # The stored file can be megabytes: only the apply view reads it.
        return super().get_queryset(request).defer("content")

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name=f"{prefix}_upload"),
            path(
                "<path:object_id>/apply/", self.admin_site.admin_view(self.apply_view), name=f"{prefix}_apply"
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("changes"))
    def change_count(self, batch):
        return len(stored_preview(batch).changes)

    @admin.display(description=_("errors"))
    def error_count(self, batch):
        return len(stored_preview(batch).errors)

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(
            reverse("admin:projects_importbatch_upload", current_app=self.admin_site.name)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # An import is never edited: its page is the read-only preview.
        return self.preview_view(request, object_id)

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = ImportUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    batch = import_batch_create(
                        source=upload,
                        filename=upload.name,
                        user=request.user,
                        note=form.cleaned_data["note"],
                        effective_on=form.cleaned_data["effective_on"],
                    )
                except ImportRefused as exc:
                    form.add_error("file", str(exc))
                else:
                    self.log_addition(request, batch, [{"added": {}}])
                    if batch.state == ImportBatch.State.REJECTED:
                        messages.error(request, gettext("The file has errors. Nothing was changed."))
                    return HttpResponseRedirect(self._preview_url(batch))
        else:
            form = ImportUploadForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Upload a spreadsheet"),
            "form": form,
        }
        return TemplateResponse(request, "admin/projects/importbatch/upload.html", context)

    def preview_view(self, request, object_id):
        batch = self.get_object(request, unquote(object_id))
        if batch is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, batch):
            raise PermissionDenied
        preview = stored_preview(batch)
        changes = preview.changes
        errors = [error.shown() for error in preview.errors]
        rows = preview_rows(changes)
        can_apply = (
            batch.state == ImportBatch.State.PREVIEWED
            and not errors
            and bool(changes)
            and self.has_change_permission(request, batch)
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": batch,
            "batch": batch,
            "title": gettext("Import %(filename)s") % {"filename": batch.filename},
            "rows": rows[:MAX_SHOWN],
            "rows_hidden": max(len(rows) - MAX_SHOWN, 0),
            "errors": errors[:MAX_SHOWN],
            "errors_hidden": max(len(errors) - MAX_SHOWN, 0),
            "change_total": len(changes),
            "row_total": len(rows),
            "counts": preview.counts,
            "options": preview.options,
            "can_apply": can_apply,
            "apply_url": reverse(
                "admin:projects_importbatch_apply", args=[batch.pk], current_app=self.admin_site.name
            ),
        }
        return TemplateResponse(request, "admin/projects/importbatch/preview.html", context)

    def apply_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = self.get_object(request, unquote(object_id))
        if batch is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, batch):
            raise PermissionDenied
        try:
            batch = apply_preview(batch, request.user)
        except PreviewOutdated as exc:
            messages.warning(request, str(exc))
        except ImportProblem as exc:
            messages.error(request, str(exc))
        else:
            self.log_change(request, batch, gettext("Applied the import."))
            messages.success(
                request,
                gettext("Applied %(filename)s: %(count)d change(s).")
                % {"filename": batch.filename, "count": len(stored_preview(batch).changes)},
            )
        return HttpResponseRedirect(self._preview_url(batch))

    def _preview_url(self, batch):
        return reverse("admin:projects_importbatch_change", args=[batch.pk], current_app=self.admin_site.name)
