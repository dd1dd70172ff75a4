from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SavedFiltersConfig(AppConfig):
    """The project list's filters a user saved under a name: the admin's list, the front page
    and the API (`?saved=<id>`) read the same rows."""

    name = "savedfilters"
    verbose_name = _("Saved filters")
