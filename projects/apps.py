from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, apps=None, **kwargs):
    from projects.roles import sync_roles

    # After `migrate <app> zero` the tables the roles live in may be gone; like Django's own
    # create_permissions, do nothing unless the migrated state has them.
    if apps is not None:
        try:
            apps.get_model("auth", "Group")
            apps.get_model("auth", "Permission")
            apps.get_model("contenttypes", "ContentType")
            apps.get_model("projects", "Project")
        except LookupError:
            return
    sync_roles()


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        # Permissions are created by auth's post_migrate handler; ours runs after it because
        # this app comes later in INSTALLED_APPS.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="projects.sync_roles")
        from projects import codes

        codes.connect()
