"""The feeds' URLs (tracker/urls.py): the key page and the Atom feeds, opened by a key."""

from django.urls import path, re_path

from feeds import views
from feeds.feeds import developments_feed, watching_feed

app_name = "feeds"

# A key is the library's "<prefix>.<secret>", letters and digits; anything else is not one.
KEY = r"(?P<key>[A-Za-z0-9]{1,64}\.[A-Za-z0-9]{1,128}|KEY)"

urlpatterns = [
    path("feeds/", views.subscriptions, name="subscriptions"),
    path("feeds/keys/<str:prefix>/revoke/", views.revoke, name="revoke"),
    re_path(rf"^feeds/{KEY}/developments\.atom$", developments_feed, name="developments"),
    re_path(rf"^feeds/{KEY}/watching\.atom$", watching_feed, name="watching"),
]
