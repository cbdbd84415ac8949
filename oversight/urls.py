from django.urls import path  # noqa: F401  (officials' pages are added here)

app_name = "oversight"
urlpatterns: list = []
