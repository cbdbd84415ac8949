"""Listings and selling terms (producer staff), retail stock (shop staff) and reseller authorisation (producers)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from geo.models import AdminUnit, RetailPoint
from marketplace import access
from marketplace.banks import bank_for_bin
from marketplace.models import Listing, RetailStock, SellerProfile
from marketplace.services import stock
from marketplace.services.common import raise_if, save
from tracing.models import Producer, Product

LISTING_FIELDS = {
    "price_vnd",
    "unit",
    "stock",
    "min_per_order",
    "max_per_order",
    "home_delivery",
    "available_from",
    "available_to",
    "allow_preorder",
    "is_active",
}


def _require_seller(by, producer_id: int) -> None:
    if not access.can_sell_for(by, producer_id):
        raise PermissionDenied(_("Only this producer's staff may do this."))


def pickup_point_choices(producer_id: int):
    """The shops a producer may offer for pickup: verified and active, and either its own (a member of its
    staff is also the shop's staff) or an authorised reseller of one of its products."""
    own = Q(staff__producer_membership__producer_id=producer_id)
    authorised = Q(stock_rows__authorised=True, stock_rows__product__producer_id=producer_id)
    return RetailPoint.objects.public().filter(pk__in=RetailPoint.objects.filter(own | authorised).values("pk"))


def _check_pickup_points(
    errors: dict, points: Iterable[RetailPoint] | None, producer_id: int
) -> list[RetailPoint] | None:
    if points is None:
        return None
    points = list(points)
    if any(not (p.is_active and p.verification_status == RetailPoint.Verification.VERIFIED) for p in points):
        errors["pickup_points"] = _("Choose verified, active shops as pickup points.")
        return points
    allowed = set(pickup_point_choices(producer_id).filter(pk__in=[p.pk for p in points]).values_list("pk", flat=True))
    strangers = [p.name for p in points if p.pk not in allowed]
    if strangers:
        errors["pickup_points"] = _(
            "%(shops)s is neither one of your shops nor an authorised reseller of your products: "
            "authorise it on the Resellers page first."
        ) % {"shops": ", ".join(strangers)}
    return points


def _check_listing(listing: Listing, errors: dict, pickup_points: list | None) -> None:
    if listing.max_per_order is not None and listing.max_per_order < listing.min_per_order:
        errors["max_per_order"] = _("The maximum per order cannot be below the minimum.")
    if listing.available_from and listing.available_to and listing.available_to < listing.available_from:
        errors["available_to"] = _("The season cannot end before it starts.")
    if listing.stock is not None and listing.stock < 0:
        errors["stock"] = _("Stock cannot be negative.")
    if listing.price_vnd is not None and listing.price_vnd <= 0:
        errors["price_vnd"] = _("Enter a price above 0 đồng.")
    if not listing.home_delivery and pickup_points is not None and not pickup_points:
        errors["home_delivery"] = _("Offer home delivery or at least one pickup point.")


@transaction.atomic
def listing_create(*, by, product: Product, price_vnd: int, stock: int = 0, pickup_points=None, **fields) -> Listing:
    """Put a product on sale. Only its producer's staff; the producer must be approved; one listing per product.

    Pickup points are among `pickup_point_choices` (the producer's own shops and authorised resellers).
    """
    _require_seller(by, product.producer_id)
    unknown = set(fields) - LISTING_FIELDS
    if unknown:
        raise TypeError(f"unknown listing fields {sorted(unknown)}")
    errors: dict = {}
    if product.producer.status != Producer.Status.APPROVED:
        errors["product"] = _("Only approved producers can sell online.")
    elif Listing.objects.filter(product=product).exists():
        errors["product"] = _("This product is already on sale; edit its listing instead.")
    fields.setdefault("unit", product.unit)
    listing = Listing(producer_id=product.producer_id, product=product, price_vnd=price_vnd, stock=stock, **fields)
    pickup_points = _check_pickup_points(errors, pickup_points, product.producer_id)
    _check_listing(listing, errors, pickup_points if pickup_points is not None else [])
    raise_if(errors)
    save(listing)
    if pickup_points:
        listing.pickup_points.set(pickup_points)
    return listing


@transaction.atomic
def listing_update(*, by, listing: Listing, pickup_points=None, **changes) -> Listing:
    """Change a listing's price, stock, limits, delivery options or season. Only its producer's staff.

    The stock is set under a row lock so that it cannot race a checkout that is reserving units.
    """
    _require_seller(by, listing.producer_id)
    unknown = set(changes) - LISTING_FIELDS
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)}")
    listing = stock.lock_listing(listing)
    for name, value in changes.items():
        setattr(listing, name, value)
    errors: dict = {}
    pickup_points = _check_pickup_points(errors, pickup_points, listing.producer_id)
    current_points = pickup_points if pickup_points is not None else list(listing.pickup_points.all())
    _check_listing(listing, errors, current_points)
    raise_if(errors)
    save(listing)
    if pickup_points is not None:
        listing.pickup_points.set(pickup_points)
    return listing


@transaction.atomic
def seller_profile_update(
    *, by, producer: Producer, delivery_areas: Iterable[AdminUnit] | None = None, **fields
) -> SellerProfile:
    """Set a producer's bank account for transfers and its home-delivery areas and fee rule.

    The bank is one of the list (marketplace.banks); a BIN stored before the list existed stays as it is
    until it is changed.
    """
    _require_seller(by, producer.pk)
    allowed = {
        "bank_bin",
        "bank_account",
        "bank_account_name",
        "delivery_fee_vnd",
        "nationwide_fee_vnd",
        "free_delivery_from_vnd",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)}")
    profile, _created = SellerProfile.objects.get_or_create(producer=producer)
    stored_bin = profile.bank_bin
    for name, value in fields.items():
        setattr(profile, name, value.strip() if isinstance(value, str) else value)
    errors: dict = {}
    # A BIN saved before the bank list existed keeps working until the seller changes it.
    if profile.bank_bin and profile.bank_bin != stored_bin and bank_for_bin(profile.bank_bin) is None:
        errors["bank_bin"] = _(
            "Choose your bank from the list: %(bin)s is not the code of a bank that takes VietQR."
        ) % {"bin": profile.bank_bin}
    elif bool(profile.bank_bin) != bool(profile.bank_account):
        errors["bank_account"] = _("Choose the bank and give the account number, or neither.")
    if profile.bank_account and "bank_bin" not in errors:
        from marketplace.vietqr import vietqr_payload

        try:
            vietqr_payload(
                bank_bin=profile.bank_bin,
                account=profile.bank_account,
                amount_vnd=None,
                reference="HG0000000",
                merchant_name=profile.bank_account_name or None,
            )
        except ValueError as error:
            errors["bank_account"] = str(error)
    areas = None
    if delivery_areas is not None:
        areas = list(delivery_areas)
        if any(unit.level not in (AdminUnit.Level.PROVINCE, AdminUnit.Level.COMMUNE) for unit in areas):
            errors["delivery_areas"] = _("Choose provinces or communes.")
    raise_if(errors)
    save(profile)
    if areas is not None:
        profile.delivery_areas.set(areas)
    return profile


def delivers_to(profile: SellerProfile | None, commune: AdminUnit | None = None, *, province=None) -> bool:
    """Is the place in the producer's delivery areas (the commune itself, or a listed province or district
    above it; a commune typed by name is inside only a listed province)?"""
    if profile is None:
        return False
    ancestors = {province.pk} if province is not None else set()
    unit = commune
    for _level in range(4):
        if unit is None:
            break
        ancestors.add(unit.pk)
        unit = unit.parent if unit.parent_id else None
    return profile.delivery_areas.filter(pk__in=ancestors).exists()


def delivery_fee(
    profile: SellerProfile | None, *, province: AdminUnit, commune: AdminUnit | None, subtotal_vnd: int
) -> int | None:
    """The producer's fee for home delivery there (its areas' fee, else its fee elsewhere in Viet Nam), or
    None when it does not deliver there. The checkout and the selling-terms page both rely on this."""
    if profile is None:
        return None
    in_areas = delivers_to(profile, commune, province=province)
    return profile.delivery_fee_for(subtotal_vnd, in_areas=in_areas)


@transaction.atomic
def retail_stock_declare(
    *, by, retail_point: RetailPoint, items: Iterable[tuple[Product, bool]], replace: bool = False
) -> list[RetailStock]:
    """A shop declares which products it carries and whether each is in stock now ("updated" becomes now).

    With `replace`, products not in `items` are removed from the shop's list. A product newly
    declared is not authorised until its producer confirms the shop.
    """
    if not access.can_edit_stock(by, retail_point):
        raise PermissionDenied(_("Only this shop's staff may declare its stock."))
    items = list(items)
    errors: dict = {}
    products = [product for product, _in_stock in items]
    if len({p.pk for p in products}) != len(products):
        errors["items"] = _("A product is listed twice.")
    if any(not (p.is_active and p.producer.status == Producer.Status.APPROVED) for p in products):
        errors["items"] = _("Only active products of approved producers can be declared.")
    raise_if(errors)
    now = timezone.now()
    rows = []
    for product, in_stock in items:
        row, _created = RetailStock.objects.update_or_create(
            retail_point=retail_point,
            product=product,
            defaults={"in_stock": bool(in_stock), "updated_at": now, "updated_by": by},
        )
        rows.append(row)
    if replace:
        RetailStock.objects.filter(retail_point=retail_point).exclude(product__in=products).delete()
    return rows


@transaction.atomic
def retail_stock_authorise(*, by, retail_point: RetailPoint, product: Product, authorised: bool = True) -> RetailStock:
    """The producer confirms (or withdraws) a shop as an authorised reseller of one of its own products.

    The shop must have declared the product first; withdrawing keeps the declaration.
    """
    _require_seller(by, product.producer_id)
    row = RetailStock.objects.select_for_update().filter(retail_point=retail_point, product=product).first()
    if row is None:
        raise ValidationError({"product": _("This shop has not declared this product.")})
    row.authorised = authorised
    row.authorised_by = by if authorised else None
    row.authorised_at = timezone.now() if authorised else None
    row.save(update_fields=["authorised", "authorised_by", "authorised_at"])
    return row
