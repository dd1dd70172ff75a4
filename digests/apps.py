from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestsConfig(AppConfig):
    """The daily email of what changed in what each user watches, with the responsible
    officers' reminders (manage.py send_digests): each change told once per watcher."""

    name = "digests"
    verbose_name = _("Digests")

    def ready(self):
        import digests.checks  # noqa: F401 (registers digests.E001)
