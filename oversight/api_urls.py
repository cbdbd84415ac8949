from django.urls import path  # noqa: F401  (oversight API routes are added here)

urlpatterns: list = []
