from django.urls import path  # noqa: F401  (API routes are added here)

urlpatterns: list = []
