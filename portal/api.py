"""GET /api/summary/: the portfolio in numbers (portal.summary) for any project-list filter.

The filters go through the list's own FilterBackend (tracker.api), so an unknown parameter or a
bad value is the same 400 as on /api/projects/, and the counted list is the same list.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from plans.selection import as_listed
from portal.summary import DIMENSIONS, summarize
from projects.api.etags import IF_NONE_MATCH
from projects.filtersets import ProjectFilterSet, list_viewer
from projects.models import Project
from readcache.responses import DATA_ETAG, ConditionalReadMixin


class BucketSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The value to add to the list's filter (`rail`, `ODA`, `VN`).")
    name = serializers.CharField(help_text="Its name in the request's language.")
    count = serializers.IntegerField(help_text="The list's count with this value added to the filters.")


class SummarySerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Projects in the filtered list.")
    new = serializers.IntegerField(help_text="Of them, new in the edition (【新規案件】, `is_new=true`).")
    won = serializers.IntegerField(help_text="Of them, won by a Japanese company (`won=true`).")
    by_status = BucketSerializer(many=True, help_text="Every status, in order, zero or not (`status`).")
    by_region = BucketSerializer(many=True, help_text="Regions with projects, most first (`region`).")
    by_sector = BucketSerializer(
        many=True,
        help_text="Sectors with projects, most first (`sector`); a project counts in each of its sectors.",
    )
    by_scheme_family = BucketSerializer(
        many=True,
        help_text="Every scheme family, zero or not (`scheme`); a project counts in each of its families.",
    )
    by_country = BucketSerializer(many=True, help_text="Countries with projects, most first (`country`).")


class SummaryView(ConditionalReadMixin, generics.GenericAPIView):
    """The portfolio in numbers: the filtered project list's counts, by status, region, sector,
    scheme family and country. Takes every filter of the project list; each count is the list's
    count with that value added."""

    queryset = Project.objects.all()
    filterset_class = ProjectFilterSet
    pagination_class = None  # one answer, not a page: limit and offset are refused
    name = "Summary"

    # One object, not a list (no array in the schema), yet with the list's filters documented.
    @extend_schema(
        responses={200: SummarySerializer, 304: OpenApiResponse(description="Not modified.")},
        filters=True,
        parameters=[IF_NONE_MATCH, DATA_ETAG],
    )
    def get(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "api":  # the browsable page has the user's form
            if (answer := self.conditional_read(request, cacheable=True)) is not None:
                return answer
        summary = summarize(as_listed(self.filter_queryset(self.get_queryset())))
        data = {"total": summary.total, "new": summary.new, "won": summary.won}
        for dimension in DIMENSIONS:
            data[dimension] = [vars(bucket) for bucket in getattr(summary, dimension)]
        return Response(SummarySerializer(data).data)

    def read_viewer(self, request) -> str:
        return list_viewer(request)
