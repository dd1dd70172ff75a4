"""The saved filters' page URLs (tracker/urls.py, before the portal's); the API's are in
tracker/api_router.py."""

from django.urls import path

from savedfilters import views

app_name = "savedfilters"

urlpatterns = [
    path("saved-filters/save/", views.save, name="save"),
]
