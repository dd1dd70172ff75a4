"""The readers' pages, at the site's root (tracker/urls.py)."""

app_name = "portal"

urlpatterns = []
