"""/api/saved-filters/: the requesting user's saved filters, and no one else's."""

from urllib.parse import urlencode

from django.urls import reverse
from rest_framework import serializers, viewsets

from savedfilters.models import SavedFilter
from savedfilters.services import saved_filter_save


class SavedFilterSerializer(serializers.ModelSerializer):
    projects_url = serializers.SerializerMethodField(
        help_text="The project list with these filters: /api/projects/?saved=<id>."
    )

    class Meta:
        model = SavedFilter
        fields = ["id", "url", "name", "query", "is_default", "projects_url", "created", "updated"]
        extra_kwargs = {"url": {"view_name": "savedfilter-detail"}}

    def get_projects_url(self, obj) -> str:
        url = reverse("project-list") + "?" + urlencode({"saved": obj.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def _save(self, instance):
        # The model's checks (query normalised by the list's filter form, the name unique for
        # the owner) run in the service; their ValidationError is a 400 by field
        # (tracker.api.exception_handler).
        return saved_filter_save(saved_filter=instance)

    def create(self, validated_data):
        return self._save(SavedFilter(owner=self.context["request"].user, **validated_data))

    def update(self, instance, validated_data):
        for key, value in validated_data.items():
            setattr(instance, key, value)
        return self._save(instance)


class SavedFilterViewSet(viewsets.ModelViewSet):
    """Your saved filters of the project list. `query` is the list's filters as its query
    string (`region=south-asia&sector=rail`), checked like the list's and stored normalised;
    `is_default` marks the one your project list opens with (setting it unsets the previous
    one). Use one with `GET /api/projects/?saved=<id>`."""

    queryset = SavedFilter.objects.all()
    serializer_class = SavedFilterSerializer
    pagination_class = None

    def get_queryset(self):
        return SavedFilter.objects.owned_by(self.request.user)
