from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from countries.models import Country, Region
from projects.api.fields import CodeRelatedField, WriteSerializer


class RegionSerializer(WriteSerializer):
    label = serializers.CharField(source="name", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "label", "name_ja", "name_en", "order"]


class CountrySerializer(WriteSerializer):
    label = serializers.CharField(source="name", read_only=True)
    region = CodeRelatedField(slug_field="code", queryset=Region.objects.all())

    class Meta:
        model = Country
        fields = ["iso_code", "label", "name_ja", "name_en", "region"]
        extra_kwargs = {
            "iso_code": {
                "validators": [
                    RegexValidator(r"^[A-Z]{2}$", _("The ISO code is two capital letters.")),
                    UniqueValidator(queryset=Country.objects.all()),
                ],
            },
        }
