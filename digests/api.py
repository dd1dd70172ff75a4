"""/api/digest-preference/: the requesting user's digest preference (language, on or off)."""

from rest_framework import generics, serializers

from digests.models import Preference


class PreferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Preference
        fields = ["language", "enabled"]


class PreferenceView(generics.RetrieveUpdateAPIView):
    """Your digest preference: `language` (ja or en) and `enabled`. No row yet: the defaults."""

    queryset = Preference.objects.all()  # its model, for tracker.api.ModelPermissions
    serializer_class = PreferenceSerializer
    pagination_class = None

    def get_object(self):
        preference, _created = Preference.objects.get_or_create(user=self.request.user)
        return preference
