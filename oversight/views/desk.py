"""The officials' home, the verification desk (THE applications queue, by status and age) and THE
producer's file: everything about one producer, with the next-step forms of oversight/views/verification.py.
"""

from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.db.models import Count, Min, Q, Sum
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from marketplace.models import Order
from marketplace.workflow import OrderStatus
from oversight import audit, charts, checks, mapdata, monitoring
from oversight.models import Case, InspectionFinding
from oversight.views.common import official_required
from oversight.views.verification import changes_waiting, verification_context
from tracing.models import Batch, CounterfeitReport, Producer, Product, SuspicionFlag
from tracing.models.stamps import StampStatus

WAITING = (Producer.Status.APPLIED, Producer.Status.SURVEY_SCHEDULED, Producer.Status.SURVEYED)
#: Days after which a waiting application is shown as overdue.
OVERDUE_DAYS = 14
PAGE_SIZE = 50


@require_GET
@official_required
def home(request):
    """What needs an official today: applications waiting, open cases, anomalies, certificates expiring."""
    today = timezone.localdate()
    waiting = Producer.objects.filter(status__in=WAITING).aggregate(n=Count("pk"), oldest=Min("status_changed_at"))
    open_cases = Case.objects.exclude(status=Case.Status.CLOSED)
    context = {
        "waiting": waiting["n"],
        "oldest_days": (timezone.now() - waiting["oldest"]).days if waiting["oldest"] else None,
        "open_cases": open_cases.count(),
        "my_cases": open_cases.filter(assignee=request.user).count(),
        "unassigned": open_cases.filter(assignee__isnull=True).count(),
        "approved": Producer.objects.filter(status=Producer.Status.APPROVED).count(),
        "expiring": Producer.objects.filter(
            certificates__valid_to__gte=today, certificates__valid_to__lte=today + datetime.timedelta(days=30)
        )
        .distinct()
        .count(),
    }
    return render(request, "oversight/home.html", context)


@require_GET
@official_required
def queue(request):
    """Applications by status, the longest-waiting first, with their age; overdue ones stand out."""
    status = request.GET.get("status", "")
    producers = Producer.objects.select_related("commune", "commune__parent").order_by("status_changed_at", "pk")
    if status in Producer.Status.values:
        producers = producers.filter(status=status)
    else:
        status = ""
        producers = producers.filter(status__in=WAITING)
    summary = {
        row["status"]: row
        for row in Producer.objects.values("status").annotate(n=Count("pk"), oldest=Min("status_changed_at")).order_by()
    }
    now = timezone.now()
    tabs = []
    for value, label in Producer.Status.choices:
        row = summary.get(value, {"n": 0, "oldest": None})
        tabs.append((value, label, row["n"], (now - row["oldest"]).days if row["oldest"] else None))
    page = Paginator(producers, PAGE_SIZE).get_page(request.GET.get("page"))
    for producer in page:
        producer.waiting_days = (now - producer.status_changed_at).days
        producer.overdue = producer.status in WAITING and producer.waiting_days > OVERDUE_DAYS
    return render(
        request,
        "oversight/queue.html",
        {
            "page": page,
            "changes": changes_waiting(now),
            "status": status,
            "tabs": tabs,
            "waiting_count": sum(summary.get(v, {"n": 0})["n"] for v in WAITING),
            "overdue_days": OVERDUE_DAYS,
            "query": f"status={status}" if status else "",
        },
    )


@require_GET
@official_required
def producer_file(request, pk: int):
    """Everything about one producer on one page: organisation, certificates, areas, surveys, history,
    with the next-step forms (verification), then stamps, cases, orders, cross-checks, inspections, audit."""
    producer = get_object_or_404(Producer.objects.select_related("commune", "commune__parent"), pk=pk)
    return render(request, "oversight/producer_file.html", file_context(producer))


def file_context(producer: Producer, **forms) -> dict:
    """The file's context; `forms` are refused forms to show again with their errors (verification)."""
    context = verification_context(producer, **forms)
    card = mapdata.producer_card(producer)
    today = timezone.localdate()
    figures = monitoring.stamp_figures(
        since=monitoring.add_months(monitoring.month_start(today), -11), until=today, producer=producer
    )
    months = figures.by_month()
    chart = charts.bar_chart(
        [m.strftime("%m/%y") for m, _c in months],
        [(label, [c[key] for _m, c in months]) for key, label in _measure_labels()],
        title=producer.name,
    )
    cases = (
        Case.objects.filter(Q(flag__stamp__run__producer=producer) | Q(report__stamp__run__producer=producer))
        .select_related("flag__stamp", "report", "assignee")
        .order_by("status", "-opened_at")[:50]
    )
    orders = Order.objects.filter(producer=producer)
    order_figures = orders.exclude(status__in=(OrderStatus.CANCELLED, OrderStatus.EXPIRED)).aggregate(
        n=Count("pk"), revenue=Sum("total_vnd")
    )
    batches = (
        Batch.objects.filter(producer=producer)
        .select_related("product")
        .annotate(active=Count("stamps", filter=Q(stamps__status__in=(StampStatus.ACTIVATED, StampStatus.SOLD))))
        .order_by("-harvest_started_on", "-pk")[:20]
    )
    anomalies = [a for found in checks.all_anomalies(producer_id=producer.pk).values() for a in found]
    context.update(
        {
            "card": card,
            "stamp_chart": chart,
            "cases": cases,
            "order_count": order_figures["n"],
            "revenue_vnd": order_figures["revenue"] or 0,
            "recent_orders": orders.order_by("-placed_at")[:10],
            "products": Product.objects.filter(producer=producer).select_related("kind").order_by("name_vi"),
            "batches": batches,
            "anomalies": anomalies,
            "findings": InspectionFinding.objects.filter(stamp__run__producer=producer).select_related(
                "retail_point", "inspector"
            )[:20],
            "audit_entries": audit.search(target_type="tracing.producer", target_id=str(producer.pk))[:50],
            "open_reports": CounterfeitReport.objects.filter(stamp__run__producer=producer)
            .exclude(status=CounterfeitReport.Status.CLOSED)
            .count(),
            "open_flags": SuspicionFlag.objects.filter(stamp__run__producer=producer, resolved_at__isnull=True).count(),
        }
    )
    return context


def _measure_labels():
    from django.utils.translation import gettext as _

    return [("issued", _("issued")), ("activated", _("activated")), ("scanned", _("scanned")), ("sold", _("sold"))]
