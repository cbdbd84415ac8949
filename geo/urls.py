from django.urls import path

from geo import views

app_name = "geo"
urlpatterns = [
    path("cua-hang/", views.find_shop, name="find_shop"),
    path("ban-do/", views.province_map, name="province_map"),
]
