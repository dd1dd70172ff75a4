"""GET /api/changes/: the change log across projects (changes.log), read only, paginated."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.reverse import reverse

from changes.filtersets import ChangeFilterSet
from changes.log import KINDS, VIAS, change_rows, entries
from projects.models import Project


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's name, in the reader's language.")
    before = serializers.CharField()
    after = serializers.CharField()


class ChangeSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Unique in the log: the audit table's letter and row id.")
    kind = serializers.ChoiceField(choices=list(KINDS))
    kind_label = serializers.CharField()
    when = serializers.DateTimeField()
    user = serializers.SerializerMethodField()
    editor = serializers.CharField(help_text="Who made the change, as the admin names them.")
    via = serializers.ChoiceField(choices=[v for v in VIAS], help_text="admin, api, bulk, import, or empty.")
    project = serializers.SerializerMethodField()
    subject = serializers.CharField()
    changes = FieldChangeSerializer(many=True)
    filename = serializers.CharField(help_text="An import's file name.")
    rows = serializers.IntegerField(help_text="An import's count of changes.")

    def get_user(self, entry) -> int | None:
        return entry.user.pk if entry.user is not None else None

    @extend_schema(
        responses={
            "type": "object",
            "nullable": True,
            "properties": {
                "number": {"type": "integer"},
                "name": {"type": "string"},
                "url": {"type": "string", "nullable": True},
            },
        }
    )
    def get_project(self, entry) -> dict | None:
        if entry.project_number is None:
            return None
        request = self.context.get("request")
        url = (
            reverse("project-detail", args=[entry.project_id], request=request)
            if entry.project_exists
            else None
        )
        return {"number": entry.project_number, "name": entry.project_name, "url": url}


class ChangeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every change to the projects, newest first: field edits with before and after, projects
    added and deleted, developments, status changes and applied imports, each with who, when
    and via what (admin, API, bulk action, import). Any role may read it."""

    # The permissions read its model: every role views the audit rows.
    queryset = Project.history.all()
    serializer_class = ChangeSerializer
    filterset_class = ChangeFilterSet

    def filter_queryset(self, queryset):
        filtered = super().filter_queryset(queryset)
        return change_rows() if filtered is queryset else filtered

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        serializer = self.get_serializer(entries(page), many=True)
        return self.get_paginated_response(serializer.data)
