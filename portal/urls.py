"""The readers' pages, at the site's root (tracker/urls.py)."""

from django.urls import path

from portal.views.front import front

app_name = "portal"

urlpatterns = [
    path("", front, name="front"),
]
