"""The project's History page: the project's own audit rows and those of its developments and
status changes, in one list (projects.admin.history), read only."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from projects.admin.history import project_audit_trail


class AuditHistoryViews:
    """A mixin for a SimpleHistoryAdmin of Project: the trail on its History page, no reverts."""

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            pk = self.opts.pk.to_python(unquote(object_id))
        except ValidationError as exc:
            raise Http404 from exc
        # By id, not through get_object(), so a deleted project's trail can still be read.
        extra_context = {**(extra_context or {}), "audit_trail": project_audit_trail(pk)}
        return super().history_view(request, object_id, extra_context)

    def revert_disabled(self, request, obj=None):
        # A revert would bypass the services (version, search text, audit user); an officer
        # corrects a project by editing it.
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
