from django.urls import path  # noqa: F401  (marketplace API routes are added here)

urlpatterns: list = []
