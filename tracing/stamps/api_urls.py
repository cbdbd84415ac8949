"""The stamp API under /api/v1/ (public contract; included from tracing/api_urls.py)."""

from django.urls import path

from tracing.stamps import api as stamp_api

urlpatterns = [
    path("stamps/activate", stamp_api.StampActivateView.as_view(), name="api-stamps-activate"),
    path("stamps/revoke", stamp_api.StampRevokeView.as_view(), name="api-stamps-revoke"),
    path("stamps/<str:serial>", stamp_api.StampVerifyView.as_view(), name="api-stamp"),
    path("stamps/<str:serial>/confirm", stamp_api.StampConfirmView.as_view(), name="api-stamp-confirm"),
    path("reports/", stamp_api.ReportCreateView.as_view(), name="api-reports"),
    path("stamp-runs/", stamp_api.StampRunListView.as_view(), name="api-stamp-runs"),
    path("stamp-runs/<int:pk>/", stamp_api.StampRunDetailView.as_view(), name="api-stamp-run"),
    path("stamp-runs/<int:pk>/print", stamp_api.StampRunPrintView.as_view(), name="api-stamp-run-print"),
]
