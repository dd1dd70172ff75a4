from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The readers' pages: the front page (the portfolio at a glance) and a project's page."""

    name = "portal"
    verbose_name = _("Overview")
