"""The changelist's "change status of selected projects" action: a confirmation page with one
status, date and note, then a status change for each selected project
(projects.services.project_change_status_bulk)."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from projects import audit, services
from projects.admin.forms import BulkStatusForm
from projects.models import Status


class BulkStatusAction:
    """A ModelAdmin mixin: the action, the permission it needs, and what it reports.

    The admin lists "change_status_selected" in its `actions`.
    """

    def can_change_status(self, request) -> bool:
        return request.user.has_perm("projects.add_statuschange")

    def has_change_status_permission(self, request):
        return self.has_change_permission(request) and self.can_change_status(request)

    @admin.action(description=_("Change status of selected projects"), permissions=["change_status"])
    def change_status_selected(self, request, queryset):
        projects = list(queryset.order_by("number"))
        form = BulkStatusForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            status = form.cleaned_data["status"]
            with audit.origin(audit.VIA_BULK):
                changed, skipped = services.project_change_status_bulk(
                    projects, user=request.user, **form.status_change()
                )
            self._report_status_change(request, Status(status).label, changed, skipped)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Change status of selected projects"),
            "opts": self.opts,
            "form": form,
            "projects": projects,
            "action_name": "change_status_selected",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/projects/project/change_status_selected.html", context)

    def _report_status_change(self, request, label, changed, skipped):
        # The admin's list separator; imported here because projects.admin.projects imports
        # this module for its ProjectAdmin.
        from projects.admin.projects import _join

        if changed:
            self.message_user(
                request,
                ngettext(
                    "Changed the status of %(count)d project to %(status)s.",
                    "Changed the status of %(count)d projects to %(status)s.",
                    len(changed),
                )
                % {"count": len(changed), "status": label},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                gettext("Skipped, already %(status)s: %(projects)s")
                % {"status": label, "projects": _join(p.number for p in skipped)},
                messages.WARNING,
            )
