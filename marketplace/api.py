"""The marketplace REST API: listings, cart, checkout, orders (transitions as actions), retail stock.

Views parse the input (400 naming the field), call a service, and answer. A refused status step is
a 409; another party's order is a 404 (its existence is not revealed), a forbidden step a 403.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.schema import CONFLICT
from geo.models import RetailPoint
from marketplace import access, services
from marketplace.catalogue import CatalogueFilters, catalogue
from marketplace.models import Listing, Order, OrderStatusChange, RetailStock
from marketplace.serializers import (
    CartItemWriteSerializer,
    CartSerializer,
    CatalogueQuerySerializer,
    CheckoutResponseSerializer,
    CheckoutSerializer,
    ListingSerializer,
    ListingWriteSerializer,
    OrderSerializer,
    ReasonSerializer,
    RetailStockSerializer,
    RetailStockWriteSerializer,
    ShipSerializer,
    StampSerialsResponseSerializer,
    StampSerialsSerializer,
)
from marketplace.services.orders import TransitionNotAllowed
from tracing.models import Product


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "invalid_transition"
    default_detail = gettext_lazy("This step is not allowed in the order's current status.")


def call_service(function, **kwargs):
    """Run a service: its ValidationError becomes a 400 naming the fields, a refused step a 409."""
    try:
        return function(**kwargs)
    except TransitionNotAllowed as error:
        raise Conflict(error.messages[0]) from error
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        raise serializers.ValidationError(detail) from error


def _reject_unknown(request, known) -> None:
    unknown = sorted(set(request.query_params) - set(known) - {"format"})
    if unknown:
        raise serializers.ValidationError({name: [_("Unknown parameter.")] for name in unknown})


# --- listings -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Listings on sale (search, filters); mine=1: a producer's own, also inactive"),
    retrieve=extend_schema(summary="One listing"),
    create=extend_schema(
        summary="Put one of your products on sale (producer staff)",
        request=ListingWriteSerializer,
        responses={201: ListingSerializer},
    ),
    partial_update=extend_schema(
        summary="Change price, stock, limits, delivery or season (producer staff)",
        request=ListingWriteSerializer,
        responses={200: ListingSerializer},
    ),
)
class ListingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ListingSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list = []

    def _own_listings(self):
        producer_id = access.producer_of(self.request.user)
        return Listing.objects.filter(producer_id=producer_id) if producer_id else Listing.objects.none()

    def get_queryset(self):
        base = Listing.objects.select_related("product__kind", "product__producer").prefetch_related("pickup_points")
        if self.action == "list":
            return base.none()  # list() builds its own
        return (base.public() | base.filter(pk__in=self._own_listings().values("pk"))).distinct()

    @extend_schema(parameters=[CatalogueQuerySerializer])
    def list(self, request, *args, **kwargs):
        _reject_unknown(request, CatalogueQuerySerializer().fields)
        params = CatalogueQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if data["mine"]:
            listings = (
                self._own_listings()
                .select_related("product__kind", "product__producer")
                .prefetch_related("pickup_points")
                .order_by("pk")
            )
        else:
            listings = catalogue(
                CatalogueFilters(
                    q=data.get("q", ""),
                    kind=data.get("kind", ""),
                    producer=data.get("producer"),
                    area=data.get("area"),
                    certificate=data.get("certificate", ""),
                    in_season=data["in_season"],
                )
            ).prefetch_related("pickup_points")
        page = self.paginate_queryset(listings)
        return self.get_paginated_response(ListingSerializer(page, many=True).data)

    def create(self, request, *args, **kwargs):
        serializer = ListingWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "product" not in data or "price_vnd" not in data:
            missing = [name for name in ("product", "price_vnd") if name not in data]
            raise serializers.ValidationError({name: [_("This field is required.")] for name in missing})
        listing = call_service(services.listing_create, by=request.user, **data)
        return Response(ListingSerializer(listing).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        listing = self.get_object()
        if not access.can_sell_for(request.user, listing.producer_id):
            raise exceptions.PermissionDenied(_("Only this producer's staff may change its listings."))
        serializer = ListingWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "product" in data:
            raise serializers.ValidationError({"product": [_("A listing's product cannot change.")]})
        listing = call_service(services.listing_update, by=request.user, listing=listing, **data)
        return Response(ListingSerializer(listing).data)


# --- cart and checkout --------------------------------------------------------------------------


def _cart_data(cart) -> dict:
    items = services.cart_lines(cart)
    return {"items": items, "total_vnd": sum(item.listing.price_vnd * item.quantity for item in items)}


class CartView(APIView):
    """The current cart: the signed-in user's, or the anonymous session's (send the session cookie)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=CartSerializer, summary="The current cart")
    def get(self, request):
        return Response(CartSerializer(_cart_data(services.cart_for_request(request))).data)

    @extend_schema(request=None, responses={200: CartSerializer}, summary="Empty the cart")
    def delete(self, request):
        cart = services.cart_for_request(request)
        if cart is not None:
            cart.items.all().delete()
        return Response(CartSerializer(_cart_data(cart)).data)


class CartItemsView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=CartItemWriteSerializer,
        responses={200: CartSerializer},
        summary="Set the quantity of a listing in the cart (0 removes it)",
    )
    def post(self, request):
        serializer = CartItemWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = services.cart_for_request(request, create=True)
        call_service(services.cart_set_quantity, cart=cart, **serializer.validated_data)
        return Response(CartSerializer(_cart_data(cart)).data)


def order_link(request, order: Order) -> str:
    return request.build_absolute_uri(reverse("marketplace:order_detail", args=[order.token]))


def _orders_for_output(orders: list[Order]) -> list[Order]:
    return list(
        Order.objects.filter(pk__in=[o.pk for o in orders])
        .select_related("producer")
        .prefetch_related("lines", Prefetch("history", queryset=OrderStatusChange.objects.select_related("actor")))
        .order_by("pk")
    )


class CheckoutView(APIView):
    """Place the cart's goods as one order per producer. Prices, fees and totals are computed by the server."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=CheckoutSerializer,
        responses={
            201: CheckoutResponseSerializer,
            200: OpenApiResponse(CheckoutResponseSerializer, description="The token was used before: same orders."),
        },
        summary="Check out the cart",
    )
    def post(self, request):
        serializer = CheckoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        cart = services.cart_for_request(request)
        if cart is None:
            raise serializers.ValidationError({"items": [_("Your cart is empty.")]})
        result = call_service(
            services.checkout_place,
            cart=cart,
            buyer=request.user,
            token=data["checkout_token"],
            contact_name=data["contact_name"],
            phone=data["phone"],
            email=data.get("email", ""),
            delivery_method=data["delivery_method"],
            province=data.get("province"),
            commune=data.get("commune"),
            commune_name=data.get("commune_name", ""),
            address=data.get("address", ""),
            location=data.get("location"),
            pickup_points=data.get("pickup_points"),
            payment_method=data["payment_method"],
            note=data.get("note", ""),
        )
        orders = _orders_for_output(result.orders)
        body = {"orders": orders, "links": [order_link(request, order) for order in orders]}
        return Response(
            CheckoutResponseSerializer(body).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


# --- orders -------------------------------------------------------------------------------------


def _transition_action(name: str, summary: str, request_serializer=ReasonSerializer):
    """A detail action POST /orders/{id}/<name>/ running the `name` step of the order workflow."""

    def transition(self, request, pk=None):
        order = self.get_object()
        data = request_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        call_service(services.order_transition, by=request.user, order=order, action=name, **data.validated_data)
        return Response(OrderSerializer(self.get_object()).data)

    # DRF routes an action by its function name: name it before decorating.
    transition.__name__ = transition.__qualname__ = name
    transition = action(detail=True, methods=["post"], url_path=name)(transition)
    return extend_schema(request=request_serializer, responses={200: OrderSerializer, 409: CONFLICT}, summary=summary)(
        transition
    )


@extend_schema_view(
    list=extend_schema(summary="Your orders: those you bought, and your producer's (newest first)"),
    retrieve=extend_schema(summary="One order"),
)
class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = OrderSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "producer"]

    def get_queryset(self):
        orders = Order.objects.select_related("producer").prefetch_related(
            "lines", Prefetch("history", queryset=OrderStatusChange.objects.select_related("actor"))
        )
        return access.orders_visible_to(self.request.user, orders).order_by("-placed_at", "-pk")

    confirm = _transition_action("confirm", "Confirm a new order (producer)")
    ship = _transition_action(
        "ship", "Mark a home-delivery order shipped, with its carrier and tracking number (producer)", ShipSerializer
    )
    ready = _transition_action("ready", "Mark a pickup order ready at the shop (producer)")
    complete = _transition_action("complete", "Mark an order completed (producer)")
    cancel = _transition_action("cancel", "Cancel: the producer (with a reason), or the buyer while still new")

    @extend_schema(
        request=ReasonSerializer,
        responses={200: OrderSerializer, 409: CONFLICT},
        summary="Record the transfer (producer)",
    )
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request, pk=None):
        order = self.get_object()
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        call_service(services.order_mark_paid, by=request.user, order=order, reason=reason.validated_data["reason"])
        return Response(OrderSerializer(self.get_object()).data)

    @extend_schema(
        request=StampSerialsSerializer,
        responses={200: StampSerialsResponseSerializer, 409: CONFLICT},
        summary="Record the stamp serials of the units shipped (producer)",
    )
    @action(detail=True, methods=["post"], url_path="stamp-serials")
    def stamp_serials(self, request, pk=None):
        order = self.get_object()
        serializer = StampSerialsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call_service(
            services.order_record_stamp_serials,
            by=request.user,
            order=order,
            serials=serializer.validated_data["serials"],
        )
        return Response({"serials": list(order.stamp_serials.values_list("serial", flat=True))})


# --- retail stock -------------------------------------------------------------------------------


def _retail_point_for(request, pk: int) -> RetailPoint:
    point = get_object_or_404(RetailPoint, pk=pk)
    is_public = point.is_active and point.verification_status == RetailPoint.Verification.VERIFIED
    if not (is_public or access.can_edit_stock(request.user, point)):
        raise exceptions.NotFound()
    return point


def _stock_rows(point: RetailPoint):
    return RetailStock.objects.filter(retail_point=point).select_related("product").order_by("product__name_vi")


class RetailStockView(APIView):
    """What a shop carries and whether it is in stock ("updated" says how fresh); its staff declare it."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses=RetailStockSerializer(many=True), summary="A shop's declared stock")
    def get(self, request, pk: int):
        point = _retail_point_for(request, pk)
        return Response(RetailStockSerializer(_stock_rows(point), many=True).data)

    @extend_schema(
        request=RetailStockWriteSerializer,
        responses=RetailStockSerializer(many=True),
        summary="Declare products and stock (the shop's staff)",
    )
    def put(self, request, pk: int):
        point = _retail_point_for(request, pk)
        if not access.can_edit_stock(request.user, point):
            raise exceptions.PermissionDenied(_("Only this shop's staff may declare its stock."))
        serializer = RetailStockWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = [(item["product"], item["in_stock"]) for item in serializer.validated_data["items"]]
        call_service(
            services.retail_stock_declare,
            by=request.user,
            retail_point=point,
            items=items,
            replace=serializer.validated_data["replace"],
        )
        return Response(RetailStockSerializer(_stock_rows(point), many=True).data)


class RetailStockAuthorisationView(APIView):
    """The producer confirms a shop as an authorised reseller of its product (POST), or withdraws it (DELETE)."""

    permission_classes = [permissions.IsAuthenticated]

    def _change(self, request, pk: int, product_id: int, authorised: bool):
        point = get_object_or_404(RetailPoint, pk=pk)
        product = get_object_or_404(Product, pk=product_id)
        row = call_service(
            services.retail_stock_authorise, by=request.user, retail_point=point, product=product, authorised=authorised
        )
        return Response(RetailStockSerializer(row).data)

    @extend_schema(request=None, responses=RetailStockSerializer, summary="Authorise the shop (producer staff)")
    def post(self, request, pk: int, product_id: int):
        return self._change(request, pk, product_id, True)

    @extend_schema(request=None, responses={200: RetailStockSerializer}, summary="Withdraw the authorisation")
    def delete(self, request, pk: int, product_id: int):
        return self._change(request, pk, product_id, False)
