"""The scratch PIN: a buyer confirms the purchase, exactly once, and what the scan page says about it afterwards."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracing.models import Scan, Stamp, StampEvent
from tracing.models.stamps import SoldVia, StampStatus
from tracing.stamps import clone_rules, pins


class PinRefused(ValidationError):
    """The PIN was not accepted: ``code`` says why (wrong_pin, already_confirmed, not_sellable)."""


@dataclass(frozen=True, slots=True)
class Confirmation:
    stamp: Stamp
    confirmed_at: datetime.datetime
    place: str


def stamp_confirm_pin(*, serial: str, pin: str, scan_id: int | None = None) -> Confirmation:
    """Confirm the purchase with the scratch PIN: the first correct confirmation wins, exactly once.

    The stamp is updated with a conditional UPDATE … WHERE confirmed_at IS NULL, so of two
    simultaneous confirmations exactly one changes the row; the other is told it was already
    confirmed. The PIN is compared in constant time (tracing.stamps.pins). An activated stamp becomes sold.
    """
    stamp = next(iter(Stamp.objects.filter(serial=serial).order_by()[:1]), None)
    if stamp is None:
        raise PinRefused(_("This stamp code is not one of ours."), code="unknown")
    if stamp.confirmed_at is not None:
        raise PinRefused(already_confirmed_message(stamp), code="already_confirmed")
    if stamp.status not in (StampStatus.ACTIVATED, StampStatus.SOLD):
        raise PinRefused(
            _("This stamp is not on a product for sale: its PIN cannot be confirmed."), code="not_sellable"
        )
    if not pins.pin_matches(serial, pin or "", stamp.pin_hash):
        raise PinRefused(_("This PIN is not right. Check the digits under the scratch layer."), code="wrong_pin")
    place, province_id = "", None
    if scan_id is not None:
        row = Scan.objects.filter(pk=scan_id, stamp=stamp).values_list("place_name", "province_id").first()
        if row:
            place, province_id = row
    now = timezone.now()
    with transaction.atomic():
        won = Stamp.objects.filter(
            pk=stamp.pk, confirmed_at__isnull=True, status__in=(StampStatus.ACTIVATED, StampStatus.SOLD)
        ).update(confirmed_at=now, confirmed_place=place, confirmed_province_id=province_id, status=StampStatus.SOLD)
        if won != 1:
            stamp.refresh_from_db()
            raise PinRefused(already_confirmed_message(stamp), code="already_confirmed")
        Stamp.objects.filter(pk=stamp.pk, sold_at__isnull=True).update(sold_at=now, sold_via=SoldVia.CONSUMER)
        StampEvent.objects.create(
            run_id=stamp.run_id,
            action=StampEvent.Action.CONFIRMED,
            count=1,
            ranges=[[stamp.number, stamp.number]],
            reason=place,
        )
    stamp.refresh_from_db()
    return Confirmation(stamp=stamp, confirmed_at=now, place=place)


def copy_confirmed_message(stamp: Stamp) -> str:
    """What every scan of a code an official confirmed copied says first."""
    from django.utils.formats import date_format

    when = date_format(timezone.localtime(stamp.copy_confirmed_at), "DATE_FORMAT")
    return str(clone_rules.COPY_CONFIRMED_WARNING) % {"date": when}


def sold_message(stamp: Stamp) -> str:
    """'Sold on … through the online marketplace' for a stamp whose sale was recorded, else ''."""
    from django.utils.formats import date_format

    if not stamp.sold_at or stamp.sold_via == SoldVia.CONSUMER:
        return ""  # a buyer's own PIN confirmation is told by already_confirmed_message
    when = date_format(timezone.localtime(stamp.sold_at), "DATE_FORMAT")
    if stamp.sold_via == SoldVia.MARKETPLACE:
        return _("Sold on %(date)s through the Hà Giang Origin online marketplace.") % {"date": when}
    return _("Sold on %(date)s by an authorised shop.") % {"date": when}


def already_confirmed_message(stamp: Stamp) -> str:
    from django.utils.formats import date_format

    when = date_format(timezone.localtime(stamp.confirmed_at), "DATE_FORMAT") if stamp.confirmed_at else ""
    if stamp.confirmed_place:
        return _("This product's PIN was already confirmed on %(date)s near %(place)s.") % {
            "date": when,
            "place": stamp.confirmed_place,
        }
    return _("This product's PIN was already confirmed on %(date)s.") % {"date": when}
