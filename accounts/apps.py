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
        # Django sends post_migrate once per app with a models module, in INSTALLED_APPS order,
        # and auth's handler creates that app's permissions. The administrator has every
        # permission, so the roles sync after the last of those apps (tokens today): synced
        # any earlier, a first migrate left the administrator without the later apps'.
        last = [config for config in self.apps.get_app_configs() if config.models_module is not None][-1]
        post_migrate.connect(_sync_roles, sender=last, dispatch_uid="accounts.sync_roles")
        from accounts import signals  # noqa: F401 -- connects the security log's login receivers
