"""The watch pages' URLs (tracker/urls.py, before the portal's); the API's are in
tracker/api_router.py."""

from django.urls import path

from watches import views

app_name = "watches"

urlpatterns = [
    path("watches/", views.index, name="index"),
    path("watches/add/", views.add, name="add"),
    path("watches/toggle/", views.toggle, name="toggle"),
    path("watches/<int:pk>/remove/", views.remove, name="remove"),
]
