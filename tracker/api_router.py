"""The API under /api/: one router for every app's viewsets, the schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import APIRootView, DefaultRouter

from changes.api import ChangeViewSet
from countries.urls import router as countries_router
from digests.api import PreferenceView
from plans.api.views import EditionViewSet
from portal.api import SummaryView
from projects.api import views
from projects.api.imports import router_register as register_imports
from savedfilters.api import SavedFilterViewSet
from watches.api import WatchViewSet


class APIRoot(APIRootView):
    """The tracker's API: the endpoints below, the OpenAPI schema at /api/schema/ and its
    interactive docs at /api/docs/."""

    permission_classes = [IsAuthenticated]


router = DefaultRouter()
router.APIRootView = APIRoot
router.register("projects", views.ProjectViewSet, basename="project")
router.register(
    r"projects/(?P<project_pk>\d+)/developments",
    views.ProjectDevelopmentViewSet,
    basename="project-development",
)
router.register(
    r"projects/(?P<project_pk>\d+)/status-changes",
    views.ProjectStatusChangeViewSet,
    basename="project-status-change",
)
router.register("developments", views.DevelopmentViewSet, basename="development")
router.registry.extend(countries_router.registry)
router.register("sectors", views.SectorViewSet)
router.register("schemes", views.SchemeViewSet)
register_imports(router)
router.register("editions", EditionViewSet, basename="edition")
router.register("changes", ChangeViewSet, basename="change")
router.register("saved-filters", SavedFilterViewSet, basename="savedfilter")
router.register("watches", WatchViewSet, basename="watch")

urlpatterns = [
    path("", include(router.urls)),
    path("summary/", SummaryView.as_view(), name="summary"),
    path("digest-preference/", PreferenceView.as_view(), name="digest-preference"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its start-up script served as a file (docs/?script=), not inline: the
    # content security policy allows scripts from this host only.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("auth/", include("rest_framework.urls")),
]
