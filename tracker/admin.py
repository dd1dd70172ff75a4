"""The admin site: the projects first in its menu, "View site" leading to the API root, and no
navigation sidebar (it took a fifth of a 1440-px screen from the project list; the header's
breadcrumbs and the index lead everywhere it did)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import NoReverseMatch, reverse

# Apps in the order a desk officer needs them; apps not named come after, by name.
APP_ORDER = ["projects", "changes", "countries", "tokens", "auth", "axes"]
# Within the projects app: the projects first, then the imports that feed them.
MODEL_ORDER = {"project": 0, "importbatch": 1}


def front_page_url() -> str:
    try:
        return reverse("portal:front")
    except NoReverseMatch:  # a URL configuration without the portal (some tests)
        return reverse("admin:index")


class TrackerAdminSite(admin.AdminSite):
    enable_nav_sidebar = False

    @property
    def site_url(self):
        try:
            return reverse("api-root")
        except NoReverseMatch:  # a URL configuration without the API (some tests)
            return "/"

    def get_urls(self):
        from changes.admin_views import urls

        return urls(self) + super().get_urls()

    def login(self, request, extra_context=None):
        # Logging in without a `next` lands on the front page (the readers' overview), not the
        # admin's index; the index stays at /admin/ and in the site's navigation.
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            extra_context = {REDIRECT_FIELD_NAME: front_page_url(), **(extra_context or {})}
        return super().login(request, extra_context)

    def get_app_list(self, request, app_label=None):
        from changes.admin_views import app_entry

        apps = super().get_app_list(request, app_label)
        change_log = app_entry(request, self) if app_label in (None, "changes") else None
        if change_log is not None:
            apps.append(change_log)  # the change log's page (changes.admin_views)
        rank = {label: index for index, label in enumerate(APP_ORDER)}
        apps.sort(key=lambda app: (rank.get(app["app_label"], len(rank)), str(app["name"])))
        for app in apps:
            app["models"].sort(
                key=lambda model: (
                    MODEL_ORDER.get(model["object_name"].lower(), len(MODEL_ORDER)),
                    str(model["name"]),
                )
            )
        return apps


class TrackerAdminConfig(AdminConfig):
    default_site = "tracker.admin.TrackerAdminSite"

    def ready(self):
        super().ready()
        # The tracker package is not an app of its own: the one AppConfig it has registers
        # the project-wide system checks.
        from tracker import checks  # noqa: F401
