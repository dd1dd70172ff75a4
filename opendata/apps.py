from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    """The projects in the open-data standards OC4IDS 0.9.5 (JSON) and IATI 2.03 (XML)."""

    name = "opendata"
    verbose_name = _("Open data")
