"""The geo REST API: regions, administrative units, retail points (map, nearest, writes), geocoding.

Views parse and check the input (400 naming the field), call geo.nearest / geo.containment / geo.geojson /
geo.services, and answer. GeoJSON bodies are built by PostgreSQL and passed through as text.
One module per resource: areas, retail_points, nearest, geocode; common holds what they share.
"""

from geo.api.areas import AdminUnitListView, RegionListView
from geo.api.geocode import GeocodeView
from geo.api.nearest import NearestRetailPointsView, nearest_extra_conditions
from geo.api.retail_points import (
    RetailPointCollectionView,
    RetailPointDetailView,
    RetailPointSuspendView,
    RetailPointVerifyView,
)

__all__ = [
    "AdminUnitListView",
    "GeocodeView",
    "NearestRetailPointsView",
    "RegionListView",
    "RetailPointCollectionView",
    "RetailPointDetailView",
    "RetailPointSuspendView",
    "RetailPointVerifyView",
    "nearest_extra_conditions",
]
