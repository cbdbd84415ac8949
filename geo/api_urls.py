"""The geo API under /api/v1/ (these paths are a public contract)."""

from django.urls import path

from geo import api

urlpatterns = [
    path("regions/", api.RegionListView.as_view(), name="api-regions"),
    path("admin-units/", api.AdminUnitListView.as_view(), name="api-admin-units"),
    path("retail-points/", api.RetailPointCollectionView.as_view(), name="api-retail-points"),
    path("retail-points/nearest", api.NearestRetailPointsView.as_view(), name="api-retail-points-nearest"),
    path("retail-points/<int:pk>/", api.RetailPointDetailView.as_view(), name="api-retail-point"),
    path("retail-points/<int:pk>/verify", api.RetailPointVerifyView.as_view(), name="api-retail-point-verify"),
    path("retail-points/<int:pk>/suspend", api.RetailPointSuspendView.as_view(), name="api-retail-point-suspend"),
    path("geocode", api.GeocodeView.as_view(), name="api-geocode"),
]
