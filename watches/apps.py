from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchesConfig(AppConfig):
    """What each user watches: projects, countries, regions, sectors or schemes. The digests
    and the feeds read it (watches.query); a project's responsible officers watch it."""

    name = "watches"
    verbose_name = _("Watches")

    def ready(self):
        import watches.signals  # noqa: F401 (responsible officers watch their projects)
