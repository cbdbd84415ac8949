"""Pages of tracing (Vietnamese paths, like the rest of the site). Namespace "tracing"."""

from django.urls import include, path, re_path

from tracing.views import catalogue, public
from tracing.views.producer import application, holdings, profile

app_name = "tracing"
urlpatterns: list = [
    # Stamps: the scan page (first: it is the busiest public path), activation, runs, guidance.
    re_path(r"", include("tracing.stamps.urls")),
    # Public: the participants, their products and the batches' journeys.
    path("nha-san-xuat/", public.producer_list, name="producers"),
    path("nha-san-xuat/ban-do.geojson", public.producers_geojson, name="producers_geojson"),
    path("nha-san-xuat/<int:pk>/", public.producer_page, name="producer"),
    path("nha-san-xuat/san-pham/<int:pk>/", public.product_page, name="product"),
    path("nha-san-xuat/lo/<int:pk>/", public.batch_page, name="batch"),
    # A producer's staff: the application and everything the organisation manages.
    path("co-so/dang-ky/", application.apply, name="producer_apply"),
    path("co-so/", application.my_producer, name="my_producer"),
    path("co-so/ho-so/", profile.producer_edit, name="producer_edit"),
    path("co-so/nop-lai/", application.reapply, name="producer_reapply"),
    path("co-so/thay-doi/<int:pk>/rut/", profile.change_withdraw, name="producer_change_withdraw"),
    path("co-so/chung-nhan/moi/", holdings.certificate_edit, name="certificate_new"),
    path("co-so/chung-nhan/<int:pk>/", holdings.certificate_edit, name="certificate_edit"),
    path("co-so/chung-nhan/<int:pk>/xoa/", holdings.certificate_delete, name="certificate_delete"),
    path("co-so/vung-san-xuat/moi/", holdings.area_edit, name="area_new"),
    path("co-so/vung-san-xuat/<int:pk>/", holdings.area_edit, name="area_edit"),
    path("co-so/vung-san-xuat/<int:pk>/xoa/", holdings.area_delete, name="area_delete"),
    path("co-so/san-pham/moi/", catalogue.product_edit, name="product_new"),
    path("co-so/san-pham/<int:pk>/", catalogue.product_edit, name="product_edit"),
    path("co-so/san-pham/<int:pk>/am-thanh/xoa/", catalogue.product_audio_delete, name="product_audio_delete"),
    path("co-so/anh/<int:pk>/xoa/", catalogue.product_photo_delete, name="product_photo_delete"),
    path("co-so/lo/moi/", catalogue.batch_new, name="batch_new"),
    path("co-so/lo/<int:pk>/", catalogue.batch_manage, name="batch_manage"),
    path("co-so/lo/<int:pk>/buoc/<int:event_pk>/", catalogue.batch_event_edit, name="batch_event_edit"),
    path("co-so/lo/<int:pk>/buoc/<int:event_pk>/xoa/", catalogue.batch_event_delete, name="batch_event_delete"),
    # The officials' pages (applications queue, a producer's file, survey, decisions) are oversight's:
    # oversight/urls.py, which also redirects their old /tham-dinh/ addresses.
]
