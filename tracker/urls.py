from django.contrib import admin
from django.urls import include, path

from tracker.paths import API_PREFIX
from tracker.views import favicon

urlpatterns = [
    path("favicon.ico", favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path(API_PREFIX.removeprefix("/"), include("tracker.api_router")),
    path("", include("feeds.urls")),  # /feeds/: the key page and the Atom feeds
    path("", include("watches.urls")),  # /watches/
    path("", include("savedfilters.urls")),  # before the portal's: /saved-filters/save/
    path("", include("portal.urls")),
]

handler400 = "tracker.views.bad_request"
handler403 = "tracker.views.permission_denied"
handler404 = "tracker.views.page_not_found"
handler500 = "tracker.views.server_error"
