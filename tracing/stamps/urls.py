"""Stamp pages: the public scan page (both link forms), guidance, reports, and the producers' and officials' desk.

Suspicious stamps and counterfeit reports are worked in oversight's queue (/giam-sat/viec/).

Included from tracing/urls.py (namespace "tracing"). The scan paths are printed in QR codes: never change them.
"""

from django.urls import path, re_path

from tracing import digital_link, resolver_views
from tracing.stamps import desk as stamp_desk
from tracing.stamps import views as stamp_views

# Every path that starts with a GS1 AI or a Digital Link 1.0 name goes to the resolver, which tells a
# bad request (400) from an unknown identifier (404) with the one parser (tracing.digital_link).
_GS1_PATHS = r"^(?:[0-9]{2,4}|" + "|".join(sorted(digital_link.ALIASES)) + r")/[\s\S]*\Z"

urlpatterns = [
    # Printed in QR codes (SITE_URL/t/{serial} and the GS1 Digital Link form): they resolve forever.
    # The code is anything up to the next "/" (one trailing "/" tolerated): the view and the parser decide.
    re_path(r"^t/(?P<code>[^/]*)/?\Z", stamp_views.scan_page, name="scan"),
    re_path(r"^t/(?P<code>[^/]{1,64})/xac-nhan\Z", stamp_views.scan_confirm, name="scan_confirm"),
    re_path(r"^t/(?P<code>[^/]{1,64})/vi-tri\Z", stamp_views.scan_locate, name="scan_locate"),
    re_path(r"^t/(?P<code>[^/]{1,64})/nguon-goc\.geojson\Z", stamp_views.scan_origin, name="scan_origin"),
    re_path(r"^t/[\s\S]*\Z", stamp_views.scan_extra_parts),
    re_path(_GS1_PATHS, resolver_views.digital_link_view, name="digital_link"),
    path(".well-known/gs1resolver", resolver_views.description_file, name="gs1_resolver_description"),
    path("kiem-tra-tem/", stamp_views.guide_check, name="guide_check"),
    path("kiem-tra-tem/ap-phich.pdf", stamp_views.guide_poster, name="guide_poster"),
    path("huong-dan-tem/", stamp_views.guide_producer, name="guide_producer"),
    path("bao-hang-gia/", stamp_views.report_page, name="report"),
    path("tem/", stamp_desk.stamps_home, name="stamps_home"),
    path("tem/phat-hanh/", stamp_desk.run_issue, name="stamp_run_issue"),
    path("tem/dot/<int:pk>/", stamp_desk.run_detail, name="stamp_run"),
    path("tem/dot/<int:pk>/ma-pin.csv", stamp_desk.run_pins, name="stamp_run_pins"),
    path("tem/kich-hoat/", stamp_desk.stamps_activate_page, name="stamps_activate"),
    path("tem/thu-hoi/", stamp_desk.stamps_revoke_page, name="stamps_revoke"),
    re_path(r"^tem/ma/(?P<code>[0-9A-Za-z-]{1,40})\.(?P<fmt>png|svg)$", stamp_desk.stamp_qr, name="stamp_qr"),
]
