"""Officials' pages under /giam-sat/ (namespace "oversight"), the public list of participants and the open
data under /open-data/ (stable URLs: other sites link to them)."""

from django.urls import path

from oversight.views import cases, desk, inspect, map, monitor, moved, public, reports, verification

app_name = "oversight"
urlpatterns = [
    path("giam-sat/", desk.home, name="home"),
    path("giam-sat/ho-so/", desk.queue, name="queue"),
    path("giam-sat/ho-so/<int:pk>/", desk.producer_file, name="producer_file"),
    path("giam-sat/ho-so/<int:pk>/lich-khao-sat/", verification.schedule_survey, name="schedule_survey"),
    path("giam-sat/ho-so/<int:pk>/khao-sat/", verification.record_survey, name="record_survey"),
    path("giam-sat/ho-so/<int:pk>/quyet-dinh/<slug:action>/", verification.decide, name="decide"),
    path("giam-sat/ho-so/thay-doi/<int:pk>/<slug:action>/", verification.decide_change, name="change_decide"),
    path("giam-sat/ban-do/", map.map_page, name="map"),
    path("giam-sat/ban-do/co-so/<int:pk>/", map.card, name="map_card"),
    path("giam-sat/ban-do/xuat.csv", map.export_csv, name="map_export_csv"),
    path("giam-sat/ban-do/xuat.geojson", map.export_geojson, name="map_export_geojson"),
    path("giam-sat/theo-doi/", monitor.monitoring_page, name="monitoring"),
    path("giam-sat/doi-chieu/", monitor.checks_page, name="checks"),
    path("giam-sat/cai-dat/", monitor.settings_page, name="settings"),
    path("giam-sat/viec/", cases.case_list, name="cases"),
    path("giam-sat/viec/<int:pk>/", cases.case_detail, name="case"),
    path("giam-sat/viec/<int:pk>/giao/", cases.case_assign, name="case_assign"),
    path("giam-sat/viec/<int:pk>/xu-ly/", cases.case_investigate, name="case_investigate"),
    path("giam-sat/viec/<int:pk>/dong/", cases.case_close, name="case_close"),
    path("giam-sat/kiem-tra/", inspect.scanner, name="inspect"),
    path("giam-sat/kiem-tra/tem/<str:serial>/", inspect.stamp_view, name="inspect_stamp"),
    path("giam-sat/kiem-tra/ket-qua/<int:pk>/", inspect.finding_detail, name="finding"),
    path("giam-sat/danh-gia/", reports.evaluation_page, name="evaluation"),
    path("giam-sat/nhat-ky/", reports.audit_page, name="audit"),
    # Old addresses of the officials' pages that were tracing's: redirected here (oversight/views/moved.py).
    path("tham-dinh/", moved.queue, name="moved_queue"),
    path("tham-dinh/<int:pk>/", moved.producer_file, name="moved_producer_file"),
    path("tham-dinh/<int:pk>/lich-khao-sat/", moved.schedule_survey, name="moved_schedule_survey"),
    path("tham-dinh/<int:pk>/khao-sat/", moved.record_survey, name="moved_record_survey"),
    path("tham-dinh/<int:pk>/quyet-dinh/<slug:action>/", moved.decide, name="moved_decide"),
    path("tham-dinh/thay-doi/<int:pk>/<slug:action>/", moved.decide_change, name="moved_change_decide"),
    path("tem/nghi-van/", moved.flags, name="moved_flags"),
    path("tem/bao-cao/", moved.reports, name="moved_reports"),
    # Public
    path("danh-sach-tham-gia/", public.participants_page, name="participants"),
    path("open-data/", public.open_data_index, name="open_data"),
    path("open-data/producers.csv", public.open_data_csv, name="open_data_csv"),
    path("open-data/producers.json", public.open_data_json, name="open_data_json"),
    path("open-data/producers.geojson", public.open_data_geojson, name="open_data_geojson"),
    path("open-data/widget/", public.widget, name="widget"),
]
