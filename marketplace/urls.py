from django.urls import path  # noqa: F401  (marketplace pages are added here)

app_name = "marketplace"
urlpatterns: list = []
