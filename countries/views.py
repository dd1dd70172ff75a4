from rest_framework import mixins, viewsets

from countries.models import Country, Region
from countries.serializers import CountrySerializer, RegionSerializer
from tracker.api import CODE_IN_PATH


class RegionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Regions: everyone with a role reads them, administrators add and change them."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    lookup_field = "code"
    lookup_value_regex = CODE_IN_PATH


class CountryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Countries, by ISO code: everyone with a role reads them, administrators add and change them."""

    queryset = Country.objects.select_related("region")
    serializer_class = CountrySerializer
    lookup_field = "iso_code"
    lookup_value_regex = r"[A-Za-z]{2}"
