from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    """The change log across projects: every audited write, newest first (changes.log)."""

    name = "changes"
    verbose_name = _("Change log")
