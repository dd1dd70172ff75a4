from rest_framework.routers import SimpleRouter

from countries.views import CountryViewSet, RegionViewSet

router = SimpleRouter()
router.register("regions", RegionViewSet)
router.register("countries", CountryViewSet)

urlpatterns = router.urls
