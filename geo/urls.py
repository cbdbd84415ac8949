from django.urls import path  # noqa: F401  (pages are added here by the geo pages)

app_name = "geo"
urlpatterns: list = []
