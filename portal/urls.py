"""The readers' pages, at the site's root (tracker/urls.py)."""

from django.urls import path

from portal.views.front import front
from portal.views.project import ProjectPageView

app_name = "portal"

urlpatterns = [
    path("projects/<int:number>/", ProjectPageView.as_view(), name="project"),
    path("", front, name="front"),
]
