"""Buyer pages: catalogue, product page, cart, checkout, and following an order."""

from __future__ import annotations

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from geo.coordinates import validate_lat_lng
from geo.models import AdminUnit, RetailPoint
from geo.nearest import nearest_retail_points
from geo.views import format_distance
from marketplace import services
from marketplace.catalogue import CatalogueFilters, catalogue, filter_choices
from marketplace.forms import AddToCartForm, CatalogueForm, CheckoutForm, ReasonForm
from marketplace.locator import genuine_in_stock
from marketplace.models import Checkout, Listing, Order, OrderStatusChange, SellerProfile
from marketplace.payments import order_transfer, order_vietqr_payload, vietqr_png
from marketplace.workflow import OrderStatus
from tracing.models import Batch, Certificate

PAGE_SIZE = 24
CHECKOUTS_SESSION_KEY = "marketplace_checkouts"


def _location(request) -> tuple[float, float] | None:
    try:
        return validate_lat_lng(request.GET["lat"], request.GET["lng"])
    except (KeyError, ValueError):
        return None


@require_GET
def catalogue_page(request):
    choices = filter_choices()
    form = CatalogueForm(request.GET or None, choices=choices)
    filters = CatalogueFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = CatalogueFilters(
            q=data["q"],
            kind=data["kind"].code if data["kind"] else "",
            producer=data["producer"],
            area=data["area"],
            certificate=data["certificate"],
            in_season=data["in_season"],
        )
    page = Paginator(catalogue(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "marketplace/catalogue.html",
        {"form": form, "page": page, "query": query.urlencode(), "searching": form.is_bound},
    )


def _nearest(lat_lng, *, extra: Q, limit: int = 5) -> list:
    if lat_lng is None:
        return []
    points = nearest_retail_points(lat=lat_lng[0], lng=lat_lng[1], limit=limit, extra=extra)
    return [(point, format_distance(point.distance_m)) for point in points]


@require_GET
def listing_page(request, pk: int):
    listing = get_object_or_404(
        Listing.objects.public().select_related(
            "product__kind", "product__producer__commune", "product__growing_region"
        ),
        pk=pk,
    )
    product = listing.product
    lat_lng = _location(request)
    pickup_q = Q(pickup_listings=listing)
    if lat_lng:
        pickup = _nearest(lat_lng, extra=pickup_q)
        resellers = _nearest(lat_lng, extra=genuine_in_stock(product_id=product.pk))
    else:
        pickup = [(p, "") for p in RetailPoint.objects.public().filter(pickup_q).order_by("name")[:10]]
        resellers = [
            (p, "")
            for p in RetailPoint.objects.public().filter(genuine_in_stock(product_id=product.pk)).order_by("name")[:10]
        ]
    today = timezone.localdate()
    context = {
        "listing": listing,
        "product": product,
        "producer": product.producer,
        "photos": list(product.photos.all()),
        "certificates": list(product.certificates.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))),
        "producer_certificates": list(Certificate.objects.valid_on(today).filter(producer=product.producer_id)),
        "batches": list(Batch.objects.public().filter(product=product).order_by("-harvest_started_on")[:3]),
        "pickup_points": pickup,
        "resellers": resellers,
        "located": lat_lng is not None,
        "form": AddToCartForm(initial={"listing": listing.pk, "quantity": listing.min_per_order}),
        "season": listing.season_state(),
    }
    return render(request, "marketplace/listing.html", context)


@require_POST
def cart_add(request):
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a quantity of 1 or more."))
        return redirect("marketplace:catalogue")
    listing = form.cleaned_data["listing"]
    cart = services.cart_for_request(request, create=True)
    try:
        services.cart_add(cart=cart, listing=listing, quantity=form.cleaned_data["quantity"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("marketplace:listing", pk=listing.pk)
    messages.success(request, _("Added to your cart."))
    return redirect("marketplace:cart")


def _group_by_producer(items) -> OrderedDict:
    groups: OrderedDict = OrderedDict()
    for item in items:
        groups.setdefault(item.listing.producer, []).append(item)
    return groups


@never_cache
@require_http_methods(["GET", "POST"])
def cart_page(request):
    cart = services.cart_for_request(request)
    if request.method == "POST" and cart is not None:
        problems = []
        for item in services.cart_lines(cart):
            raw = request.POST.get(f"quantity_{item.listing_id}")
            if raw is None:
                continue
            try:
                quantity = int(raw)
                services.cart_set_quantity(cart=cart, listing=item.listing, quantity=quantity)
            except ValueError:
                problems.append(_("Enter a whole number."))
            except ValidationError as error:
                problems.append(f"{item.listing.product.name_vi}: {' '.join(error.messages)}")
        for problem in problems:
            messages.error(request, problem)
        if not problems:
            messages.success(request, _("Cart updated."))
        return redirect("marketplace:cart")
    items = services.cart_lines(cart)
    groups = [
        {"producer": producer, "items": group, "subtotal": sum(i.listing.price_vnd * i.quantity for i in group)}
        for producer, group in _group_by_producer(items).items()
    ]
    for group in groups:
        for item in group["items"]:
            item.line_total = item.listing.price_vnd * item.quantity
    total = sum(group["subtotal"] for group in groups)
    return render(request, "marketplace/cart.html", {"groups": groups, "total": total})


def _delivery_places(producers) -> tuple:
    """The provinces (any of Viet Nam's) and the communes we hold where at least one of the producers
    delivers to homes: its delivery areas, or everywhere when it also delivers elsewhere in Viet Nam."""
    profiles = list(SellerProfile.objects.filter(producer__in=producers).prefetch_related("delivery_areas"))
    current = AdminUnit.objects.current()
    provinces = current.filter(level=AdminUnit.Level.PROVINCE)
    communes = current.filter(level=AdminUnit.Level.COMMUNE, parent__level=AdminUnit.Level.PROVINCE)
    if not any(profile.nationwide_fee_vnd is not None for profile in profiles):
        areas = [unit for profile in profiles for unit in profile.delivery_areas.all()]
        whole = {unit.pk for unit in areas if unit.level == AdminUnit.Level.PROVINCE}
        some = {unit.pk for unit in areas if unit.level == AdminUnit.Level.COMMUNE}
        provinces = provinces.filter(Q(pk__in=whole) | Q(children__in=some)).distinct()
        communes = communes.filter(Q(parent_id__in=whole) | Q(pk__in=some))
    return provinces.order_by("name"), communes.select_related("parent").order_by("parent__name", "name")


def _checkout_form(request, cart, data=None):
    items = services.cart_lines(cart)
    groups = _group_by_producer(items)
    lat_lng = _location(request)
    pickup_choices = {}
    for producer, group in groups.items():
        points = RetailPoint.objects.public()
        for item in group:
            points = points.filter(pickup_listings=item.listing_id)
        if lat_lng:
            nearest = nearest_retail_points(
                lat=lat_lng[0], lng=lat_lng[1], limit=20, extra=Q(pk__in=points.values("pk"))
            )
            pickup_choices[producer] = [(p, format_distance(p.distance_m)) for p in nearest]
        else:
            pickup_choices[producer] = [(p, "") for p in points.order_by("name")[:20]]
    provinces, communes = _delivery_places(list(groups))
    initial = {"checkout_token": CheckoutForm.new_token()}
    if request.user.is_authenticated:
        initial["email"] = request.user.email
        initial["contact_name"] = request.user.get_full_name()
    form = CheckoutForm(data, initial=initial, provinces=provinces, communes=communes, pickup_choices=pickup_choices)
    return form, groups, items


@never_cache
@require_http_methods(["GET", "POST"])
def checkout_page(request):
    cart = services.cart_for_request(request)
    if cart is None or not cart.items.exists():
        messages.info(request, _("Your cart is empty."))
        return redirect("marketplace:cart")
    form, groups, items = _checkout_form(request, cart, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.checkout_place(
                cart=cart,
                buyer=request.user,
                token=data["checkout_token"],
                contact_name=data["contact_name"],
                phone=data["phone"],
                email=data["email"],
                delivery_method=data["delivery_method"],
                province=data["province"],
                commune=data["commune"],
                commune_name=data["commune_name"],
                address=data["address"],
                location=data["location"],
                pickup_points=data["pickup_points"],
                payment_method=data["payment_method"],
                note=data["note"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                target = field if field in form.fields else None
                if field.startswith("pickup_points."):
                    target = f"pickup_{field.split('.', 1)[1]}"
                    target = target if target in form.fields else None
                for problem in problems:
                    form.add_error(target, problem)
        else:
            remembered = request.session.get(CHECKOUTS_SESSION_KEY, [])[-9:]
            request.session[CHECKOUTS_SESSION_KEY] = [*remembered, str(data["checkout_token"])]
            if len(result.orders) == 1:
                return redirect("marketplace:order_detail", token=result.orders[0].token)
            return redirect("marketplace:checkout_done", token=data["checkout_token"])
    subtotal = sum(item.listing.price_vnd * item.quantity for item in items)
    groups_view = [
        {"producer": producer, "subtotal": sum(i.listing.price_vnd * i.quantity for i in group), "items": group}
        for producer, group in groups.items()
    ]
    return render(
        request,
        "marketplace/checkout.html",
        {"form": form, "groups": groups_view, "subtotal": subtotal, "located": _location(request) is not None},
    )


@never_cache
@require_GET
def checkout_done(request, token):
    if str(token) not in request.session.get(CHECKOUTS_SESSION_KEY, []):
        raise Http404
    checkout = get_object_or_404(Checkout, token=token)
    orders = list(checkout.orders.select_related("producer").order_by("pk"))
    profiles = {p.producer_id: p for p in SellerProfile.objects.filter(producer_id__in=[o.producer_id for o in orders])}
    for order in orders:
        order.transfer = order_transfer(order, profiles.get(order.producer_id))
    transfers = [order.transfer for order in orders if order.transfer]
    return render(request, "marketplace/checkout_done.html", {"orders": orders, "transfers": transfers})


def _order_for_token(token: str) -> Order:
    return get_object_or_404(
        Order.objects.select_related("producer", "pickup_point", "province", "commune").prefetch_related(
            "lines", Prefetch("history", queryset=OrderStatusChange.objects.select_related("actor"))
        ),
        token=token,
    )


@never_cache
@require_GET
def order_page(request, token: str):
    """The buyer's view of one order, by its secret link (works signed out)."""
    order = _order_for_token(token)
    return render(
        request,
        "marketplace/order.html",
        {
            "order": order,
            "transfer": order_transfer(order),
            "can_cancel": order.status == OrderStatus.PLACED,
            "reason_form": ReasonForm(),
            "steps": _steps(order),
        },
    )


def _steps(order: Order) -> list[dict]:
    """The progress bar: placed → confirmed → shipped / ready → completed, with the current one marked."""
    last = OrderStatus.READY_FOR_PICKUP if order.delivery_method == Order.Delivery.PICKUP else OrderStatus.SHIPPED
    path = [OrderStatus.PLACED, OrderStatus.CONFIRMED, last, OrderStatus.COMPLETED]
    reached = path.index(order.status) if order.status in path else -1
    return [{"label": status.label, "done": i <= reached, "current": i == reached} for i, status in enumerate(path)]


@never_cache
@require_GET
def order_vietqr(request, token: str):
    order = get_object_or_404(Order, token=token)
    payload = order_vietqr_payload(order)
    if payload is None:
        raise Http404
    response = HttpResponse(vietqr_png(payload), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def order_cancel(request, token: str):
    order = get_object_or_404(Order, token=token)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.order_transition(by=request.user, order=order, action="cancel", reason=reason, token=token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your order is cancelled."))
    return redirect("marketplace:order_detail", token=token)


@login_required
@require_GET
def my_orders(request):
    orders = Order.objects.filter(buyer=request.user).select_related("producer").order_by("-placed_at", "-pk")[:100]
    return render(request, "marketplace/my_orders.html", {"orders": orders})
