from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, apps=None, **kwargs):
    from accounts.roles import sync_roles

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


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        # Django sends post_migrate only for apps with a models module, and this app has none:
        # the roles sync after the projects app's, as they did when they lived there. Permissions
        # are created by auth's post_migrate handler, which runs before it.
        post_migrate.connect(
            _sync_roles, sender=self.apps.get_app_config("projects"), dispatch_uid="accounts.sync_roles"
        )
        from accounts import signals  # noqa: F401 -- connects the security log's login receivers
