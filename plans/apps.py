from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """The action plan's yearly editions and its text."""

    name = "plans"
    verbose_name = _("Action plan")
