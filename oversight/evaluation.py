"""The evaluation report for a period (plan III.9): figures, per product and per area, as a page, a CSV
and a PDF. The files are made by a background job (backend/jobs.py) that reports its progress.

Definitions (also printed in the report):
- participants joined: producers approved for the first time in the period (reinstatements excluded);
- products added: products created in the period; stamps: see oversight/monitoring.py;
- scans: public look-ups (reloads and staff scans left out); devices: scans per coarse device family
  (iphone, android, …) — the platform keeps nothing that identifies a device or a person;
- suspicious-scan rate: suspicious scans ÷ scans;
- reports received: counterfeit reports made in the period; resolved: closed in the period;
- orders: marketplace orders placed in the period; revenue: their totals (đồng), cancelled and expired
  orders left out. Per product the revenue is the goods only (delivery fees are per order).
- areas: the administrative unit of the chosen map each producer's position lies in (PostGIS).
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict

from django.core.files.base import ContentFile
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backend import csvfiles
from backend.bilingual import localised
from backend.formatting import decimal_text, percent
from backend.jobs import job_handler
from geo import oversight_queries
from geo.models import ProductKind
from marketplace.models import Order, OrderLine
from marketplace.workflow import OrderStatus
from oversight import monitoring
from oversight.filters import DISTRICT_MAP_DAY, choropleth_level
from tracing.models import CounterfeitReport, Producer, ProducerStatusChange, Product, Scan

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
NOT_COUNTED = (OrderStatus.CANCELLED, OrderStatus.EXPIRED)
MEASURES = ("issued", "activated", "scanned", "sold")


def _empty_row() -> dict:
    return {"joined": 0, "issued": 0, "activated": 0, "scanned": 0, "sold": 0, "orders": 0, "revenue_vnd": 0}


def evaluation_figures(
    *, since: datetime.date, until: datetime.date, area_day: datetime.date = DISTRICT_MAP_DAY, progress=None
) -> dict:
    """Every figure of the report for [since, until] (whole days, site time zone). ~15 queries."""
    step = progress or (lambda *args, **kwargs: None)
    start, end = monitoring.bounds(since, until)
    step(1, 6, gettext_noop("Participants"))
    joined = dict(
        ProducerStatusChange.objects.filter(
            to_status=Producer.Status.APPROVED,
            from_status=Producer.Status.SURVEYED,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values_list("producer_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    products_added = Product.objects.filter(created_at__gte=start, created_at__lt=end).count()
    step(2, 6, gettext_noop("Stamps"))
    stamps = monitoring.stamp_figures(since=since, until=until)
    step(3, 6, gettext_noop("Scans and reports"))
    scans = Scan.objects.filter(scanned_at__gte=start, scanned_at__lt=end, repeat=False).exclude(
        channel=Scan.Channel.STAFF
    )
    scan_totals = scans.aggregate(total=Count("pk"), suspicious=Count("pk", filter=Q(verdict=Scan.Verdict.SUSPICIOUS)))
    devices = dict(scans.values_list("device_family").annotate(n=Count("pk")).order_by("-n", "device_family"))
    reports_received = CounterfeitReport.objects.filter(created_at__gte=start, created_at__lt=end).count()
    reports_resolved = CounterfeitReport.objects.filter(
        status=CounterfeitReport.Status.CLOSED, reviewed_at__gte=start, reviewed_at__lt=end
    ).count()
    step(4, 6, gettext_noop("Orders"))
    orders = Order.objects.filter(placed_at__gte=start, placed_at__lt=end).exclude(status__in=NOT_COUNTED)
    order_totals = orders.aggregate(n=Count("pk"), revenue=Sum("total_vnd"))
    orders_by_producer = {
        pid: (n, revenue or 0)
        for pid, n, revenue in orders.values_list("producer_id").annotate(n=Count("pk"), r=Sum("total_vnd")).order_by()
    }
    lines_by_kind = {
        kind_id: (n, revenue or 0)
        for kind_id, n, revenue in OrderLine.objects.filter(order__in=orders)
        .values_list("listing__product__kind_id")
        .annotate(n=Count("order", distinct=True), r=Sum("line_total_vnd"))
        .order_by()
    }
    step(5, 6, gettext_noop("Products and areas"))
    kinds = {k.pk: k for k in ProductKind.objects.all()}
    product_kind = dict(
        Product.objects.filter(pk__in={k[2] for k in stamps.cells if k[2]}).values_list("pk", "kind_id")
    )
    per_kind: dict = defaultdict(_empty_row)
    per_area: dict = defaultdict(_empty_row)
    level = choropleth_level(area_day)
    unit_of = oversight_queries.unit_of_points(Producer.objects.all(), level=level, valid_on=area_day)
    outside = _("outside the map")
    for (_month, producer_id, product_id), counts in stamps.cells.items():
        kind = kinds.get(product_kind.get(product_id))
        kind_name = localised(kind, "name") if kind else _("product not specified")
        area_name = unit_of.get(producer_id, (None, outside))[1]
        for measure in MEASURES:
            per_kind[kind_name][measure] += counts[measure]
            per_area[area_name][measure] += counts[measure]
    for kind_id, (n, revenue) in lines_by_kind.items():
        name = localised(kinds[kind_id], "name") if kind_id in kinds else _("product not specified")
        per_kind[name]["orders"] += n
        per_kind[name]["revenue_vnd"] += revenue
    for producer_id, (n, revenue) in orders_by_producer.items():
        area_name = unit_of.get(producer_id, (None, outside))[1]
        per_area[area_name]["orders"] += n
        per_area[area_name]["revenue_vnd"] += revenue
    for producer_id in joined:
        per_area[unit_of.get(producer_id, (None, outside))[1]]["joined"] += 1
    totals = stamps.totals()
    step(6, 6, gettext_noop("Done"))
    total_scans = scan_totals["total"]
    return {
        "since": since,
        "until": until,
        "area_level": level,
        "participants_joined": len(joined),
        "participants_now": Producer.objects.filter(status=Producer.Status.APPROVED).count(),
        "products_added": products_added,
        "stamps_issued": totals["issued"],
        "stamps_activated": totals["activated"],
        "stamps_scanned": totals["scanned"],
        "stamps_sold": totals["sold"],
        "scans": total_scans,
        "suspicious_scans": scan_totals["suspicious"],
        "suspicious_rate": (scan_totals["suspicious"] / total_scans) if total_scans else 0.0,
        "devices": devices,
        "reports_received": reports_received,
        "reports_resolved": reports_resolved,
        "orders": order_totals["n"],
        "revenue_vnd": order_totals["revenue"] or 0,
        "per_product": sorted(per_kind.items()),
        "per_area": sorted(per_area.items()),
        "by_month": stamps.by_month(),
    }


def headline(figures: dict) -> list[tuple[str, str, object]]:
    """(key, label, value) of the report's headline figures, in order."""
    return [
        ("participants_joined", _("Participants joined"), figures["participants_joined"]),
        ("participants_now", _("Participants approved today"), figures["participants_now"]),
        ("products_added", _("Products added"), figures["products_added"]),
        ("stamps_issued", _("Stamps issued"), figures["stamps_issued"]),
        ("stamps_activated", _("Stamps activated"), figures["stamps_activated"]),
        ("stamps_scanned", _("Scans of stamps"), figures["stamps_scanned"]),
        ("stamps_sold", _("Stamps sold"), figures["stamps_sold"]),
        ("device_families", _("Device families scanning"), len([k for k in figures["devices"] if k])),
        ("suspicious_rate", _("Suspicious-scan rate"), percent(figures["suspicious_rate"] * 100)),
        ("reports_received", _("Counterfeit reports received"), figures["reports_received"]),
        ("reports_resolved", _("Counterfeit reports resolved"), figures["reports_resolved"]),
        ("orders", _("Marketplace orders"), figures["orders"]),
        ("revenue_vnd", _("Revenue (đồng)"), figures["revenue_vnd"]),
    ]


BREAKDOWN_COLUMNS = ("joined", "issued", "activated", "scanned", "sold", "orders", "revenue_vnd")


def as_csv(figures: dict) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csvfiles.writer(buffer)
    writer.writerow(["section", "name", *BREAKDOWN_COLUMNS])
    writer.writerow(["period", f"{figures['since'].isoformat()}/{figures['until'].isoformat()}"])
    for key, _label, value in headline(figures):
        # The file is read by programs: the rate as it always was ("33.3%"), whatever the page's language.
        if key == "suspicious_rate":
            value = f"{figures['suspicious_rate'] * 100:.1f}%"
        writer.writerow(["total", key, value])
    for family, count in figures["devices"].items():
        writer.writerow(["device_family", family or "unknown", count])
    for section in ("per_product", "per_area"):
        for name, row in figures[section]:
            writer.writerow([section, name, *(row[c] for c in BREAKDOWN_COLUMNS)])
    for month, counts in figures["by_month"]:
        writer.writerow(["month", month.strftime("%Y-%m"), "", *(counts[m] for m in MEASURES)])
    return buffer.getvalue()


def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", FONT_DIR + "DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", FONT_DIR + "DejaVuSans-Bold.ttf"))
    return "DejaVuSans", "DejaVuSans-Bold"


def _month_chart(figures: dict, font: str):
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    from oversight.charts import PALETTE

    drawing = Drawing(480, 200)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, 420, 130
    chart.data = [[counts[m] for _month, counts in figures["by_month"]] or [0] for m in MEASURES]
    chart.categoryAxis.categoryNames = [month.strftime("%m/%y") for month, _c in figures["by_month"]] or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    for index in range(len(MEASURES)):
        chart.bars[index].fillColor = colors.HexColor(PALETTE[index])
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y, legend.fontName, legend.fontSize = 40, 195, font, 8
    legend.alignment, legend.columnMaximum = "right", 1
    labels = [_("issued"), _("activated"), _("scanned"), _("sold")]
    legend.colorNamePairs = [(colors.HexColor(PALETTE[i]), labels[i]) for i in range(len(MEASURES))]
    drawing.add(legend)
    return drawing


def as_pdf(figures: dict) -> bytes:
    """The report as an A4 PDF (reportlab, DejaVu Sans for Vietnamese letters)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font, bold = _fonts()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    title = ParagraphStyle("title", fontName=bold, fontSize=15, leading=19, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=bold, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4)
    table_style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTNAME", (0, 0), (-1, 0), bold),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#cfd8d3")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f3ec")),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ]
    )

    def number(value):
        return decimal_text(value) if isinstance(value, int) else str(value)

    story = [
        Paragraph(_("Evaluation report: electronic traceability stamps in Hà Giang"), title),
        Paragraph(
            _("Period: %(since)s to %(until)s. Made on %(today)s.")
            % {
                "since": date_format(figures["since"], "SHORT_DATE_FORMAT"),
                "until": date_format(figures["until"], "SHORT_DATE_FORMAT"),
                "today": date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
            },
            body,
        ),
        Paragraph(_("Figures"), heading),
        Table(
            [[_("Figure"), _("Value")], *[[label, number(v)] for _k, label, v in headline(figures)]],
            colWidths=[110 * mm, 50 * mm],
            style=table_style,
        ),
        Paragraph(_("Stamps per month"), heading),
        _month_chart(figures, font),
    ]
    header = [
        _("Name"),
        _("joined"),
        _("issued"),
        _("activated"),
        _("scanned"),
        _("sold"),
        _("orders"),
        _("revenue (đồng)"),
    ]
    for key, label in (("per_product", _("Per product")), ("per_area", _("Per area"))):
        rows = [[name, *(number(row[c]) for c in BREAKDOWN_COLUMNS)] for name, row in figures[key]]
        story += [
            Paragraph(label, heading),
            Table([header, *rows] if rows else [header], style=table_style, repeatRows=1),
        ]
    if figures["devices"]:
        story += [
            Paragraph(_("Scans per device family"), heading),
            Table(
                [[_("Device family"), _("Scans")], *[[k or "—", number(v)] for k, v in figures["devices"].items()]],
                style=table_style,
            ),
        ]
    story += [Spacer(1, 6), Paragraph(_("Definitions: see the report page. No personal data is included."), body)]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, title="Evaluation").build(story)
    return buffer.getvalue()


@job_handler(attempts=3)
def evaluation_report_job(
    job, progress, *, since: str, until: str, fmt: str, area_day: str = "", language: str = "vi"
) -> None:
    """Background job: compute the figures (with progress), then write the PDF or CSV as the job's file."""
    from django.utils import translation

    since_day, until_day = datetime.date.fromisoformat(since), datetime.date.fromisoformat(until)
    day = datetime.date.fromisoformat(area_day) if area_day else DISTRICT_MAP_DAY
    with translation.override(language):
        figures = evaluation_figures(since=since_day, until=until_day, area_day=day, progress=progress)
        name = f"evaluation-{since}-{until}"
        if fmt == "pdf":
            job.result_file.save(f"{name}.pdf", ContentFile(as_pdf(figures)), save=False)
        else:
            job.result_file.save(f"{name}.csv", ContentFile(as_csv(figures).encode("utf-8")), save=False)
    job.result = {
        "participants_joined": figures["participants_joined"],
        "stamps_activated": figures["stamps_activated"],
        "orders": figures["orders"],
        "revenue_vnd": figures["revenue_vnd"],
    }
