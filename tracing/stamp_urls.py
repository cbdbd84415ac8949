"""Stamp pages: the public scan page (both link forms), guidance, reports, and the producers' and officials' desk.

Included from tracing/urls.py (namespace "tracing"). The scan paths are printed in QR codes: never change them.
"""

from django.urls import path, re_path

from tracing import stamp_desk, stamp_views

urlpatterns = [
    # Printed in QR codes (SITE_URL/t/{serial} and the GS1 Digital Link form): they resolve forever.
    re_path(r"^t/(?P<code>[^/]{1,64})$", stamp_views.scan_page, name="scan"),
    re_path(r"^t/(?P<code>[^/]{1,64})/xac-nhan$", stamp_views.scan_confirm, name="scan_confirm"),
    re_path(r"^t/(?P<code>[^/]{1,64})/vi-tri$", stamp_views.scan_locate, name="scan_locate"),
    re_path(r"^t/(?P<code>[^/]{1,64})/nguon-goc\.geojson$", stamp_views.scan_origin, name="scan_origin"),
    re_path(r"^(?:01|gtin)/.*$", stamp_views.digital_link_page, name="digital_link"),
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
    path("tem/nghi-van/", stamp_desk.flags_page, name="stamp_flags"),
    path("tem/bao-cao/", stamp_desk.reports_page, name="stamp_reports"),
]
