"""Producer pages: the order desk (new orders first, actions, packing list, CSV, today's totals),
listings, selling terms and authorised resellers. Only the producer's own staff (or an administrator).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend import shortcuts
from marketplace import access, services
from marketplace.forms import ListingForm, ReasonForm, SellerProfileForm, ShipForm, StampSerialsForm
from marketplace.models import Listing, Order, OrderLine, OrderStatusChange, RetailStock, SellerProfile
from marketplace.packing import orders_csv, packing_list_pdf
from marketplace.workflow import ACTION_LABELS, ACTIONS, RELEASES_STOCK, OrderStatus, can_transition
from tracing.models import Producer

PAGE_SIZE = 50


def _producer(request) -> Producer:
    producer_id = access.producer_of(request.user)
    if producer_id is None:
        raise PermissionDenied(_("The order desk is for producers' staff."))
    return get_object_or_404(Producer, pk=producer_id)


def _own_order(request, pk: int) -> Order:
    producer = _producer(request)
    return get_object_or_404(
        Order.objects.select_related("producer", "pickup_point", "province", "commune", "buyer").prefetch_related(
            "lines", "stamp_serials", Prefetch("history", queryset=OrderStatusChange.objects.select_related("actor"))
        ),
        pk=pk,
        producer=producer,
    )


def _today_totals(producer: Producer) -> dict:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = Order.objects.filter(
        producer=producer, placed_at__gte=start, placed_at__lt=start + datetime.timedelta(days=1)
    )
    live = today.exclude(status__in=RELEASES_STOCK)
    figures = live.aggregate(orders=Count("pk"), total=Sum("total_vnd"))
    units = (
        OrderLine.objects.filter(order__in=live)
        .values("product_name", "unit")
        .annotate(quantity=Sum("quantity"))
        .order_by("product_name")
    )
    return {
        "orders": figures["orders"] or 0,
        "total_vnd": figures["total"] or 0,
        "cancelled": today.filter(status__in=RELEASES_STOCK).count(),
        "units": list(units),
    }


@login_required
@never_cache
@require_GET
def desk(request):
    producer = _producer(request)
    services.orders_expire(producer_id=producer.pk)  # overdue transfers are never shown as still open
    orders = Order.objects.filter(producer=producer).select_related("pickup_point").for_producer_desk()
    status = request.GET.get("status", "")
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/desk.html",
        {
            "producer": producer,
            "page": page,
            "status": status,
            "statuses": OrderStatus.choices,
            "totals": _today_totals(producer),
            "to_pack": Order.objects.filter(producer=producer, status=OrderStatus.CONFIRMED).count(),
        },
    )


def _available_actions(order: Order) -> list[tuple[str, str]]:
    actions = []
    for name, target in ACTIONS.items():
        if name == "expire" or not can_transition(order.status, target):
            continue
        if name == "ship" and order.delivery_method != Order.Delivery.HOME:
            continue
        if name == "ready" and order.delivery_method != Order.Delivery.PICKUP:
            continue
        actions.append((name, ACTION_LABELS[name]))
    if order.awaits_transfer:
        actions.insert(0, ("mark_paid", ACTION_LABELS["mark_paid"]))
    return actions


@login_required
@never_cache
@require_GET
def desk_order(request, pk: int):
    order = _own_order(request, pk)
    return render(
        request,
        "marketplace/desk_order.html",
        {
            "order": order,
            "actions": _available_actions(order),
            "reason_form": ReasonForm(),
            "ship_form": ShipForm(),
            "serials_form": StampSerialsForm(),
            "can_record_stamps": order.status
            in (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.READY_FOR_PICKUP, OrderStatus.COMPLETED),
        },
    )


@login_required
@require_POST
def desk_action(request, pk: int, action: str):
    order = _own_order(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if action == "mark_paid":
            services.order_mark_paid(by=request.user, order=order, reason=reason)
        elif action == "ship":
            ship = ShipForm(request.POST)
            if not ship.is_valid():
                raise ValidationError([m for errors in ship.errors.values() for m in errors])
            details = ship.cleaned_data
            services.order_transition(by=request.user, order=order, action=action, reason=reason, **details)
        elif action in ACTIONS and action != "expire":
            services.order_transition(by=request.user, order=order, action=action, reason=reason)
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        order.refresh_from_db()
        messages.success(
            request, _("Order %(ref)s: %(status)s.") % {"ref": order.reference, "status": order.get_status_display()}
        )
    return redirect("marketplace:desk_order", pk=order.pk)


@login_required
@require_POST
def desk_stamps(request, pk: int):
    order = _own_order(request, pk)
    form = StampSerialsForm(request.POST)
    if form.is_valid():
        try:
            rows = services.order_record_stamp_serials(
                by=request.user, order=order, serials=form.cleaned_data["serials"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(count)d stamp codes recorded.") % {"count": len(rows)})
    else:
        messages.error(request, _("Enter at least one stamp code."))
    return redirect("marketplace:desk_order", pk=order.pk)


def _orders_with_lines(queryset):
    return queryset.select_related("producer", "pickup_point", "province", "commune").prefetch_related("lines")


@login_required
@require_GET
def desk_packing_list(request, pk: int | None = None):
    """The packing list of one order, or of every confirmed order (what is to be packed now)."""
    producer = _producer(request)
    if pk is not None:
        orders = [_own_order(request, pk)]
        name = f"{orders[0].reference}.pdf"
    else:
        orders = list(
            _orders_with_lines(Order.objects.filter(producer=producer, status=OrderStatus.CONFIRMED)).order_by(
                "placed_at"
            )
        )
        name = f"packing-{timezone.localdate().isoformat()}.pdf"
    if not orders:
        messages.info(request, _("No confirmed orders to pack."))
        return redirect("marketplace:desk")
    response = HttpResponse(packing_list_pdf(orders), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
@require_GET
def desk_csv(request):
    producer = _producer(request)
    orders = _orders_with_lines(Order.objects.filter(producer=producer)).order_by("-placed_at", "-pk")
    response = HttpResponse(orders_csv(orders.iterator(chunk_size=500)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orders-{timezone.localdate().isoformat()}.csv"'
    return response


# --- listings, selling terms, resellers ----------------------------------------------------------------


@login_required
@require_GET
def seller_home(request):
    producer = _producer(request)
    listings = Listing.objects.filter(producer=producer).select_related("product").order_by("product__name_vi")
    profile = SellerProfile.objects.filter(producer=producer).first()
    can_sell = producer.status == Producer.Status.APPROVED
    return render(
        request,
        "marketplace/seller_home.html",
        {"producer": producer, "listings": listings, "profile": profile, "can_sell": can_sell},
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_edit(request, pk: int | None = None):
    producer = _producer(request)
    listing = get_object_or_404(Listing, pk=pk, producer=producer) if pk else None
    form = ListingForm(request.POST or None, instance=listing, producer=producer)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        points = data.pop("pickup_points", None)
        try:
            if listing is None:
                product = data.pop("product")
                services.listing_create(by=request.user, product=product, pickup_points=points, **data)
            else:
                services.listing_update(by=request.user, listing=listing, pickup_points=points, **data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("Listing saved."))
            return redirect("marketplace:seller_home")
    return render(
        request,
        "marketplace/listing_form.html",
        {"form": form, "listing": listing, "producer": producer},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def seller_settings(request):
    producer = _producer(request)
    profile = SellerProfile.objects.filter(producer=producer).first()
    form = SellerProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        areas = data.pop("delivery_areas")
        try:
            services.seller_profile_update(by=request.user, producer=producer, delivery_areas=areas, **data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("Selling terms saved."))
            return redirect("marketplace:seller_home")
    return render(
        request,
        "marketplace/seller_settings.html",
        {"form": form, "producer": producer},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def resellers(request):
    """Shops that declared one of the producer's products: authorise them, or withdraw the authorisation."""
    producer = _producer(request)
    if request.method == "POST":
        row = shortcuts.get_object_or_404(
            RetailStock.objects.select_related("retail_point", "product"),
            pk=request.POST.get("row"),
            product__producer=producer,
        )
        authorise = request.POST.get("authorised") == "1"
        services.retail_stock_authorise(
            by=request.user, retail_point=row.retail_point, product=row.product, authorised=authorise
        )
        messages.success(request, _("Authorised.") if authorise else _("Authorisation withdrawn."))
        return redirect("marketplace:resellers")
    rows = (
        RetailStock.objects.filter(product__producer=producer)
        .select_related("retail_point", "product")
        .order_by("authorised", "retail_point__name", "product__name_vi")
    )
    return render(request, "marketplace/resellers.html", {"producer": producer, "rows": rows})
