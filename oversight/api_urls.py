"""The oversight API under /api/v1/ (officials only)."""

from django.urls import path

from oversight import api

urlpatterns = [
    path("oversight/map/producers/", api.ProducerMarkersView.as_view(), name="api-oversight-markers"),
    path("oversight/map/unit-counts/", api.UnitCountsView.as_view(), name="api-oversight-unit-counts"),
    path("oversight/producers/<int:pk>/card", api.ProducerCardView.as_view(), name="api-oversight-card"),
]
