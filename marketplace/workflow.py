"""Order statuses and the explicit map of which status may follow which (pure, no database).

    placed ─┬─ confirm ─→ confirmed ─┬─ ship  ─→ shipped ──────────┬─ complete ─→ completed
            │                        └─ ready ─→ ready_for_pickup ─┘
            ├─ cancel ─→ cancelled ←─ cancel (from confirmed too)
            └─ expire ─→ expired   ←─ expire (unpaid bank transfers only, from confirmed too)

Guards beyond the map live in services/orders.py: ship is for home delivery and ready for pickup
orders; a bank-transfer order is paid before it leaves; expire is the system's, for unpaid
transfers past their deadline. Shipping may name the carrier and its tracking number
(`shipping_details`): required with a carrier, optional when the seller delivers it themselves.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("placed")
    CONFIRMED = "confirmed", _("confirmed")
    SHIPPED = "shipped", _("shipped")
    READY_FOR_PICKUP = "ready_for_pickup", _("ready for pickup")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")
    EXPIRED = "expired", _("expired")


TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PLACED: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED, OrderStatus.EXPIRED}),
    OrderStatus.CONFIRMED: frozenset(
        {OrderStatus.SHIPPED, OrderStatus.READY_FOR_PICKUP, OrderStatus.CANCELLED, OrderStatus.EXPIRED}
    ),
    OrderStatus.SHIPPED: frozenset({OrderStatus.COMPLETED}),
    OrderStatus.READY_FOR_PICKUP: frozenset({OrderStatus.COMPLETED}),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
}

#: An action (API action name, desk button) and the status it leads to.
ACTIONS: dict[str, str] = {
    "confirm": OrderStatus.CONFIRMED,
    "ship": OrderStatus.SHIPPED,
    "ready": OrderStatus.READY_FOR_PICKUP,
    "complete": OrderStatus.COMPLETED,
    "cancel": OrderStatus.CANCELLED,
    "expire": OrderStatus.EXPIRED,
}

ACTION_LABELS = {
    "confirm": _("Confirm"),
    "ship": _("Mark shipped"),
    "ready": _("Mark ready for pickup"),
    "complete": _("Mark completed"),
    "cancel": _("Cancel"),
    "expire": _("Expire"),
    "mark_paid": _("Mark paid"),
}

#: Statuses whose reserved stock goes back on sale.
RELEASES_STOCK = frozenset({OrderStatus.CANCELLED, OrderStatus.EXPIRED})
#: Statuses in which the order still needs the producer's attention (the desk shows these first).
OPEN_STATUSES = (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.READY_FOR_PICKUP)


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


class Carrier(models.TextChoices):
    """Who takes a shipped order to the buyer: the seller, or one of the carriers common in Viet Nam."""

    OWN = "own", _("our own delivery")
    VNPOST = "vnpost", "VNPost"
    VIETTEL_POST = "viettel_post", "Viettel Post"
    GHN = "ghn", "GHN"
    GHTK = "ghtk", "GHTK"
    JT = "jt", "J&T Express"
    NINJA_VAN = "ninja_van", "Ninja Van"
    OTHER = "other", _("another carrier")


TRACKING_MIN, TRACKING_MAX = 6, 30
_TRACKING = re.compile(r"^[A-Z0-9][A-Z0-9-]*[A-Z0-9]$")


def shipping_details(carrier: str, tracking_number: str) -> tuple[str, str]:
    """The carrier and tracking number to store with a shipped order, or a ValidationError naming the field.

    No carrier and no number: not stated (allowed). A carrier other than the seller's own delivery
    needs its tracking number: letters and digits with inner hyphens, 6–30 characters; spaces are
    dropped and letters upper-cased, as carriers print them ("vtp 1234 5678" → "VTP12345678").
    """
    carrier = (carrier or "").strip()
    number = re.sub(r"\s+", "", tracking_number or "").upper()
    if carrier and carrier not in Carrier.values:
        raise ValidationError({"carrier": _("Choose a carrier from the list.")})
    if number and not carrier:
        raise ValidationError({"carrier": _("Choose the carrier of this tracking number.")})
    if carrier and carrier != Carrier.OWN and not number:
        raise ValidationError({"tracking_number": _("Enter the carrier's tracking number.")})
    if number and not (TRACKING_MIN <= len(number) <= TRACKING_MAX and _TRACKING.match(number)):
        raise ValidationError(
            {
                "tracking_number": _("A tracking number has %(min)d to %(max)d letters, digits or hyphens.")
                % {"min": TRACKING_MIN, "max": TRACKING_MAX}
            }
        )
    return carrier, number
