"""API for spreadsheet imports: upload a file for a preview, read it, apply it.

POST /api/imports/ (multipart: `file`, optional `note` and `effective_on`) reads the file and
stores its preview. A clean file answers 201 with state "previewed"; a file with row errors is
stored too and answers 201 with state "rejected" and its `errors` (sheet, row, column,
message), since a record was created; it can never be applied. A hostile or unreadable file
(too large, not an XLSX, a zip bomb, too many rows, a formula) answers 400 and nothing is
stored.

POST /api/imports/{id}/apply/ applies the whole file in one transaction (200), or answers 409:
it has errors, was applied already, or the data changed since the preview (the batch then
holds a fresh preview; review it and apply again).

Uploading needs projects.add_importbatch, applying projects.change_importbatch, reading
projects.view_importbatch.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from projects.models import ImportBatch
from projects.spreadsheets.apply import AlreadyApplied, PreviewOutdated, apply_preview, import_batch_create
from projects.spreadsheets.errors import ImportProblem, ImportRefused, ImportRejected
from projects.spreadsheets.stored import stored_preview
from tokens.permissions import READ_ONLY_MESSAGE, refuses_write
from tracker.api import ModelPermissions
from tracker.parsers import JSONParser
from tracker.schema import ErrorSerializer


class ImportChangeSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    kind = serializers.CharField(help_text=_("The sheet's kind: projects or developments."))
    row = serializers.IntegerField()
    number = serializers.IntegerField(help_text=_("The project number."))
    sequence = serializers.IntegerField(
        allow_null=True, help_text=_("The development's No.; null for a new one.")
    )
    action = serializers.CharField(help_text=_("update, or add (a new development)."))
    field = serializers.CharField()
    column = serializers.CharField(help_text=_("The column header as written in the file."))
    before = serializers.CharField(allow_blank=True)
    after = serializers.CharField(allow_blank=True)


class ImportErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_blank=True, help_text=_("The column header as written in the file."))
    cell = serializers.CharField(allow_blank=True, help_text=_("E.g. D7."))
    message = serializers.CharField()


class ImportBatchListSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True, default=None)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = ["id", "filename", "state", "uploaded_by", "uploaded_at", "applied_at", "counts"]

    def get_counts(self, batch) -> dict:
        return stored_preview(batch).counts.to_json()


class ImportBatchSerializer(ImportBatchListSerializer):
    note = serializers.SerializerMethodField()
    effective_on = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta(ImportBatchListSerializer.Meta):
        fields = [*ImportBatchListSerializer.Meta.fields, "note", "effective_on", "errors", "changes"]

    def get_note(self, batch) -> str:
        return stored_preview(batch).options.note

    def get_effective_on(self, batch) -> str | None:
        return stored_preview(batch).options.effective_on

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_errors(self, batch) -> list:
        return [error.shown() for error in stored_preview(batch).errors]

    @extend_schema_field(ImportChangeSerializer(many=True))
    def get_changes(self, batch) -> list:
        return [change.public() for change in stored_preview(batch).changes]


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("The XLSX list export, edited."))
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("Added to the note of every status change."),
    )
    effective_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("The effective date of the status changes.")
    )


ImportConflictSerializer = inline_serializer(
    name="ImportConflict",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(help_text=_("has_errors, already_applied or preview_outdated.")),
        "import": ImportBatchSerializer(),
    },
)


class ImportPermissions(ModelPermissions):
    """Model permissions; applying is a change of the batch, so it needs change_importbatch."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) != "apply":
            return super().has_permission(request, view)
        if not (request.user and request.user.is_authenticated):
            return False
        if refuses_write(request):  # apply is a POST
            self.message = READ_ONLY_MESSAGE
            return False
        return request.user.has_perm("projects.change_importbatch")


@extend_schema_view(
    list=extend_schema(summary="List spreadsheet imports"),
    retrieve=extend_schema(summary="A spreadsheet import with its preview"),
)
class ImportBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = ImportBatch.objects.select_related("uploaded_by").defer("content")
    serializer_class = ImportBatchSerializer
    permission_classes = [ImportPermissions]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_serializer_class(self):
        return ImportBatchListSerializer if self.action == "list" else ImportBatchSerializer

    @extend_schema(
        summary="Upload a spreadsheet for a preview",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: ImportBatchSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="A hostile or unreadable file; nothing stored."
            ),
            # Answered by tracker.middleware.APIBodyLimitMiddleware, before the body is read.
            413: OpenApiResponse(
                ErrorSerializer, description="The request is far larger than the file limit."
            ),
        },
    )
    def create(self, request):
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            batch = import_batch_create(
                source=data["file"],
                filename=data["file"].name,
                user=request.user,
                note=data.get("note", ""),
                effective_on=data.get("effective_on"),
            )
        except ImportRefused as exc:
            return Response(
                {"detail": str(exc), "code": "refused_file", "errors": {"file": [str(exc)]}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Apply a previewed import, all of it or nothing",
        request=None,
        responses={
            200: ImportBatchSerializer,
            409: OpenApiResponse(
                ImportConflictSerializer,
                description="It has errors, was applied already, or the data changed since the preview.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        batch = self.get_object()
        try:
            batch = apply_preview(batch, request.user)
        except ImportProblem as exc:
            batch.refresh_from_db()
            if isinstance(exc, AlreadyApplied):
                code = "already_applied"
            elif isinstance(exc, PreviewOutdated):
                code = "preview_outdated"
            elif isinstance(exc, ImportRejected):
                code = "has_errors"
            else:
                code = "refused_file"
            return Response(
                {"detail": str(exc), "code": code, "import": ImportBatchSerializer(batch).data},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(ImportBatchSerializer(batch).data)


def router_register(router) -> None:
    """Add /imports/ to the API's router (tracker/api_router.py)."""
    router.register("imports", ImportBatchViewSet, basename="import")
