"""The editions API: read the editions a user may see (drafts: editors only), start next
year's draft, edit its list (add, move, choose developments, remove with a reason), publish it
(administrators) and compare two editions. Every write goes through plans.services, with the
edition's ETag in If-Match; a published edition refuses every write (409)."""

from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from plans import services
from plans.api.serializers import (
    ComparisonSerializer,
    EditionCreateSerializer,
    EditionSerializer,
    ListingAddSerializer,
    ListingChangeSerializer,
    ListingSerializer,
    PublishSerializer,
    RemovalSerializer,
    RemoveSerializer,
)
from plans.compare import compare
from plans.models import Edition, Listing, Removal
from plans.selection import visible_editions
from projects.api.etags import expected_version
from projects.models import Project
from tracker.api import ModelPermissions
from tracker.schema import ErrorSerializer


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _(
        "This request needs an If-Match header with the edition's ETag: GET the edition, then send its ETag back."
    )
    default_code = "precondition_required"


# OpenAPI descriptions of the concurrency headers and the refusals of a write.
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 412],
    description='The edition\'s version, e.g. "e2024-v7". Send it back in If-Match to change the edition.',
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "The ETag of the edition version you edited. Missing: 428. Not the current version (the "
        "edition changed since): 412, with the current ETag."
    ),
)
PROJECT_ID = OpenApiParameter("project_id", int, OpenApiParameter.PATH, description="The project's id.")
OTHER = OpenApiParameter(
    "other",
    int,
    OpenApiParameter.PATH,
    description="The year of the edition to compare with (for 2023, also 2022: its stated predecessor).",
)
WRITE_ERRORS = {
    409: OpenApiResponse(
        ErrorSerializer, description="The edition is published: its list can no longer change."
    ),
    412: OpenApiResponse(
        ErrorSerializer, description="If-Match is not the current version: reload and retry."
    ),
    428: OpenApiResponse(ErrorSerializer, description="If-Match is missing."),
}


class EditionPermissions(ModelPermissions):
    """Model permissions on editions (reading: view; starting a draft: add; its list: change),
    plus each write's own: publishing is the administrators' (plans.publish_edition)."""

    ACTION_PERMISSIONS = {
        "publish": ["plans.publish_edition"],
        "add_listing": ["plans.add_listing"],
        "change_listing": ["plans.change_listing"],
        "remove_listing": ["plans.delete_listing", "plans.add_removal"],
    }

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return request.user.has_perms(self.ACTION_PERMISSIONS.get(getattr(view, "action", None), []))


def edition_queryset(user):
    """The editions `user` may read, with what their answer shows prefetched."""
    return (
        visible_editions(user)
        .annotate(project_count=Count("listings", distinct=True))
        .prefetch_related(
            "headings",
            Prefetch(
                "listings",
                Listing.objects.filter(is_new=True).select_related("project").order_by("number"),
                to_attr="new_listings",
            ),
            Prefetch("removals", Removal.objects.order_by("name")),
        )
        .order_by("-year")
    )


def listing_queryset(edition):
    return (
        edition.listings.select_related("project", "heading")
        .prefetch_related("developments", "project__developments")
        .order_by("number")
    )


def with_shown(edition, listings):
    """Set each listing's `shown` developments: as published, or as the draft would print them."""
    listings = list(listings)
    previous = services.previous_edition(edition) if not edition.is_published else None
    shown_before = services.shown_in(previous) if not edition.is_published else set()
    for listing in listings:
        listing.edition = edition
        listing.shown = services.shown_developments(listing, previous, shown_before)
    return listings


def _field_error(error: services.EditionError, field: str = "non_field_errors"):
    return exceptions.ValidationError({field: [str(error)]})


@extend_schema_view(
    list=extend_schema(
        summary="List the plan's editions",
        description="Newest first. Published editions; editors also see the draft.",
    ),
    retrieve=extend_schema(
        summary="Read an edition",
        description=(
            "Its headings, what it added (marked new) and removed (with the reason) and, for a "
            "draft, the removals it proposes."
        ),
        parameters=[ETAG],
    ),
    create=extend_schema(
        summary="Start next year's draft",
        description=(
            "A draft carrying every heading and project of the latest published edition, none "
            "marked new (as `manage.py start_edition`). Editors."
        ),
        request=EditionCreateSerializer,
        responses={201: EditionSerializer},
        parameters=[ETAG],
    ),
)
class EditionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The action plan's editions and the yearly workflow on a draft."""

    queryset = Edition.objects.all()  # the model, for the permissions; rows: get_queryset()
    serializer_class = EditionSerializer
    permission_classes = [EditionPermissions]
    lookup_field = "year"
    lookup_value_regex = r"\d{1,4}"

    def get_queryset(self):
        return edition_queryset(self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["proposed_removals"] = getattr(self, "_proposed", {})
        return context

    def _propose(self, editions):
        self._proposed = {
            edition.pk: services.proposed_removals(edition)
            for edition in editions
            if not edition.is_published
        }

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self._propose(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return self._read(self.get_object())

    def _read(self, edition, code=status.HTTP_200_OK):
        edition = self.get_queryset().get(pk=edition.pk)
        self._propose([edition])
        data = EditionSerializer(edition, context=self.get_serializer_context()).data
        return Response(data, status=code, headers={"ETag": edition.etag})

    def create(self, request, *args, **kwargs):
        serializer = EditionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            edition = services.start_edition(serializer.validated_data["year"], user=request.user)
        except services.EditionError as error:
            raise _field_error(error, "year") from error
        response = self._read(edition, status.HTTP_201_CREATED)
        response["Location"] = str(response.data["url"])
        return response

    # --- writes on one edition ------------------------------------------------------------

    def _writable(self, request):
        """The edition in the URL, unpublished, and the version If-Match names."""
        edition = self.get_object()
        if edition.is_published:
            raise services.EditionPublished(edition)
        return edition, expected_version(request, edition, required=True, precondition=PreconditionRequired)

    @extend_schema(
        summary="Publish a draft",
        description=(
            "Freezes the edition: every row keeps its name, summary, developments and status as "
            'printed now. Administrators; the body must be {"confirm": true}.'
        ),
        request=PublishSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: EditionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, year=None):
        edition, version = self._writable(request)
        serializer = PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            edition = services.publish(edition, user=request.user, expected_version=version)
        except services.EditionError as error:
            raise _field_error(error) from error
        return self._read(edition)

    # --- the list ---------------------------------------------------------------------------

    def _listing(self, edition, project_id):
        return get_object_or_404(listing_queryset(edition), project_id=project_id)

    def _listing_response(self, edition, listing, code=status.HTTP_200_OK):
        edition.refresh_from_db(fields=["version"])
        listing = with_shown(edition, [self._listing(edition, listing.project_id)])[0]
        data = ListingSerializer(listing, context=self.get_serializer_context()).data
        return Response(data, status=code, headers={"ETag": edition.etag})

    @extend_schema(
        summary="The edition's list",
        description=(
            "Its rows in number order, each with its heading, new mark and the developments its "
            "直近における動き shows. Carries the edition's ETag."
        ),
        responses={200: ListingSerializer(many=True)},
        parameters=[ETAG],
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def listings(self, request, year=None):
        edition = self.get_object()
        rows = with_shown(edition, listing_queryset(edition))
        data = ListingSerializer(rows, many=True, context=self.get_serializer_context()).data
        return Response(data, headers={"ETag": edition.etag})

    @extend_schema(
        summary="Add a project to a draft",
        description="Listed under the heading (last in it unless `position`), marked new by default.",
        request=ListingAddSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={201: ListingSerializer, **WRITE_ERRORS},
    )
    @listings.mapping.post
    def add_listing(self, request, year=None):
        edition, version = self._writable(request)
        serializer = ListingAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        project = Project.objects.filter(pk=data["project"]).first()
        if project is None:
            raise exceptions.ValidationError({"project": [gettext("No project has this id.")]})
        if edition.listings.filter(project=project).exists():
            raise exceptions.ValidationError(
                {"project": [gettext("This project is already listed in this edition.")]}
            )
        if not edition.headings.filter(number=data["listing_group"]).exists():
            raise exceptions.ValidationError(
                {"listing_group": [gettext("The edition has no heading with this number.")]}
            )
        try:
            listing = services.add_listing(
                edition,
                project,
                data["listing_group"],
                position=data.get("position"),
                is_new=data["is_new"],
                user=request.user,
                expected_version=version,
            )
        except services.EditionError as error:
            raise _field_error(error) from error
        response = self._listing_response(edition, listing, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            f"/api/editions/{edition.year}/listings/{listing.project_id}/"
        )
        return response

    @extend_schema(
        summary="Read a row of the edition's list",
        parameters=[PROJECT_ID, ETAG],
        responses={200: ListingSerializer},
    )
    @action(detail=True, methods=["get"], url_path=r"listings/(?P<project_id>\d{1,10})")
    def listing(self, request, year=None, project_id=None):
        edition = self.get_object()
        listing = with_shown(edition, [self._listing(edition, project_id)])[0]
        data = ListingSerializer(listing, context=self.get_serializer_context()).data
        return Response(data, headers={"ETag": edition.etag})

    @extend_schema(
        summary="Move a row, change its new mark or choose its developments",
        description=(
            "`listing_group` and `position` move it (numbers follow the headings' order); "
            "`developments` are the sequences of the project's developments it shows."
        ),
        request=ListingChangeSerializer,
        parameters=[PROJECT_ID, IF_MATCH, ETAG],
        responses={200: ListingSerializer, **WRITE_ERRORS},
    )
    @listing.mapping.patch
    def change_listing(self, request, year=None, project_id=None):
        edition, version = self._writable(request)
        listing = self._listing(edition, project_id)
        serializer = ListingChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "listing_group" in data and not edition.headings.filter(number=data["listing_group"]).exists():
            raise exceptions.ValidationError(
                {"listing_group": [gettext("The edition has no heading with this number.")]}
            )
        developments = None
        if "developments" in data:
            by_sequence = {d.sequence: d for d in listing.project.developments.all()}
            unknown = sorted(set(data["developments"]) - set(by_sequence))
            if unknown:
                raise exceptions.ValidationError(
                    {
                        "developments": [
                            gettext("The project has no development %(sequences)s.")
                            % {"sequences": ", ".join(map(str, unknown))}
                        ]
                    }
                )
            developments = [by_sequence[sequence] for sequence in dict.fromkeys(data["developments"])]
        moves = {key: data[key] for key in ("listing_group", "position", "is_new") if key in data}
        try:
            with transaction.atomic():
                if moves:
                    listing = services.move_listing(
                        listing,
                        moves.get("listing_group"),
                        position=moves.get("position"),
                        is_new=moves.get("is_new"),
                        user=request.user,
                        expected_version=version,
                    )
                    version = None  # checked, and the edition stays locked until the end
                if developments is not None:
                    services.choose_developments(
                        listing, developments, user=request.user, expected_version=version
                    )
        except services.EditionError as error:
            raise _field_error(error) from error
        return self._listing_response(edition, listing)

    @extend_schema(
        summary="Remove a project from a draft",
        description="Takes it off the list, recording the reason (won, cancelled, merged, other).",
        request=RemoveSerializer,
        parameters=[PROJECT_ID, IF_MATCH, ETAG],
        responses={200: RemovalSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path=r"listings/(?P<project_id>\d{1,10})/remove")
    def remove_listing(self, request, year=None, project_id=None):
        edition, version = self._writable(request)
        listing = self._listing(edition, project_id)
        serializer = RemoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            removal = services.remove_listing(
                listing,
                serializer.validated_data["reason"],
                serializer.validated_data["note"],
                user=request.user,
                expected_version=version,
            )
        except services.EditionError as error:
            raise _field_error(error) from error
        edition.refresh_from_db(fields=["version"])
        return Response(RemovalSerializer(removal).data, headers={"ETag": edition.etag})

    # --- looking back -----------------------------------------------------------------------

    @extend_schema(
        summary="Compare two editions",
        description=(
            "Added, removed (with the reason), carried over (number and heading in each, status "
            "changes) and the developments recorded since the older one. An edition whose "
            "predecessor is not in the tracker compares with what its text states (`stated`)."
        ),
        parameters=[OTHER],
        responses={200: ComparisonSerializer},
    )
    @action(detail=True, methods=["get"], url_path=r"compare/(?P<other>\d{1,4})", pagination_class=None)
    def compare(self, request, year=None, other=None):
        edition = self.get_object()
        other_edition = visible_editions(request.user).filter(year=int(other)).first()
        if other_edition is None and Edition.objects.filter(year=int(other)).exists():
            raise exceptions.NotFound()  # a draft the reader may not see
        try:
            comparison = compare(edition, other_edition or int(other))
        except Edition.DoesNotExist as error:
            raise exceptions.NotFound() from error
        return Response(ComparisonSerializer(comparison).data)
