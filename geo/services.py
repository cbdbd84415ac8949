"""Every write to retail points: created and edited by their retailer staff, verified by officials.

Each service takes the acting user, checks that they may act (PermissionDenied otherwise), validates
the whole row (ValidationError naming the field) and writes inside one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.roles import ADMINISTRATOR, RETAILER_STAFF, user_has_role
from geo import geocoding
from geo.containment import units_containing
from geo.coordinates import point
from geo.models import AdminUnit, OpeningPeriod, ProductKind, RetailPoint

_EDITABLE = ("name", "kind", "address", "phone", "zalo")
# A change to what a consumer relies on to find the shop sends it back to the officials.
_NEEDS_NEW_VERIFICATION = ("name", "address", "location")


def can_create_retail_point(user) -> bool:
    return user_has_role(user, RETAILER_STAFF, ADMINISTRATOR)


def can_edit_retail_point(user, retail_point: RetailPoint) -> bool:
    if user_has_role(user, ADMINISTRATOR):
        return True
    return user_has_role(user, RETAILER_STAFF) and retail_point.staff.filter(pk=user.pk).exists()


def can_verify_retail_points(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm("geo.verify_retailpoint")


def _locate(*, lat, lng, address: str):
    """The shop's point: the map pin when given, otherwise the typed address through the geocoder."""
    if lat is not None or lng is not None:
        if lat is None or lng is None:
            raise ValidationError({"lat": _("Give both lat and lng, or neither and an address.")})
        try:
            return point(lat, lng)
        except ValueError as error:
            raise ValidationError({"lat": str(error)}) from None
    try:
        candidates = geocoding.geocode(address, limit=1)
    except ValueError as error:
        raise ValidationError({"address": str(error)}) from None
    if not candidates:
        raise ValidationError({"address": _("This address could not be found on the map: place the pin by hand.")})
    return point(candidates[0].lat, candidates[0].lng)


def _commune_at(location) -> AdminUnit | None:
    return units_containing(location.y, location.x, level=AdminUnit.Level.COMMUNE).first()


def _product_kinds(codes: Iterable[str]) -> list[ProductKind]:
    codes = list(dict.fromkeys(codes))
    kinds = list(ProductKind.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {kind.code for kind in kinds})
    if missing:
        raise ValidationError({"product_kinds": _("Unknown product kind: %(codes)s.") % {"codes": ", ".join(missing)}})
    return kinds


def _replace_opening_periods(retail_point: RetailPoint, periods: Iterable[dict]) -> None:
    rows = []
    for period in periods:
        row = OpeningPeriod(
            retail_point=retail_point, weekday=period["weekday"], opens=period["opens"], closes=period["closes"]
        )
        try:
            row.full_clean(exclude=["retail_point"])
        except ValidationError as error:
            raise ValidationError({"opening_periods": error.messages}) from None
        rows.append(row)
    retail_point.opening_periods.all().delete()
    OpeningPeriod.objects.bulk_create(rows)


@transaction.atomic
def retail_point_create(
    *,
    user,
    name: str,
    address: str,
    kind: str = RetailPoint.Kind.SHOP,
    lat: float | None = None,
    lng: float | None = None,
    phone: str = "",
    zalo: str = "",
    product_kinds: Iterable[str] = (),
    opening_periods: Iterable[dict] | None = None,
) -> RetailPoint:
    """A new retail point, pending verification, with `user` as its staff.

    Located by the pin (lat, lng) or else by geocoding the address; its commune is the current
    commune containing the point, when the map has one.
    """
    if not can_create_retail_point(user):
        raise PermissionDenied(_("Only retailer staff can add a retail point."))
    location = _locate(lat=lat, lng=lng, address=address)
    kinds = _product_kinds(product_kinds)
    retail_point = RetailPoint(
        name=name,
        kind=kind,
        address=address,
        phone=phone,
        zalo=zalo,
        location=location,
        commune=_commune_at(location),
        verification_status=RetailPoint.Verification.PENDING,
    )
    retail_point.full_clean()
    retail_point.save()
    retail_point.staff.add(user)
    retail_point.product_kinds.set(kinds)
    if opening_periods is not None:
        _replace_opening_periods(retail_point, opening_periods)
    return retail_point


@transaction.atomic
def retail_point_update(
    *,
    user,
    retail_point: RetailPoint,
    lat: float | None = None,
    lng: float | None = None,
    product_kinds: Iterable[str] | None = None,
    opening_periods: Iterable[dict] | None = None,
    **changes,
) -> RetailPoint:
    """Edit a retail point: its own staff (or an administrator) only.

    `changes` may hold name, kind, address, phone, zalo. A new pin (lat, lng) moves the point; a new
    address without a pin is geocoded. Changing the name, address or place of a verified point sends
    it back to pending, so that the officials check it again.
    """
    retail_point = RetailPoint.objects.select_for_update().get(pk=retail_point.pk)
    if not can_edit_retail_point(user, retail_point):
        raise PermissionDenied(_("You can only edit your own retail points."))
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    changed = set()
    for field, value in changes.items():
        if getattr(retail_point, field) != value:
            setattr(retail_point, field, value)
            changed.add(field)
    if lat is not None or lng is not None:
        retail_point.location = _locate(lat=lat, lng=lng, address=retail_point.address)
        changed.add("location")
    elif "address" in changed:
        retail_point.location = _locate(lat=None, lng=None, address=retail_point.address)
        changed.add("location")
    if "location" in changed:
        retail_point.commune = _commune_at(retail_point.location)
    if changed & set(_NEEDS_NEW_VERIFICATION) and retail_point.verification_status == RetailPoint.Verification.VERIFIED:
        retail_point.verification_status = RetailPoint.Verification.PENDING
    retail_point.full_clean()
    retail_point.save()
    if product_kinds is not None:
        retail_point.product_kinds.set(_product_kinds(product_kinds))
    if opening_periods is not None:
        _replace_opening_periods(retail_point, opening_periods)
    return retail_point


def _set_verification(*, user, retail_point: RetailPoint, status: str, at: datetime.datetime | None) -> RetailPoint:
    if not can_verify_retail_points(user):
        raise PermissionDenied(_("Only officials can verify or suspend retail points."))
    retail_point = RetailPoint.objects.select_for_update().get(pk=retail_point.pk)
    retail_point.verification_status = status
    retail_point.verified_by = user
    retail_point.verified_at = at or timezone.now()
    retail_point.full_clean()
    retail_point.save(update_fields=["verification_status", "verified_by", "verified_at", "updated_at"])
    return retail_point


@transaction.atomic
def retail_point_verify(*, user, retail_point: RetailPoint, at: datetime.datetime | None = None) -> RetailPoint:
    """An official confirms the shop is real: it becomes visible to consumers. Records who and when."""
    return _set_verification(user=user, retail_point=retail_point, status=RetailPoint.Verification.VERIFIED, at=at)


@transaction.atomic
def retail_point_suspend(*, user, retail_point: RetailPoint, at: datetime.datetime | None = None) -> RetailPoint:
    """An official withdraws the shop from consumers (e.g. after a counterfeit finding). Records who and when."""
    return _set_verification(user=user, retail_point=retail_point, status=RetailPoint.Verification.SUSPENDED, at=at)
