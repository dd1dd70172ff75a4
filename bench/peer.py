"""The typical peer: a straightforward DRF ModelSerializer with nested serializers, on a
queryset without annotations or prefetches beyond the edition's listing the list is of (the
list is one edition's, as the API's): a few queries per row."""

from rest_framework import generics, serializers

from plans.models import Listing
from plans.selection import as_listed
from projects.api.serializers import (
    DevelopmentSerializer,
    EditionListingSerializer,
    LatestDevelopmentSerializer,
    ProjectDetailSerializer,
    ProjectListSerializer,
    ProjectSerializer,
    ResponsibleOfficerSerializer,
    StatusChangeSerializer,
)
from projects.filtersets import ProjectFilterSet
from projects.models import Project
from projects.querysets import WON_KIND, latest_development_order
from tracker.api import Pagination


class PeerProjectSerializer(ProjectSerializer):
    """The project's declared fields, with `won` and the latest development read per row."""

    won = serializers.SerializerMethodField()
    latest_development = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = ProjectListSerializer.Meta.fields  # the same fields, built the plain way

    def get_won(self, project):
        return project.developments.filter(kind=WON_KIND).exists()

    def get_latest_development(self, project):
        latest = project.developments.order_by(*latest_development_order()).first()
        if latest is None:
            return None
        return LatestDevelopmentSerializer(
            {
                "date": latest.date,
                "precision": latest.date_precision,
                "kind": latest.kind,
                "text": latest.text,
            }
        ).data


class PeerProjectDetailSerializer(PeerProjectSerializer):
    """The tracker's number; the heading and mark of the latest published edition listing the
    project, and every published edition's listing, each read with its own query."""

    number = serializers.IntegerField(read_only=True)
    listing_group = serializers.SerializerMethodField()
    is_new = serializers.SerializerMethodField()
    editions = serializers.SerializerMethodField()
    developments = serializers.SerializerMethodField()
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    responsible = serializers.SerializerMethodField()

    class Meta(PeerProjectSerializer.Meta):
        fields = ProjectDetailSerializer.Meta.fields

    def _listings(self, project):
        return Listing.objects.filter(project=project, edition__state="published").select_related(
            "edition", "heading"
        )

    def get_listing_group(self, project):
        latest = self._listings(project).order_by("-edition__year").first()
        if latest is None:
            return None
        heading = latest.heading
        return {"number": heading.number, "mark": heading.mark, "label": heading.name}

    def get_is_new(self, project):
        latest = self._listings(project).order_by("-edition__year").first()
        return bool(latest and latest.is_new)

    def get_editions(self, project):
        return EditionListingSerializer(self._listings(project).order_by("edition__year"), many=True).data

    def get_responsible(self, project):
        return ResponsibleOfficerSerializer(project.responsible.order_by("id"), many=True).data

    def get_developments(self, project):
        return DevelopmentSerializer(project.developments.order_by("sequence"), many=True).data


class PeerProjectList(generics.ListAPIView):
    queryset = Project.objects.all()
    serializer_class = PeerProjectSerializer
    filterset_class = ProjectFilterSet
    pagination_class = Pagination

    def filter_queryset(self, queryset):
        # The filterset narrows to the edition when a filter is given; with none, the latest
        # published edition's list all the same (as projects.api.views.ProjectViewSet does).
        return as_listed(super().filter_queryset(queryset))


class PeerProjectDetail(generics.RetrieveAPIView):
    queryset = Project.objects.all()
    serializer_class = PeerProjectDetailSerializer
