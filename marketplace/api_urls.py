"""The marketplace API under /api/v1/ (these paths are a public contract)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from marketplace import api

router = SimpleRouter()
router.register("listings", api.ListingViewSet, basename="api-listing")
router.register("orders", api.OrderViewSet, basename="api-order")

urlpatterns = [
    path("cart/", api.CartView.as_view(), name="api-cart"),
    path("cart/items/", api.CartItemsView.as_view(), name="api-cart-items"),
    path("checkout/", api.CheckoutView.as_view(), name="api-checkout"),
    path("retail-points/<int:pk>/stock/", api.RetailStockView.as_view(), name="api-retail-stock"),
    path(
        "retail-points/<int:pk>/stock/<int:product_id>/authorisation",
        api.RetailStockAuthorisationView.as_view(),
        name="api-retail-stock-authorisation",
    ),
    *router.urls,
]
