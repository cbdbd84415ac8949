from django.urls import include, path
from rest_framework.routers import SimpleRouter

from tracing.api.batches import BatchViewSet
from tracing.api.holdings import CertificateViewSet, ProductionAreaViewSet
from tracing.api.producers import ProducerViewSet
from tracing.api.products import ProductViewSet

router = SimpleRouter()
router.register("producers", ProducerViewSet, basename="producer")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("production-areas", ProductionAreaViewSet, basename="production-area")
router.register("products", ProductViewSet, basename="product")
router.register("batches", BatchViewSet, basename="batch")

urlpatterns = [*router.urls, path("", include("tracing.stamps.api_urls"))]
