from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        import projects.audit  # noqa: F401 (its receivers give each audit row its origin)
        from projects import codes

        codes.connect()
