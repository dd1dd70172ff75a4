"""API viewsets for projects, their developments and status changes, and the reference data
the projects app owns. Permissions, pagination, filter checking and error bodies are the
defaults set in settings.REST_FRAMEWORK (tracker/api.py)."""

from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse

from plans.selection import as_listed, listed_edition, may_see_drafts, with_latest_listing
from projects.api.detail import detail_body, detail_row
from projects.api.etags import (
    ETAG,
    IF_MATCH,
    IF_MATCH_OPTIONAL,
    IF_NONE_MATCH,
    PRECONDITION_FAILED,
    PRECONDITION_REQUIRED,
    expected_version,
    not_modified,
    project_etag,
)
from projects.api.list_rows import ProjectPagination
from projects.api.renderers import (
    CSVRenderer,
    FileRenderer,
    StatusTableHTMLRenderer,
    StatusTableXLSXRenderer,
    XLSXRenderer,
    extra_list_renderers,
)
from projects.api.serializers import (
    DevelopmentInputSerializer,
    DevelopmentSerializer,
    FeedDevelopmentSerializer,
    ProjectDetailSerializer,
    ProjectInputSerializer,
    ProjectListSerializer,
    SchemeSerializer,
    SectorSerializer,
    StatusChangeInputSerializer,
    StatusChangeSerializer,
)
from projects.filtersets import DevelopmentFilterSet, ProjectFilterSet, described_filters, list_viewer
from projects.models import Development, Project, Scheme, Sector, StatusChange
from projects.querysets import as_of_of, latest_development_json
from projects.spreadsheets.status_table import group_as_dict, status_table_context
from readcache.responses import DATA_ETAG, ConditionalReadMixin
from tracker.api import CODE_IN_PATH


def project_queryset(user):
    """One project as its page shows it to `user`: with its listings in the editions they see
    (what a write starts from; a read is projects.api.detail's)."""
    return with_latest_listing(
        Project.objects.with_won()
        .annotate(latest_development=latest_development_json())
        .select_related("country__region")
        .prefetch_related("sectors", "schemes"),
        user,
    )


WRITE_RESPONSES = {200: ProjectDetailSerializer, 412: PRECONDITION_FAILED, 428: PRECONDITION_REQUIRED}


@extend_schema_view(
    list=extend_schema(
        summary="List projects",
        description=(
            "Filtered, ordered, paginated by limit/offset. With `format=csv` or `format=xlsx` the "
            "same filters and order give a file of ALL matching projects (no pagination): CSV is "
            "UTF-8 with a byte-order mark for Excel; the XLSX has a second sheet with the "
            "developments, for the import round trip. `format=oc4ids` is an OC4IDS 0.9.5 project "
            "package (JSON) and `format=iati` an IATI 2.03 iati-activities document (XML) of the "
            "same projects, streamed, valid by the official schemas (an empty selection gives an "
            "empty projects list or activities element, which the schemas do not accept); they "
            "describe the projects as they are now, so `as_of` is a 400 with them. The codes each "
            'uses are in opendata/mappings.py and the README\'s "Open data".'
        ),
        parameters=[IF_NONE_MATCH, DATA_ETAG],
    ),
    retrieve=extend_schema(
        summary="Read a project",
        parameters=[IF_NONE_MATCH, ETAG],
        responses={200: ProjectDetailSerializer, 304: OpenApiResponse(description="Not modified.")},
    ),
    create=extend_schema(
        summary="Create a project",
        request=ProjectInputSerializer,
        responses={201: ProjectDetailSerializer},
        parameters=[ETAG],
    ),
    update=extend_schema(
        summary="Replace a project's fields",
        request=ProjectInputSerializer,
        parameters=[IF_MATCH, ETAG],
        responses=WRITE_RESPONSES,
    ),
    partial_update=extend_schema(
        summary="Change some of a project's fields",
        request=ProjectInputSerializer,
        parameters=[IF_MATCH, ETAG],
        responses=WRITE_RESPONSES,
    ),
)
class ProjectViewSet(
    ConditionalReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Projects. Reads carry an ETag; PUT and PATCH need it back in If-Match (no lost updates)."""

    # The filters apply to `queryset`. A list page is read as dict rows by its pagination
    # (ProjectPagination, for ProjectListSerializer); a file by its renderer (file_response).
    queryset = Project.objects.all()
    pagination_class = ProjectPagination
    filterset_class = ProjectFilterSet
    lookup_value_regex = r"\d+"
    renderer_classes = [
        JSONRenderer,
        BrowsableAPIRenderer,
        CSVRenderer,
        XLSXRenderer,
        *extra_list_renderers(),
    ]

    def get_queryset(self):
        # One project is read as a model instance, with its joins, annotations and prefetches.
        if self.detail:
            return project_queryset(self.request.user)
        return super().get_queryset()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.detail:
            return queryset
        # No filter parameter, so no filterset (tracker.api.FilterBackend): the list is still
        # one edition's, the latest published (ProjectFilterSet.filter_queryset).
        return as_listed(queryset)

    def get_renderers(self):
        # Files exist for the list (and the status table, with its own renderers) only: a
        # project's `?format=csv` is refused like any unknown format (api.ContentNegotiation).
        renderers = super().get_renderers()
        if self.action in ("list", "status_table"):
            return renderers
        return [renderer for renderer in renderers if not isinstance(renderer, FileRenderer)]

    def get_serializer_class(self):
        # DRF has one serializer_class per view: the list, the detail and the writes differ.
        if self.action == "list":
            return ProjectListSerializer
        if self.action == "retrieve":
            return ProjectDetailSerializer
        return ProjectInputSerializer

    def handle_exception(self, exc):
        # Errors are JSON whatever file format was asked for: a 400 names the bad parameter.
        accepted = getattr(self.request, "accepted_renderer", None)
        if accepted is not None and (isinstance(accepted, FileRenderer) or accepted.format == "html"):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def read_viewer(self, request) -> str:
        return list_viewer(request)

    def _conditional(self, request):
        """The list's and the status table's 304 or cached answer (readcache.responses): files
        get the ETag only; the browsable API's page (a form with the user's token) neither."""
        renderer = request.accepted_renderer
        if isinstance(renderer, BrowsableAPIRenderer):
            return None
        return self.conditional_read(request, cacheable=not isinstance(renderer, FileRenderer))

    def list(self, request, *args, **kwargs):
        if (answer := self._conditional(request)) is not None:
            return answer
        # A file streams every matching project, so its renderer makes the whole response.
        if isinstance(request.accepted_renderer, FileRenderer):
            return request.accepted_renderer.file_response(
                self.filter_queryset(self.get_queryset()), request=request
            )
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="The status table in the plan's layout",
        description=(
            "番号・名称・概要・直近における動き, grouped under the plan's listing-group headings in "
            "their order, one development per line (newest last), new projects marked 【新規案件】. "
            "Takes the same filters as the list. `edition=YEAR` (default: the latest published; "
            "editors also the draft): a published edition's rows are AS PRINTED (name, summary, "
            "developments, note), whatever was recorded later; a draft's are the projects' "
            "current name, summary and note with the developments each row shows, titled "
            "「（案）」, with the preface generated from the comparison with the previous edition. "
            "`as_of=DATE`: every project's status (an extra column) and developments as they "
            "stood that day: a development counts if its last date (its end, else its date) is on "
            "or before it, an undated one if recorded on or before it; the status is the last "
            "status change effective on or before it (one without an effective date counts from "
            "the day it was recorded; the first one always counts). An unknown year or a bad "
            "date is a 400. `format=html` (default) is a printable A4 landscape page; "
            "`format=xlsx` a workbook; `format=json` {title, edition, as_of, preface, groups}."
        ),
        responses={
            (200, "text/html"): OpenApiTypes.STR,
            (200, XLSXRenderer.media_type): OpenApiTypes.BINARY,
            # {title, edition, state, as_of, preface, groups: [{heading, rows, notes}]}.
            (200, "application/json"): {"type": "object"},
            304: OpenApiResponse(description="Not modified."),
        },
        parameters=[IF_NONE_MATCH, DATA_ETAG],
    )
    @action(
        detail=False,
        url_path="status-table",
        renderer_classes=[StatusTableHTMLRenderer, StatusTableXLSXRenderer, JSONRenderer],
        pagination_class=None,
    )
    def status_table(self, request):
        if (answer := self._conditional(request)) is not None:
            return answer
        queryset = self.filter_queryset(self.get_queryset())
        edition, as_of = listed_edition(queryset), as_of_of(queryset)
        if isinstance(request.accepted_renderer, FileRenderer):
            return request.accepted_renderer.file_response(queryset, as_of=as_of, edition=edition)
        # The edition and the date are in the title; the other parameters chose the rows.
        params = {k: v for k, v in request.query_params.items() if k not in ("edition", "as_of")}
        filters = described_filters(params)
        context = status_table_context(queryset, filters, edition=edition, as_of=as_of)
        if request.accepted_renderer.format == "json":
            return Response(
                {
                    "title": context["title"],
                    "edition": edition.year if edition else None,
                    "state": edition.state if edition else None,
                    "as_of": as_of.isoformat() if as_of else None,
                    "preface": context["preface"].as_dict() if context["preface"] else None,
                    "groups": [group_as_dict(group) for group in context["groups"]],
                }
            )
        return Response(context)  # StatusTableHTMLRenderer renders its template with it

    def retrieve(self, request, *args, **kwargs):
        # The project with every relation, its history included, in one query
        # (projects.api.detail): two with the token's. A copy that is still current
        # (If-None-Match) is a 304 from the same row, before any body is built.
        lookup = {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}
        row = self._detail_row(self.filter_queryset(Project.objects.filter(**lookup)))
        project = Project(pk=row["id"], version=row["version"])
        self.check_object_permissions(request, project)
        headers = {"ETag": project_etag(project)}
        if not_modified(request, project):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(self._detail_body(row), headers=headers)

    def create(self, request, *args, **kwargs):
        # Written by the service as the user; answered with the detail as read back, and its ETag.
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = serializer.save(user=request.user)
        response = self._read(project, status.HTTP_201_CREATED)
        response["Location"] = str(response.data["url"])  # a Hyperlink, a str subclass
        return response

    def update(self, request, *args, partial=False, **kwargs):
        # If-Match's version goes to the service, which refuses a stale one; answered as create.
        project = self.get_object()
        version = expected_version(request, project, required=True)
        serializer = self.get_serializer(project, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        serializer.save(user=request.user, expected_version=version)
        return self._read(project)

    def _read(self, project, code=status.HTTP_200_OK):
        row = self._detail_row(Project.objects.filter(pk=project.pk))
        headers = {"ETag": project_etag(Project(pk=row["id"], version=row["version"]))}
        return Response(self._detail_body(row), status=code, headers=headers)

    def _detail_row(self, queryset):
        """The project of `queryset` as projects.api.detail.detail_row reads it; 404 if none."""
        row = detail_row(queryset, drafts=may_see_drafts(self.request.user))
        if row is None:
            raise Http404
        return row

    def _detail_body(self, row):
        # The URL as ProjectDetailSerializer's HyperlinkedIdentityField builds it.
        url = reverse(
            "project-detail", kwargs={"pk": row["id"]}, request=self.request, format=self.format_kwarg
        )
        return detail_body(row, url)


class ProjectChildViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Rows that belong to the project in the URL: list them, add one through a service."""

    @cached_property
    def project(self):
        return get_object_or_404(Project, pk=self.kwargs["project_pk"])

    def list(self, request, *args, **kwargs):
        self.project  # noqa: B018 -- an unknown project is a 404, not an empty list
        return super().list(request, *args, **kwargs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "create":
            context["project"] = self.project
        return context

    def perform_create(self, serializer):
        version = expected_version(self.request, self.project, required=False)
        serializer.save(user=self.request.user, expected_version=version)


@extend_schema_view(
    list=extend_schema(summary="List a project's developments", description="In the plan's order."),
    create=extend_schema(
        summary="Add a development to a project",
        request=DevelopmentInputSerializer,
        parameters=[IF_MATCH_OPTIONAL],
        responses={201: DevelopmentSerializer, 412: PRECONDITION_FAILED},
    ),
)
class ProjectDevelopmentViewSet(ProjectChildViewSet):
    # The model, for the permission check and the page title; the rows come from get_queryset().
    queryset = Development.objects.none()

    def get_queryset(self):
        return Development.objects.filter(project_id=self.kwargs.get("project_pk")).order_by("sequence")

    def get_serializer_class(self):
        return DevelopmentInputSerializer if self.action == "create" else DevelopmentSerializer


@extend_schema_view(
    list=extend_schema(summary="List a project's status history", description="Oldest first."),
    create=extend_schema(
        summary="Change a project's status",
        description="Records a status change and makes it the project's current status.",
        request=StatusChangeInputSerializer,
        parameters=[IF_MATCH_OPTIONAL],
        responses={201: StatusChangeSerializer, 412: PRECONDITION_FAILED},
    ),
)
class ProjectStatusChangeViewSet(ProjectChildViewSet):
    # The model, for the permission check and the page title; the rows come from get_queryset().
    queryset = StatusChange.objects.none()

    def get_queryset(self):
        return (
            StatusChange.objects.filter(project_id=self.kwargs.get("project_pk"))
            .select_related("recorded_by")
            .order_by("sequence")
        )

    def get_serializer_class(self):
        return StatusChangeInputSerializer if self.action == "create" else StatusChangeSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Developments across projects",
        description="Newest first (by date; undated ones last): what happened this month.",
    )
)
class DevelopmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Development.objects.select_related("project__country").order_by(
        F("date").desc(nulls_last=True), "project__number", "-sequence"
    )
    serializer_class = FeedDevelopmentSerializer
    filterset_class = DevelopmentFilterSet


class ReferenceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reference data: everyone with a role reads it, administrators add and change it.
    No delete: projects point at these rows (on_delete=PROTECT)."""


class SectorViewSet(ReferenceViewSet):
    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    lookup_field = "code"
    lookup_value_regex = CODE_IN_PATH


class SchemeViewSet(ReferenceViewSet):
    queryset = Scheme.objects.all()
    serializer_class = SchemeSerializer
    lookup_field = "code"
    lookup_value_regex = CODE_IN_PATH
