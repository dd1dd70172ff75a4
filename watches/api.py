"""/api/watches/: the requesting user's watches, and no one else's. A watch is created from a
kind and a code (`{"kind": "country", "code": "VN"}`) and removed with DELETE; it is not
changed in place."""

from urllib.parse import urlencode

from django.urls import reverse
from rest_framework import mixins, serializers, viewsets

from watches.models import TARGETS, Watch
from watches.services import watch_add


class WatchSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(
        choices=TARGETS, source="target_field", help_text="What is watched: " + ", ".join(TARGETS) + "."
    )
    code = serializers.CharField(
        source="target_code",
        max_length=40,
        help_text=(
            "Its code: a project's number (as in the project list, `36`), a country's ISO 3166-1 "
            "alpha-2 code (`VN`), a region's, sector's or scheme's code (`south-asia`, `rail`, "
            "`ppp`). Case is ignored."
        ),
    )
    label = serializers.SerializerMethodField(help_text="The project's number and name, or the name.")
    target_url = serializers.SerializerMethodField(
        help_text="For a project, its API detail; for the others, the project list they filter."
    )

    class Meta:
        model = Watch
        fields = ["id", "url", "kind", "code", "label", "target_url", "created"]
        extra_kwargs = {"url": {"view_name": "watch-detail"}}

    def get_label(self, watch) -> str:
        return str(watch.target)

    def get_target_url(self, watch) -> str:
        kind = watch.target_field
        if kind == "project":
            url = reverse("project-detail", args=[watch.project_id])
        else:
            url = reverse("project-list") + "?" + urlencode({kind: watch.target_code})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def create(self, validated_data):
        # The kind and code are looked up, and a duplicate refused, in the service; its
        # ValidationError is a 400 by field (tracker.api.exception_handler).
        return watch_add(
            user=self.context["request"].user,
            kind=validated_data["target_field"],
            code=validated_data["target_code"],
        )


class WatchViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your watches: the projects, countries, regions, sectors and schemes you follow (a
    project's responsible officers watch it from the day they are made responsible). Every
    role may keep its own; others' are not found (404)."""

    queryset = Watch.objects.all()
    serializer_class = WatchSerializer
    pagination_class = None

    def get_queryset(self):
        return Watch.objects.of(self.request.user).select_related(*TARGETS).order_by("id")
