"""The typical peer: a straightforward DRF ModelSerializer with nested serializers, on a
queryset without joins, annotations or prefetches: a few queries per row."""

from rest_framework import generics, serializers

from projects.api.serializers import (
    DevelopmentSerializer,
    LatestDevelopmentSerializer,
    ProjectDetailSerializer,
    ProjectListSerializer,
    ProjectSerializer,
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
    developments = serializers.SerializerMethodField()
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta(PeerProjectSerializer.Meta):
        fields = ProjectDetailSerializer.Meta.fields

    def get_developments(self, project):
        return DevelopmentSerializer(project.developments.order_by("sequence"), many=True).data


class PeerProjectList(generics.ListAPIView):
    queryset = Project.objects.all()
    serializer_class = PeerProjectSerializer
    filterset_class = ProjectFilterSet
    pagination_class = Pagination


class PeerProjectDetail(generics.RetrieveAPIView):
    queryset = Project.objects.all()
    serializer_class = PeerProjectDetailSerializer
